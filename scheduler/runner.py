"""Run one crawl in a child process and report what it did.

Scrapy's reactor cannot restart within one process, so every crawl is a child
(``python -m crawler.process``) in its own process group, with a hard timeout: a
graceful SIGTERM first, then SIGKILL of the whole group. Progress events stream from
the child's stdout as JSON lines; the last lines of its log are kept for the record.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.archive import Archive

logger = logging.getLogger(__name__)

GRACE_SECONDS = 30.0
LOG_TAIL_LINES = 40
EXIT_OUTCOMES = {0: "ok", 143: "interrupted", -signal.SIGTERM: "interrupted"}

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
) -> CrawlReport:
    """Crawl one site in a child process and wait for it (at most ``timeout`` seconds)."""
    return run_crawls([site_id], seeds=seeds, db=db, overrides=overrides, timeout=timeout, on_event=on_event)[0]


def run_crawls(
    site_ids: list[str],
    *,
    seeds: Path,
    db: Path,
    overrides: dict[str, str] | None = None,
    timeout: float | None = None,
    on_event: Callable[[Event], None] | None = None,
    at_once: int = 0,
) -> list[CrawlReport]:
    """Crawl several sites together in one child process (``at_once`` at a time, 0: all) and
    wait for it, at most ``timeout`` seconds in all; one report per site, in order."""
    started = time.monotonic()
    child = subprocess.Popen(
        child_command(site_ids, seeds, db, overrides or {}, at_once),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
    reader = threading.Thread(target=lambda: tail.extend(line.rstrip() for line in child.stderr or ()), daemon=True)
    reader.start()
    expired = threading.Event()

    def on_timeout() -> None:
        expired.set()
        stop_child(child)

    timer = threading.Timer(timeout, on_timeout) if timeout else None
    if timer:
        timer.start()
    finished: dict[str, tuple[Event, float]] = {}
    try:
        for line in child.stdout or ():
            event = _parse_event(line)
            if event is None:
                continue
            if event.get("event") == "finish":
                finished[str(event.get("site"))] = (event, time.monotonic() - started)
            if on_event:
                on_event(event)
        child.wait()
    except KeyboardInterrupt:
        stop_child(child)
        raise
    finally:
        if timer:
            timer.cancel()
        reader.join(timeout=5)
        for stream in (child.stdout, child.stderr):
            if stream:
                stream.close()
    seconds = time.monotonic() - started
    reports = []
    for site_id in site_ids:
        finish, took = finished.get(site_id, ({}, seconds))
        outcome = _outcome(child.returncode, finish, expired.is_set() and not finish)
        if not finish:
            _record_lost_crawl(db, site_id, child.pid, outcome, tuple(tail))
        counts = {k: int(v) for k, v in finish.items() if k.startswith(("articles_", "pages_", "peak_"))}
        reports.append(CrawlReport(site_id, outcome, child.returncode, took, counts, tuple(tail)))
    return reports


def stop_child(child: subprocess.Popen[str], grace: float = GRACE_SECONDS) -> None:
    """SIGTERM the child's process group; SIGKILL it if it is still there after ``grace``."""
    if child.poll() is not None:
        return
    logger.warning("stopping crawl process %d", child.pid)
    _signal_group(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        logger.warning("crawl process %d did not stop in %.0f s: killing it", child.pid, grace)
        _signal_group(child.pid, signal.SIGKILL)
        child.wait()


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def _parse_event(line: str) -> Event | None:
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def _outcome(code: int, finish: Event, timed_out: bool) -> str:
    if timed_out:
        return "timeout"
    if finish:
        return str(finish.get("outcome", "failed"))
    if code == 2:
        return "failed"
    return EXIT_OUTCOMES.get(code, "crashed")


def _record_lost_crawl(db: Path, site_id: str, pid: int, outcome: str, tail: tuple[str, ...]) -> None:
    """A child that died before closing its ``crawls`` row: close it for it."""
    if not db.exists():
        return
    with Archive(db) as archive:
        archive.close_running_crawls(site_id, pid, outcome, list(tail[-5:]))
