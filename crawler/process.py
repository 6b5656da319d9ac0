"""Crawls in this process: ``python -m crawler.process SITE_ID [SITE_ID...] --db PATH``.

The scheduler and ``provnews crawl`` start this as a child process, because Scrapy's
reactor cannot be restarted within one process. Several sites are crawled at once, each
by its own crawler (its own politeness, its own ``crawls`` row), sharing the reactor
and the pool of extraction workers (:mod:`crawler.pool`); ``--at-once N`` caps how
many run together. The process that started it enforces the seed's ``timeout`` (SIGTERM).

SIGTERM, SIGINT or SIGHUP stops every crawl promptly, whatever its delay and AutoThrottle
(:class:`GracefulStop`): no further download starts (requests waiting in the download
slots are dropped, not drained one per delay), what was downloaded is read and archived,
each ``crawls`` row is closed ``interrupted`` with its counts, and the process exits 0,
in seconds. What was not fetched is where the next run resumes. The crawl also ends when
the process that started it ends, even by SIGKILL (:func:`die_with_parent`).

Progress goes to stdout as JSON lines (``{"event": "article", "site": ...}``, and
``{"event": "stopping", "signal": "SIGTERM"}`` when asked to stop); Scrapy's log goes to
stderr. Exit status: 0 every crawl finished (or was stopped by a signal), 1 one failed,
2 bad arguments or seed.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.core.downloader import Downloader
from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from crawler import settings as default_settings
from crawler.errors import CrawlerError
from crawler.overrides import parse_overrides
from crawler.seeds import load_seed
from crawler.spiders.site import SiteSpider

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PARENT_PID_ENV = "PROVNEWS_PARENT_PID"  # set by scheduler.children for every child it starts
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
STOP_STAT = "provnews/stop_signal"
STOP_GATE = "crawler.process.StopGate"
STOP_GATE_ORDER = 990  # after every other downloader middleware: the last step before a download slot
SWEEP_SECONDS = 0.1
CLOSED_OK = ("finished", "closespider_pagecount")
logger = logging.getLogger(__name__)
progress = logging.getLogger("provnews.progress")


class JsonEvents(logging.Handler):
    """Write the ``event`` of ``provnews.progress`` records to stdout, one JSON a line.

    Once nobody reads them (the parent is gone), events are dropped: the crawl goes on to
    its end and closes its rows all the same."""

    broken = False

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "event", None)
        if event is None or self.broken:
            return
        try:
            sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        except OSError:  # EPIPE: the reader is gone; stdout to /dev/null, so exiting flushes nothing there
            self.broken = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)


def die_with_parent() -> bool:
    """Have the kernel send this process SIGTERM when the process that started it ends, however
    it ends (Linux ``PR_SET_PDEATHSIG``); False if that process has already ended.

    The parent is ``$PROVNEWS_PARENT_PID`` (set by :mod:`scheduler.children`), else the parent
    now: checked right after the request, so a parent that died before it is seen too."""
    expected = os.environ.pop(PARENT_PID_ENV, "")  # not inherited by the extraction workers
    parent = int(expected) if expected.isdigit() else os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
                logger.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
        except (OSError, AttributeError) as exc:
            logger.warning("cannot ask to end with the parent process: %s", exc)
    return os.getppid() == parent


class StopGate:
    """Downloader middleware, the last before the download slots: once the crawl is stopping,
    no request reaches a slot. ``IgnoreRequest`` is a deliberate skip, not an error."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopGate:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.crawler.stats is not None and self.crawler.stats.get_value(STOP_STAT):
            raise IgnoreRequest(f"the crawl is stopping: {request.url} not fetched")


def drop_queued(downloader: Downloader) -> int:
    """Fail every request waiting in a download slot (for its delay) with ``IgnoreRequest``,
    so the engine lets go of it at once; the number dropped."""
    dropped = 0
    for slot in list(downloader.slots.values()):
        while slot.queue:
            request, waiting = slot.queue.popleft()
            waiting.errback(Failure(IgnoreRequest(f"the crawl is stopping: {request.url} not fetched")))
            dropped += 1
    return dropped


