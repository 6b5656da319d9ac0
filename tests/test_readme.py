"""Docs cannot drift: every command and option of `provnews` is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import click

from scheduler.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_command_and_option_is_documented() -> None:
    missing = []
    for name, command in cli.commands.items():
        if f"provnews {name}" not in README:
            missing.append(f"provnews {name}")
        for param in command.params:
            if isinstance(param, click.Option):
                longest = max(param.opts, key=len)
                usage = rf"provnews {name}\b[^\n]*{re.escape(longest)}\b"
                if longest != "--help" and not re.search(usage, README):
                    missing.append(f"provnews {name} {longest}")
    assert missing == []


def test_readme_names_the_two_commands_and_ci_runs_the_test_one() -> None:
    assert "make demo" in README and "make test" in README
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
