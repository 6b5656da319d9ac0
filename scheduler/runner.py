"""Crawls in a child process, and what they did.

Scrapy's reactor cannot restart within one process, so every crawl is a child
(``python -m crawler.process``) run by :mod:`scheduler.children`: its own process group,
a hard timeout (SIGTERM, then SIGKILL of the whole group after a grace), this process's
signals passed on to it when asked. Progress events stream from the child's stdout as
JSON lines; the last lines of its log are kept for the record.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scheduler.children import GRACE_SECONDS, Child, run_child
from storage.archive import Archive

EXIT_OUTCOMES = {0: "ok", 143: "interrupted", -signal.SIGTERM: "interrupted", -signal.SIGHUP: "interrupted"}

Event = dict[str, Any]


@dataclass(frozen=True)
class CrawlReport:
    """What one crawl did: its outcome, counts and the tail of its log."""

    site: str
    outcome: str
    exit_code: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    log_tail: tuple[str, ...] = ()
    forwarded: int = 0  # the signal this process received and passed on to the crawl (0: none)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def child_command(
    site_ids: str | list[str], seeds: Path, db: Path, overrides: dict[str, str], at_once: int = 0
) -> list[str]:
    sites = [site_ids] if isinstance(site_ids, str) else list(site_ids)
    command = [sys.executable, "-m", "crawler.process", *sites, "--seeds", str(seeds), "--db", str(db)]
    if at_once:
        command += ["--at-once", str(at_once)]
    for name, value in overrides.items():
        command += ["--set", f"{name}={value}"]
    return command


def run_crawl(
    site_id: str,
    *,
    seeds: Path,
    db: Path,
    overrides: dict[str, str] | None = None,
    timeout: float | None = None,
    on_event: Callable[[Event], None] | None = None,
    on_start: Callable[[Child], None] | None = None,
    forward_signals: bool = False,
) -> CrawlReport:
    """Crawl one site in a child process and wait for it (at most ``timeout`` seconds)."""
    return run_crawls(
        [site_id],
        seeds=seeds,
        db=db,
        overrides=overrides,
        timeout=timeout,
        on_event=on_event,
        on_start=on_start,
        forward_signals=forward_signals,
    )[0]


def run_crawls(
    site_ids: list[str],
    *,
    seeds: Path,
    db: Path,
    overrides: dict[str, str] | None = None,
    timeout: float | None = None,
    on_event: Callable[[Event], None] | None = None,
    at_once: int = 0,
    on_start: Callable[[Child], None] | None = None,
    forward_signals: bool = False,
    grace: float = GRACE_SECONDS,
) -> list[CrawlReport]:
    """Crawl several sites together in one child process (``at_once`` at a time, 0: all) and
    wait for it, at most ``timeout`` seconds in all; one report per site, in order.

    ``on_start`` gets the :class:`~scheduler.children.Child` as soon as it runs (to stop it);
    ``forward_signals``: this process's SIGTERM, SIGHUP and SIGINT go to the crawl meanwhile
    (from the main thread only), which stops promptly and closes its ``crawls`` rows."""
    started = time.monotonic()
    finished: dict[str, tuple[Event, float]] = {}
    stopping: list[Event] = []

    def on_line(line: str) -> None:
        event = _parse_event(line)
        if event is None:
            return
        if event.get("event") == "finish":
            finished[str(event.get("site"))] = (event, time.monotonic() - started)
        elif event.get("event") == "stopping":
            stopping.append(event)
        if on_event:
            on_event(event)

    result = run_child(
        child_command(site_ids, seeds, db, overrides or {}, at_once),
        on_line=on_line,
        on_start=on_start,
        timeout=timeout,
        grace=grace,
        forward_signals=forward_signals,
    )
    reports = []
    for site_id in site_ids:
        finish, took = finished.get(site_id, ({}, result.seconds))
        outcome = _outcome(result.returncode, finish, result.timed_out, result.stopped or bool(stopping))
        if not finish:
            _record_lost_crawl(db, site_id, result.pid, outcome, result.tail)
        elif outcome != finish.get("outcome") and isinstance(finish.get("crawl"), int):
            with Archive(db) as archive:  # stopped by its timeout: a pause, not an interruption
                archive.record_crawl_result(
                    finish["crawl"], outcome, exit_code=result.returncode, seconds=took, log_tail=result.tail[-20:]
                )
        counts = {k: int(v) for k, v in finish.items() if k.startswith(("articles_", "pages_", "peak_"))}
        reports.append(CrawlReport(site_id, outcome, result.returncode, took, counts, result.tail, result.forwarded))
    return reports


def _parse_event(line: str) -> Event | None:
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def _outcome(code: int, finish: Event, timed_out: bool, stopped: bool) -> str:
    if finish:
        outcome = str(finish.get("outcome", "failed"))
        return "timeout" if timed_out and outcome == "interrupted" else outcome
    if timed_out:
        return "timeout"
    if stopped:  # a site of the run that had not started, or a crawl killed after its grace
        return "interrupted"
    if code == 2:
        return "failed"
    return EXIT_OUTCOMES.get(code, "crashed")


def _record_lost_crawl(db: Path, site_id: str, pid: int, outcome: str, tail: tuple[str, ...]) -> None:
    """A child that died before closing its ``crawls`` row: close it for it."""
    if not db.exists():
        return
    with Archive(db) as archive:
        archive.close_running_crawls(site_id, pid, outcome, list(tail[-5:]))
