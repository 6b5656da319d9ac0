"""What each site is doing: its last crawl, its articles, its next scheduled run.

``provnews status`` prints :func:`describe` of each :func:`site_statuses`, one line a site:
``langson-mirror  last 2026-11-28 04:46:35 UTC ok  22 articles, 22 new in 24 h  next …``.

The next run is the one the scheduler keeps to (or would keep to, were it running): from the
site's schedule and its last crawl in the archive, before jitter. It reads the archive and
the seeds folder only, so it works whether or not ``provnews schedule`` is running.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scheduler.children import pid_alive
from scheduler.timetable import format_time, next_due, parse_time, read_seeds
from storage.archive import Archive

NEW_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class SiteStatus:
    """One site as ``provnews status`` shows it."""

    site: str
    last_started: datetime | None = None
    last_outcome: str | None = None
    articles: int = 0
    new_24h: int = 0
    next_run: datetime | None = None
    state: str = "scheduled"  # scheduled, running, due, disabled, broken, no seed
    problem: str | None = None  # why the seed file is broken


def site_statuses(seeds: Path, db: Path, now: datetime | None = None) -> list[SiteStatus]:
    """Every site of the seeds folder and of the archive, sorted by id.

    Raises :class:`~scheduler.timetable.ScheduleError` when the seeds folder does not exist.
    """
    now = now or datetime.now(UTC)
    good, broken = read_seeds(seeds)
    activity: dict[str, dict[str, Any]] = {}
    running: set[str] = set()
    last_runs: dict[str, str] = {}
    if db.exists():
        with Archive(db) as archive:
            since = (now - NEW_WINDOW).isoformat(timespec="seconds")
            activity = archive.site_activity(since)
            running = {row["site"] for row in archive.running_crawls() if pid_alive(row["pid"])}
            last_runs = archive.last_crawl_starts()
    statuses: dict[str, SiteStatus] = {}
    for site_id in sorted(set(good) | set(activity) | {name.removesuffix(".toml") for name in broken}):
        row = activity.get(site_id, {})
        known = SiteStatus(
            site_id,
            last_started=parse_time(row.get("started")),
            last_outcome=row.get("outcome"),
            articles=row.get("articles") or 0,
            new_24h=row.get("new") or 0,
        )
        seed = good.get(site_id)
        if f"{site_id}.toml" in broken:
            statuses[site_id] = replace(known, state="broken", problem=broken[f"{site_id}.toml"])
        elif seed is None:
            statuses[site_id] = replace(known, state="no seed")
        elif not seed.enabled:
            statuses[site_id] = replace(known, state="disabled")
        else:
            due = next_due(seed, parse_time(last_runs.get(site_id)), now)
            state = "running" if site_id in running else "due" if due <= now else "scheduled"
            statuses[site_id] = replace(known, next_run=due, state=state)
    return [statuses[site_id] for site_id in sorted(statuses)]


def describe(status: SiteStatus) -> str:
    """One line: site, last crawl (time, outcome), articles, new in 24 h, next run."""
    last = (
        f"last {format_time(status.last_started)} {status.last_outcome or '?':<11}"
        if status.last_started
        else f"last {'never':<35}"
    )
    counts = f"{status.articles:>6} articles, {status.new_24h:>4} new in 24 h"
    if status.state == "scheduled" and status.next_run:
        upcoming = f"next {format_time(status.next_run)}"
    elif status.state == "due":
        upcoming = "next: due now (runs as soon as the scheduler runs)"
    elif status.state == "running":
        upcoming = "next: crawling now"
    elif status.state == "broken":
        upcoming = f"not scheduled: {status.problem}"
    elif status.state == "disabled":
        upcoming = "not scheduled: disabled in its seed file"
    else:
        upcoming = "not scheduled: no seed file"
    return f"{status.site:<20} {last}  {counts}  {upcoming}"
