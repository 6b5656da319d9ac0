"""``--set NAME=VALUE`` pairs, read without importing Scrapy (the ``provnews`` command's
own process stays small: the crawl runs in a child)."""

from __future__ import annotations


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``["DOWNLOAD_DELAY=0"]`` → ``{"DOWNLOAD_DELAY": "0"}``; raises ValueError on a bad pair."""
    overrides: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set {pair!r}: expected NAME=VALUE, e.g. --set DOWNLOAD_DELAY=0")
        overrides[name.strip()] = value.strip()
    return overrides
