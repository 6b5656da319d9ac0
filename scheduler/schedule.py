"""Every enabled site of ``seeds/`` crawled on its schedule, for months: the scheduler.

APScheduler 3.x fires one job per site (see :mod:`scheduler.timetable` for when); each run
is one :func:`scheduler.runner.run_crawl`, a child process (:mod:`scheduler.children`) in
its own process group with the seed's hard timeout. :func:`scheduler.service.run_schedule`
runs it in the foreground.
What :class:`CrawlScheduler` promises:

- never two crawls of one site at once (``max_instances=1``, plus a guard that also sees a
  crawl left running by an earlier scheduler); at most ``max_running`` crawls at once; a
  run due while the site's previous crawl still runs is skipped and logged;
- missed runs are coalesced into one catch-up run (``coalesce=True``, no misfire limit),
  and a restart takes each site's last run from the ``crawls`` table, so it neither forgets
  nor stampedes (catch-ups are spread by the jitter and queue for the free slots);
- :meth:`CrawlScheduler.stop` stops scheduling, sends SIGTERM to the running crawls'
  process groups (they stop promptly, whatever their politeness), kills those still
  running after a grace period, and records them ``interrupted``;
- a crawl that crashes, hangs or is killed (out of memory) is recorded with its outcome,
  exit code, duration and last log lines, and the scheduler carries on;
- seed files added, removed or changed are picked up when the folder changes (polled
  every ``watch_seconds``) or on :meth:`CrawlScheduler.reload`; a broken one is reported
  and left out until it is fixed.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from crawler.seeds import Seed
from scheduler.children import GRACE_SECONDS, Child, pid_alive
from scheduler.runner import CrawlReport, Event, run_crawl
from scheduler.timetable import (
    MAX_JITTER,
    ScheduleError,
    format_duration,
    format_time,
    jitter_for,
    next_due,
    parse_time,
    read_seeds,
    seeds_snapshot,
    trigger_for,
)
from storage.archive import Archive
from storage.records import Site

logger = logging.getLogger(__name__)

DEFAULT_MAX_RUNNING = 2
WATCH_SECONDS = 10.0
STOP_GRACE = 30.0
KILL_WAIT = 15.0  # after SIGKILL, how long to wait for the crawls to be recorded
LOG_TAIL_KEPT = 20
TICK = 0.2
WATCH_JOB = "_watch_seeds"


@dataclass(frozen=True)
class ScheduleConfig:
    """How to run the schedule (the options of ``provnews schedule``)."""

    seeds: Path
    db: Path
    max_running: int = DEFAULT_MAX_RUNNING
    overrides: Mapping[str, str] = field(default_factory=dict)
    max_jitter: float = MAX_JITTER
    watch_seconds: float = WATCH_SECONDS
    stop_grace: float = STOP_GRACE


def final_outcome(report: CrawlReport, timeout: float, stopped: bool) -> str:
    """The outcome to record: the runner's, made precise with what only the scheduler knows."""
    if report.outcome in ("ok", "failed"):
        return report.outcome
    if stopped:
        return "interrupted"
    if report.seconds >= timeout:
        return "timeout"
    if report.outcome == "interrupted" or report.exit_code in (143, -signal.SIGTERM):
        return "interrupted"
    return "crashed"


# -- the scheduler --------------------------------------------------------------


@dataclass
class _Run:
    """One crawl in progress: what the scheduler needs to stop it and to record it."""

    site: str
    started: str  # UTC, ISO 8601, as in crawls.started
    crawl_id: int | None = None
    child: Child | None = None
    stop_requested: bool = False