class GracefulStop:
    """SIGTERM, SIGINT and SIGHUP of the crawl process: every crawl stops within seconds.

    The handler only notes the signal and wakes the reactor; there, every ``SWEEP_SECONDS``
    until the crawls are over: the :class:`StopGate` of each crawler is shut, the requests
    waiting in its download slots are dropped, and its spider is closed with reason
    ``shutdown`` (so its row ends ``interrupted``). Closing waits only for the downloads in
    flight and for the pages being read and archived; requests still in Scrapy's scheduler
    are never dequeued again. A second signal changes nothing: the parent kills the process
    group if it must. Scrapy's own handlers are not installed: its graceful stop drains the
    download slots, one request per delay."""

    def __init__(self) -> None:
        self.signum = 0
        self.crawlers: list[Crawler] = []
        self._reactor: Any = None
        self._begun = False
        self._closing: set[int] = set()
        self._sweeper: Any = None

    def install(self) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._handle)

    def attach(self, reactor: Any) -> None:
        """The reactor is installed: from now on a signal wakes it."""
        self._reactor = reactor
        reactor.callWhenRunning(self._begin_if_asked)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum:
            return
        self.signum = signum
        if self._reactor is not None:
            self._reactor.callFromThread(self._begin_if_asked)

    def _begin_if_asked(self) -> None:
        if not self.signum or self._begun:
            return
        self._begun = True
        name = signal.Signals(self.signum).name
        logger.warning("received %s: stopping every crawl now (queued requests dropped, pages in hand archived)", name)
        progress.info("stopping", extra={"event": {"event": "stopping", "signal": name}})
        from twisted.internet.task import LoopingCall

        self._sweeper = LoopingCall(self._sweep)
        self._sweeper.start(SWEEP_SECONDS, now=True)

    def _sweep(self) -> None:
        for crawler in self.crawlers:
            engine = getattr(crawler, "_engine", None)  # None until the crawl starts
            if engine is None or crawler.stats is None:
                continue
            if not crawler.stats.get_value(STOP_STAT):
                crawler.stats.set_value(STOP_STAT, self.signum)  # shuts its StopGate
                # a crawl left with nothing to do by the dropped requests is stopped, not finished
                crawler.signals.connect(_keep_open, signal=signals.spider_idle)
            if engine.running and id(crawler) not in self._closing:  # not before it has started
                self._closing.add(id(crawler))
                closing = deferred_from_coro(_close(engine))
                closing.addErrback(lambda failure: logger.error("closing a crawl failed: %s", failure.getTraceback()))
            dropped = drop_queued(engine.downloader)
            if dropped:
                logger.info("%d queued request(s) dropped", dropped)

    def done(self) -> None:
        if self._sweeper is not None and self._sweeper.running:
            self._sweeper.stop()


def _keep_open(spider: Spider) -> None:
    raise DontCloseSpider


async def _close(engine: ExecutionEngine) -> None:
    """Close the engine's spider with reason ``shutdown``, unless it is closed already (a close
    under way, e.g. at its page limit, keeps its own reason)."""
    if engine.spider is not None and engine.scheduler is not None:
        await engine.close_spider_async(reason="shutdown")


def build_settings(seeds: Path, db: Path, overrides: dict[str, str]) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("PROVNEWS_SEEDS", str(seeds), priority="project")
    settings.set("PROVNEWS_DB", str(db), priority="project")
    settings.update(overrides, priority="cmdline")
    middlewares = {**settings.getdict("DOWNLOADER_MIDDLEWARES"), STOP_GATE: STOP_GATE_ORDER}
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority=settings.getpriority("DOWNLOADER_MIDDLEWARES") or 0)
    return settings


def crawl(
    site_ids: list[str],
    seeds: Path,
    db: Path,
    overrides: dict[str, str],
    at_once: int = 0,
    stopper: GracefulStop | None = None,
) -> int:
    """Run the sites' crawls to their end, ``at_once`` at a time (0: all); the exit status."""
    stopper = stopper or GracefulStop()
    for site_id in site_ids:
        load_seed(seeds / f"{site_id}.toml")
    process = CrawlerProcess(build_settings(seeds, db, overrides))
    crawlers = {site_id: process.create_crawler(SiteSpider) for site_id in site_ids}
    stopper.crawlers.extend(crawlers.values())
    from twisted.internet import defer

    reasons: dict[str, str] = {}
    semaphore = defer.DeferredSemaphore(at_once or len(site_ids))

    def start(site_id: str) -> defer.Deferred[None]:
        if stopper.signum:  # asked to stop: the sites not started yet are not
            return defer.succeed(None)
        crawler = crawlers[site_id]

        def closed(spider: object, reason: str) -> None:
            reasons.setdefault(site_id, reason)

        crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
        crawl = process.crawl(crawler, site=site_id)
        crawl.addErrback(lambda failure: logger.error("%s: the crawl failed: %s", site_id, failure.getTraceback()))
        return crawl

    runs = [semaphore.run(start, site_id) for site_id in site_ids]
    everything = defer.DeferredList(runs, consumeErrors=True)

    def stop(result: object) -> object:
        from twisted.internet import reactor  # installed by the first crawl: imported after it

        stopper.done()
        if reactor.running:  # type: ignore[attr-defined]
            reactor.stop()  # type: ignore[attr-defined,misc]
        return result

    everything.addBoth(stop)
    if not everything.called:  # every crawl failed at once, or a signal came first: no reactor to run
        from twisted.internet import reactor

        stopper.attach(reactor)
        process.start(stop_after_crawl=False, install_signal_handlers=False)
    if stopper.signum:
        failed = [site for site, reason in reasons.items() if reason not in (*CLOSED_OK, "shutdown")]
        return EXIT_FAILED if failed else EXIT_OK
    ok = all(reasons.get(site_id) in CLOSED_OK for site_id in site_ids)
    return EXIT_OK if ok else EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    if not die_with_parent():
        sys.stderr.write("error: the process that started this crawl has ended: not crawling\n")
        return EXIT_FAILED
    stopper = GracefulStop()
    stopper.install()
    parser = argparse.ArgumentParser(prog="python -m crawler.process", description=__doc__)
    parser.add_argument("sites", nargs="+", metavar="SITE")
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    parser.add_argument("--db", type=Path, default=Path("archive.db"))
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--at-once", type=int, default=0, metavar="N", help="crawl at most N sites at a time")
    args = parser.parse_args(argv)
    progress.addHandler(JsonEvents())
    try:
        return crawl(args.sites, args.seeds, args.db, parse_overrides(args.overrides), max(0, args.at_once), stopper)
    except (CrawlerError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
