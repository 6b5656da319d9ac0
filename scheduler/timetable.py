"""When each site runs: its trigger, its jitter, when its next crawl is due, and the seeds
folder as the scheduler reads it (file by file, so one broken seed leaves the others alone).

A seed's ``schedule`` is a cron expression in the machine's local time (like cron); without
one, the site runs ``every`` interval, by default every 6 hours. Jitter is a tenth of the
interval, at most 5 minutes, so sites do not all start at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.errors import SeedError
from crawler.seeds import Seed, load_seed

MAX_JITTER = 300.0


class ScheduleError(Exception):
    """The schedule cannot run; the message names the file and the fix."""


def jitter_for(seed: Seed, max_jitter: float = MAX_JITTER) -> float:
    """Seconds a run may start late: a tenth of the site's interval, at most ``max_jitter``."""
    if seed.schedule:
        trigger = cron_trigger(seed.schedule)
        first = trigger.get_next_fire_time(None, datetime.now(trigger.timezone))
        second = trigger.get_next_fire_time(first, first + timedelta(seconds=1)) if first else None
        interval = (second - first).total_seconds() if first and second else 3600.0
    else:
        interval = float(seed.interval_seconds or 0)
    return max(0.0, min(max_jitter, interval / 10))


def cron_trigger(expression: str) -> CronTrigger:
    """A crontab expression as cron means it: day of week 0 and 7 are Sunday.

    APScheduler 3 reads a numeric day of week with 0 as Monday, so ``0 6 * * 0`` would
    fire on Mondays; numbers are translated to its numbering first (names are left alone).
    """
    minute, hour, day, month, weekday = expression.split()
    return CronTrigger.from_crontab(" ".join((minute, hour, day, month, _weekdays(weekday))))


def _weekdays(field: str) -> str:
    items = []
    for item in field.split(","):
        spec, _, step = item.partition("/")
        if spec == "*" and step:
            spec = "0-6"
        if not any(c.isdigit() for c in spec) or not all(c.isdigit() or c == "-" for c in spec):
            items.append(item)  # *, */2, names
            continue
        first, _, last = spec.partition("-")
        days = range(int(first), int(last or first) + 1, int(step or 1)) if last or step else [int(first)]
        items.extend(str((day + 6) % 7) for day in days)
    return ",".join(dict.fromkeys(items))


def trigger_for(seed: Seed, max_jitter: float = MAX_JITTER) -> BaseTrigger:
    """The APScheduler trigger of a site: its cron ``schedule``, else its interval; with jitter."""
    jitter = jitter_for(seed, max_jitter)
    trigger: BaseTrigger
    if seed.schedule:
        trigger = cron_trigger(seed.schedule)
        trigger.jitter = jitter or None
    else:
        trigger = IntervalTrigger(seconds=seed.interval_seconds or 0, jitter=jitter or None)
    return trigger


def next_due(seed: Seed, last_started: datetime | None, now: datetime) -> datetime:
    """When the site's next crawl is due, jitter aside: ``now`` if it never ran or missed a run.

    However many runs were missed (the machine slept, the scheduler was stopped), the answer
    is one run now: missed runs are coalesced into one catch-up run.
    """
    if last_started is None:
        return now
    if seed.schedule:
        trigger = cron_trigger(seed.schedule)
        due = trigger.get_next_fire_time(None, last_started + timedelta(seconds=1))
    else:
        due = last_started + timedelta(seconds=seed.interval_seconds or 0)
    return now if due is None or due <= now else due


def seeds_snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Name → (mtime in ns, size) of each seed file: when it changes, the seeds are read again."""
    snapshot: dict[str, tuple[int, int]] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            stat = path.stat()
        except OSError:
            continue
        snapshot[path.name] = (stat.st_mtime_ns, stat.st_size)
    return snapshot


def read_seeds(folder: Path) -> tuple[dict[str, Seed], dict[str, str]]:
    """Every seed file of ``folder``, one by one: (the good seeds, file name → error of the broken)."""
    if not folder.is_dir():
        raise ScheduleError(f"{folder}: no such seeds folder; pass --seeds DIR or set PROVNEWS_SEEDS")
    seeds: dict[str, Seed] = {}
    broken: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            seed = load_seed(path)
        except SeedError as exc:
            broken[path.name] = str(exc)
        else:
            seeds[seed.id] = seed
    return seeds, broken


def parse_time(value: str | None) -> datetime | None:
    """An archive time (ISO 8601, UTC) as an aware datetime; None stays None."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_time(moment: datetime) -> str:
    """``2026-11-28 04:22:49 UTC``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_duration(seconds: float) -> str:
    """``6h``, ``30m``, ``90s``: as a seed would write it."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