class CrawlScheduler:
    """The sites of a seeds folder, each crawled on its schedule; see the module docstring.

    ::

        service = CrawlScheduler(ScheduleConfig(Path("seeds"), Path("archive.db")))
        service.start()          # returns at once; crawls run in background threads
        ...
        service.stop()           # stop scheduling, stop the running crawls, record them
        service.close()
    """

    def __init__(self, config: ScheduleConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._ended = threading.Condition(self._lock)
        self._reloading = threading.Lock()
        self._seeds: dict[str, Seed] = {}
        self._broken: dict[str, str] = {}
        self._snapshot: dict[str, tuple[int, int]] = {}
        self._running: dict[str, _Run] = {}
        self._stopping = False
        self._stop_grace = config.stop_grace
        self._scheduler = BackgroundScheduler(
            executors={
                "default": ThreadPoolExecutor(max_workers=config.max_running),
                "watch": ThreadPoolExecutor(max_workers=1),
            },
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._scheduler.add_listener(self._on_skipped, EVENT_JOB_MAX_INSTANCES)

    # -- starting and reloading --------------------------------------------------

    def start(self) -> None:
        """Schedule every enabled site and start (crawls run in background threads)."""
        read_seeds(self.config.seeds)  # no seeds folder: fail before the archive is touched
        with Archive(self.config.db) as archive:
            self._close_dead_crawls(archive)
        self.reload()
        if self.config.watch_seconds > 0:
            self._scheduler.add_job(
                self.reload_if_changed,
                IntervalTrigger(seconds=self.config.watch_seconds),
                id=WATCH_JOB,
                executor="watch",
            )
        self._scheduler.start()
        logger.info(
            "scheduler started: seeds %s, archive %s, %d scheduled, at most %d crawls at once",
            self.config.seeds,
            self.config.db,
            len(self._seeds),
            self.config.max_running,
        )
        if not self._seeds:
            logger.warning(
                "%s: no enabled site to schedule yet; a seed file added there is picked up", self.config.seeds
            )

    def _close_dead_crawls(self, archive: Archive) -> None:
        """Crawls left ``running`` by processes that no longer exist (the machine went down)."""
        for row in archive.running_crawls():
            if row["pid"] and not pid_alive(row["pid"]):
                note = f"process {row['pid']} ended without closing this crawl (found when the scheduler started)"
                archive.close_running_crawls(row["site"], row["pid"], "crashed", [note])
                logger.warning(
                    "%s: crawl %s was left running by a dead process: recorded crashed", row["site"], row["id"]
                )

    def reload_if_changed(self) -> None:
        """Read the seeds folder again if a seed file was added, removed or changed."""
        if seeds_snapshot(self.config.seeds) == self._snapshot:
            return
        try:
            self.reload()
        except Exception:
            logger.exception("%s: could not read the seeds again; will retry", self.config.seeds)

    def reload(self) -> None:
        """Read the seeds folder: schedule new sites, drop removed, disabled or broken ones,
        reschedule changed ones. A broken seed file is reported and left out."""
        with self._reloading:
            self._snapshot = seeds_snapshot(self.config.seeds)
            try:
                seeds, broken = read_seeds(self.config.seeds)
            except ScheduleError as exc:
                if not self._scheduler.running:
                    raise
                logger.error("%s; the sites scheduled before keep their schedule", exc)
                return
            self._report_broken(broken)
            with Archive(self.config.db) as archive:
                last_runs = {site: parse_time(when) for site, when in archive.last_crawl_starts().items()}
            wanted = {site_id: seed for site_id, seed in seeds.items() if seed.enabled}
            for site_id in list(self._seeds):
                if site_id not in wanted:
                    self._unschedule(site_id, "disabled" if site_id in seeds else "its seed file is gone or broken")
            for seed in wanted.values():
                self._schedule(seed, last_runs.get(seed.id))

    def _report_broken(self, broken: dict[str, str]) -> None:
        for name, message in broken.items():
            if self._broken.get(name) != message:
                logger.error("%s — this site is not scheduled until the file is fixed", message)
        for name in set(self._broken) - set(broken):
            logger.info("%s: fixed or removed", self.config.seeds / name)
        self._broken = broken

    def _unschedule(self, site_id: str, why: str) -> None:
        with self._lock:
            self._seeds.pop(site_id, None)
        if self._scheduler.get_job(site_id):
            self._scheduler.remove_job(site_id)
        logger.info("%s: no longer scheduled (%s); a crawl already running goes on", site_id, why)

    def _schedule(self, seed: Seed, last_started: datetime | None) -> None:
        with self._lock:
            previous = self._seeds.get(seed.id)
            self._seeds[seed.id] = seed
        if previous is not None and (previous.schedule, previous.every) == (seed.schedule, seed.every):
            if previous != seed:
                logger.info("%s: seed changed; the next crawl uses it", seed.id)
            return
        jitter = jitter_for(seed, self.config.max_jitter)
        first = next_due(seed, last_started, datetime.now(UTC)) + timedelta(seconds=random.uniform(0, jitter))
        self._scheduler.add_job(
            self._run_site,
            trigger_for(seed, self.config.max_jitter),
            args=[seed.id],
            id=seed.id,
            name=seed.id,
            next_run_time=first,
            replace_existing=True,
        )
        how = f"cron '{seed.schedule}'" if seed.schedule else f"every {format_duration(seed.interval_seconds or 0)}"
        verb = "rescheduled" if previous else "scheduled"
        logger.info("%s: %s, %s; next run %s", seed.id, verb, how, format_time(first))

    def next_runs(self) -> dict[str, datetime]:
        """Site id → when its next crawl is due (jitter included), for the sites scheduled."""
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs() if job.id != WATCH_JOB}

    # -- one run -------------------------------------------------------------------

    def _on_skipped(self, event: JobSubmissionEvent) -> None:
        due = format_time(event.scheduled_run_times[-1]) if event.scheduled_run_times else "now"
        logger.warning(
            "%s: run due %s skipped: the previous crawl of this site is still running (or waiting for a slot)",
            event.job_id,
            due,
        )

    def _run_site(self, site_id: str) -> None:
        """The job of one site: claim it, crawl it in a child process, record what happened."""
        claimed = self._claim(site_id)
        if claimed is None:
            return
        seed, run = claimed
        try:
            other = self._crawl_elsewhere(seed)
            if other is None:
                self._crawl(seed, run)
            else:
                logger.warning(
                    "%s: run skipped: crawl %s (process %s, started %s) is still running",
                    site_id,
                    other["id"],
                    other["pid"],
                    other["started"],
                )
        except Exception:
            logger.exception("%s: the crawl could not be run or recorded; the scheduler goes on", site_id)
        finally:
            with self._ended:
                self._running.pop(site_id, None)
                self._ended.notify_all()

    def _claim(self, site_id: str) -> tuple[Seed, _Run] | None:
        """Register the run, unless the scheduler stops or the site is being crawled already."""
        with self._lock:
            seed = self._seeds.get(site_id)
            if self._stopping or seed is None:
                return None
            if site_id in self._running:
                logger.warning("%s: run skipped: the previous crawl of this site is still running", site_id)
                return None
            started = datetime.now(UTC).isoformat(timespec="seconds")
            run = self._running[site_id] = _Run(site_id, started)
        return seed, run

    def _crawl_elsewhere(self, seed: Seed) -> dict[str, Any] | None:
        """A crawl of the site still running in another process (an earlier scheduler's orphan)."""
        bound = datetime.now(UTC) - timedelta(seconds=seed.timeout + 2 * GRACE_SECONDS)
        with Archive(self.config.db) as archive:
            for row in archive.running_crawls():
                started = parse_time(row["started"])
                if row["site"] == seed.id and pid_alive(row["pid"]) and started and started > bound:
                    return {"id": row["id"], "pid": row["pid"], "started": row["started"]}
        return None

    def _crawl(self, seed: Seed, run: _Run) -> None:
        logger.info("%s: crawl started (timeout %s)", seed.id, format_duration(seed.timeout))
        report = run_crawl(
            seed.id,
            seeds=self.config.seeds,
            db=self.config.db,
            overrides=dict(self.config.overrides),
            timeout=seed.timeout,
            on_event=lambda event: self._on_event(run, event),
            on_start=lambda child: self._on_start(run, child),
        )
        outcome = final_outcome(report, seed.timeout, run.stop_requested)
        self._record(seed, run, report, outcome)
        c = report.counts
        log = logger.info if outcome == "ok" else logger.warning
        log(
            "%s: crawl ended %s in %.1f s%s: %d pages, %d new, %d changed, %d unchanged, %d gone",
            seed.id,
            outcome,
            report.seconds,
            "" if outcome == "ok" else f" (exit code {report.exit_code})",
            c.get("pages_fetched", 0),
            c.get("articles_new", 0),
            c.get("articles_changed", 0),
            c.get("articles_unchanged", 0),
            c.get("articles_gone", 0),
        )
        if outcome not in ("ok", "interrupted"):
            for line in report.log_tail[-5:]:
                logger.warning("%s:     | %s", seed.id, line)

    def _on_start(self, run: _Run, child: Child) -> None:
        """The crawl process runs: keep it to stop it; stop it now if the scheduler is stopping."""
        with self._lock:
            run.child = child
            stop, grace = run.stop_requested, self._stop_grace
        if stop:
            child.stop(grace=grace)

    def _on_event(self, run: _Run, event: Event) -> None:
        """The child opened its ``crawls`` row: note its id, to record the run there."""
        if event.get("event") == "start" and isinstance(event.get("crawl"), int):
            run.crawl_id = event["crawl"]

    def _record(self, seed: Seed, run: _Run, report: CrawlReport, outcome: str) -> None:
        code, seconds, tail = report.exit_code, report.seconds, report.log_tail[-LOG_TAIL_KEPT:]
        with Archive(self.config.db) as archive:
            crawl_id = run.crawl_id or archive.find_crawl(seed.id, run.started)
            if crawl_id is None:
                site = Site(seed.id, seed.name, seed.home_url, seed.start_urls)
                archive.add_lost_crawl(
                    site, outcome, started=run.started, exit_code=code, seconds=seconds, log_tail=tail
                )
            else:
                archive.record_crawl_result(crawl_id, outcome, exit_code=code, seconds=seconds, log_tail=tail)

    # -- stopping ------------------------------------------------------------------

    def stop(self, grace: float | None = None, forced: Callable[[], bool] = lambda: False) -> bool:
        """Stop scheduling; ask the running crawls to stop (SIGTERM), have them killed after
        ``grace`` seconds (or as soon as ``forced()``), and wait until they are recorded.
        True if any was killed."""
        grace = self.config.stop_grace if grace is None else grace
        with self._lock:
            self._stopping = True
            self._stop_grace = grace
            runs = list(self._running.values())
            for run in runs:
                run.stop_requested = True
            children = [run.child for run in runs if run.child is not None]
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if runs:
            logger.warning("stopping %d running crawl(s): %s", len(runs), ", ".join(r.site for r in runs))
        for child in children:  # a crawl whose process is not started yet is stopped as it starts
            child.stop(grace=grace)
        if not self._wait_for_runs(grace + KILL_WAIT, forced):
            logger.warning("killing the crawls still running: %s", ", ".join(self._running))
            for run in runs:
                if run.child is not None:
                    run.child.kill()
            if not self._wait_for_runs(KILL_WAIT, lambda: False):
                logger.error("crawls not recorded after they were killed: %s", ", ".join(self._running))
            return True
        return any(run.child is not None and run.child.killed for run in runs)

    def _wait_for_runs(self, seconds: float, forced: Callable[[], bool]) -> bool:
        deadline = time.monotonic() + seconds
        with self._ended:
            while self._running:
                if forced() or time.monotonic() >= deadline:
                    return False
                self._ended.wait(TICK)
        return True

    def close(self) -> None:
        """Stop, if not stopped yet."""
        if not self._stopping:
            self.stop()
