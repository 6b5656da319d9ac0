"""``provnews schedule`` in the foreground: the scheduler as a service an admin can trust.

:func:`run_schedule` holds the archive's scheduler lock (so two schedulers never crawl into
one archive), starts a :class:`~scheduler.schedule.CrawlScheduler`, and waits for signals:

- SIGHUP reads the seeds folder again at once;
- SIGTERM or SIGINT (Ctrl-C) stops scheduling, gives running crawls ``stop_grace`` seconds
  to stop, kills those still running, records them ``interrupted``, and returns 0;
- a second SIGTERM or SIGINT kills them at once, and it returns 1.

Signal handlers only count signals; the main loop acts on them.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from scheduler.schedule import TICK, CrawlScheduler, ScheduleConfig
from scheduler.timetable import ScheduleError, read_seeds

logger = logging.getLogger(__name__)


def lock_path(db: Path) -> Path:
    """The file a running scheduler holds locked, next to the archive."""
    return db.with_name(db.name + ".scheduler.lock")


def scheduler_pid(db: Path) -> int | None:
    """The process id of the scheduler running on ``db`` (-1 if unknown), or None when none is."""
    try:
        with lock_path(db).open("r", encoding="ascii") as file:
            try:
                fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                text = file.read().strip()
                return int(text) if text.isdigit() else -1
            fcntl.flock(file, fcntl.LOCK_UN)
    except OSError:
        pass
    return None


@contextmanager
def scheduler_lock(db: Path) -> Iterator[None]:
    """Hold the archive's scheduler lock (with this process id in it), or raise ScheduleError."""
    path = lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="ascii") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            other = file.read().strip() or "unknown"
            raise ScheduleError(
                f"{db}: already scheduled by process {other} (it holds {path}); "
                "stop that scheduler first, or pass another --db"
            ) from None
        file.truncate(0)
        file.write(f"{os.getpid()}\n")
        file.flush()
        try:
            yield
        finally:
            file.truncate(0)


class _Signals:
    """Signals noted by their handlers (which do nothing else) and acted upon by the main loop."""

    def __init__(self) -> None:
        self.stops = 0
        self.reload = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            self.reload = True
        else:
            self.stops += 1

    @contextmanager
    def installed(self) -> Iterator[None]:
        watched = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
        previous = {sig: signal.signal(sig, self.handle) for sig in watched}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def run_schedule(config: ScheduleConfig) -> int:
    """Crawl every site on its schedule until SIGTERM or Ctrl-C: 0 after a clean stop, 1 if forced."""
    read_seeds(config.seeds)  # no seeds folder: fail before anything is created
    signals = _Signals()
    with signals.installed(), scheduler_lock(config.db):
        service = CrawlScheduler(config)
        try:
            service.start()
            while not signals.stops:
                time.sleep(TICK)
                if signals.reload:
                    signals.reload = False
                    logger.info("SIGHUP: reading %s again", config.seeds)
                    try:
                        service.reload()
                    except Exception:
                        logger.exception("%s: could not read the seeds again; the schedule is unchanged", config.seeds)
            logger.warning(
                "stopping: no new crawls; running ones get %g s (signal again to kill them)", config.stop_grace
            )
            forced = service.stop(config.stop_grace, forced=lambda: signals.stops > 1)
        finally:
            service.close()
    logger.warning("scheduler stopped%s", ": running crawls were killed" if forced else "")
    return 1 if forced else 0
