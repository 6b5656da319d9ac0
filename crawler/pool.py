"""Pages read off the reactor, in worker processes, each under a hard time limit.

Reading a page (parse, links, extraction: :func:`crawler.extract.page.read_html_page`) costs
milliseconds of CPU; on the crawl's reactor it would stall every download meanwhile, and one
pathological page (300-deep nesting, a 20 MB inline script) could stall it for good. An
:class:`ExtractionPool` is a :class:`pebble.ProcessPool` of ``workers`` processes (one per core
by default); :meth:`~ExtractionPool.read` schedules a page there with the time limit and awaits
pebble's future on the running loop (``asyncio.wrap_future``): the reactor never waits.

Pebble keeps the pool whole: a page over ``timeout`` seconds has its worker killed and replaced
and is reported failed (:class:`ExtractionTimeout`), so the pipeline keeps its raw bytes and
marks it; a worker that dies (a segfault, the out-of-memory killer) fails only its page. Ours:

- Memory: a worker sends its RSS with each page; one grown past ``max_rss_mb`` ends cleanly
  once its answer is sent (:func:`_retire`) and pebble starts another.
- Signals: workers ignore SIGINT and SIGTERM (a crawl asked to stop finishes the pages in hand),
  so pebble's SIGTERM-then-SIGKILL is made a SIGKILL at once. On Linux a worker dies with the
  thread that started it (``PR_SET_PDEATHSIG``): none outlives the crawl, however it ends.
- Start-up: workers are spawned, not forked (a fork would copy the crawl's memory and threads),
  without running the crawl's ``__main__`` again (:class:`_Spawned`); they import the extraction
  code before their first page (the crawl's process need not, to start them).
- A pool pebble gives up on (a worker died holding no page, or none can start) is replaced and
  its pages scheduled again; after three in a row that read nothing, pages are read in the
  crawl's process, as always with ``workers=0`` (no time limit there).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import os
import signal
import sys
import threading
import types
from concurrent.futures import Future
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import TYPE_CHECKING, Any

from pebble import ProcessExpired, ProcessPool
from pebble.common.types import CONSTS

if TYPE_CHECKING:
    from multiprocessing.popen_spawn_posix import Popen

    from crawler.extract.page import PageRead, ReadHints

logger = logging.getLogger(__name__)

MAX_BROKEN_POOLS = 3
PR_SET_PDEATHSIG = 1
CONSTS.term_timeout = 0  # pebble's wait between SIGTERM (ignored by our workers) and SIGKILL


class ExtractionFailed(Exception):
    """A page could not be read: its worker raised, died, or could not start."""


class ExtractionTimeout(ExtractionFailed):
    """A page took longer than the hard time limit; its worker was killed."""


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def worker_count(value: object) -> int:
    """``PROVNEWS_EXTRACT_WORKERS``: ``auto`` (one per core) or a number (0 = read inline)."""
    if value in (None, "", "auto"):
        return available_cores()
    count = int(str(value))
    if count < 0:
        raise ValueError(f"PROVNEWS_EXTRACT_WORKERS={value!r}: expected auto or a number >= 0")
    return count


class ExtractionPool:
    """Worker processes that read pages under a hard time limit (see the module docstring)."""

    def __init__(self, workers: int, timeout: float = 60.0, max_rss_mb: int = 400) -> None:
        self.size = workers
        self.timeout = timeout
        self.max_rss_kb = max_rss_mb * 1024
        self.pages_read = 0
        self.timeouts = 0
        self.restarts = 0
        self._pool: ProcessPool | None = None
        self._broken = 0  # pools in a row that pebble gave up on before they read a page
        self._in_hand: set[Future[Any]] = set()
        self._peak_rss_kb: dict[int, int] = {}
        self._closed = False

    async def read(self, body: bytes, url: str, content_type: str | None, hints: ReadHints | None = None) -> PageRead:
        """Read one page; raises :class:`ExtractionFailed` (or its timeout) when it cannot."""
        while (pool := self._running()) is not None:
            try:
                args = (body, url, content_type, hints, self.max_rss_kb)
                future = pool.schedule(_read, args, timeout=self.timeout)
                self._in_hand.add(future)
                future.add_done_callback(self._in_hand.discard)
                answer, pid, rss_kb = await asyncio.wrap_future(future)
            except TimeoutError:
                self.timeouts += 1
                self.restarts += 1
                logger.warning("%s: reading the page took over %g s: worker stopped", url, self.timeout)
                raise ExtractionTimeout(f"extraction took over {self.timeout:g} s") from None
            except ProcessExpired as error:
                self.restarts += 1
                raise ExtractionFailed(f"the extraction worker died (exit {error.exitcode})") from None
            except RuntimeError as error:  # BrokenProcessPool: pebble gave up on the pool
                if pool is self._pool and pool.active:
                    raise ExtractionFailed(f"{type(error).__name__}: {error}") from None
                continue  # read in the next pool
            self.pages_read += 1
            self._broken = 0
            self._peak_rss_kb[pid] = max(self._peak_rss_kb.get(pid, 0), rss_kb)
            if rss_kb > self.max_rss_kb:  # it ended after this answer (_retire)
                logger.info("extraction worker %d grew to %d MB: replaced", pid, rss_kb // 1024)
                self.restarts += 1
            if isinstance(answer, str):
                raise ExtractionFailed(answer)
            return answer
        from crawler.extract.page import read_html_page

        self.pages_read += 1
        return read_html_page(body, url, content_type, hints)

    def start(self) -> None:
        """Start the workers now, so that their imports are done by the time the first page
        arrives; :meth:`read` starts them otherwise."""
        self._running()

    def peak_rss_mb(self) -> int:
        """The peak memory of the running workers together (each worker's own peak, summed)."""
        running = {process.pid for process in multiprocessing.active_children()}
        self._peak_rss_kb = {pid: kb for pid, kb in self._peak_rss_kb.items() if pid in running}
        return sum(self._peak_rss_kb.values()) // 1024

    def close(self) -> None:
        """Stop the workers at once; a page still in hand fails, one asked for later is read inline."""
        self._closed = True
        self._stop(ExtractionFailed("the extraction pool was closed"))

    def _running(self) -> ProcessPool | None:
        """Pebble's pool, started (``active`` starts it) or replaced; None: read pages inline."""
        while self._pool is None or not self._pool.active:
            if self._pool is not None:
                self._stop(RuntimeError("the extraction pool broke"))  # its pages are read again
                self._broken += 1
                self.restarts += 1
                logger.error("extraction workers died%s", "" if self._broken < MAX_BROKEN_POOLS else ": read inline")
            if self.size == 0 or self._closed or self._broken >= MAX_BROKEN_POOLS:
                return None
            self._pool = ProcessPool(self.size, initializer=_start_worker, initargs=(os.getpid(),), context=_SPAWN)
        return self._pool

    def _stop(self, error: Exception) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.stop()  # type: ignore[no-untyped-call]
            pool.join()
        for future in list(self._in_hand):  # pebble leaves those it had not dispatched pending
            if not future.done():
                future.set_exception(error)


_shared: ExtractionPool | None = None


def shared_pool(workers: int, timeout: float, max_rss_mb: int) -> ExtractionPool:
    """The process's pool, shared by every crawl it runs; closed at exit."""
    global _shared
    if _shared is None or _shared._closed:
        _shared = ExtractionPool(workers, timeout, max_rss_mb)
        atexit.register(_shared.close)
    return _shared


# -- the worker side ------------------------------------------------------------------

_NO_MAIN = types.ModuleType("__main__")
_STARTING = threading.Lock()


class _Spawned(SpawnProcess):
    """A spawned process that does not run the crawl's ``__main__`` again, as multiprocessing
    would (``python -m crawler.process`` imports Scrapy: 30 MB and 0.3 s a worker, unused)."""

    @staticmethod
    def _Popen(process_obj: multiprocessing.process.BaseProcess) -> Popen:
        with _STARTING:  # spawn.get_preparation_data names the child's __main__ from sys.modules
            main, sys.modules["__main__"] = sys.modules["__main__"], _NO_MAIN
            try:
                return SpawnProcess._Popen(process_obj)
            finally:
                sys.modules["__main__"] = main


class _Spawn(SpawnContext):
    Process = _Spawned


_SPAWN = _Spawn()


def _start_worker(crawl_pid: int) -> None:
    """Pebble's initializer, in each worker before its first page."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != crawl_pid:  # the crawl died before that
            os._exit(1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not reach the crawl's JSON events
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    import crawler.extract.page  # noqa: F401 - its imports (lxml, trafilatura) before the first page


def _read(
    body: bytes, url: str, content_type: str | None, hints: ReadHints | None, max_rss_kb: int
) -> tuple[PageRead | str, int, int]:
    """One page in a worker: what it reads as (or why it cannot be), the worker's pid, its RSS in kB."""
    from crawler.extract.page import read_html_page

    answer: PageRead | str
    try:
        answer = read_html_page(body, url, content_type, hints)
    except Exception as error:  # noqa: BLE001 - the page's failure, reported to the crawl
        answer = f"{type(error).__name__}: {error}"
    rss_kb = _rss_kb()
    if rss_kb > max_rss_kb:
        _retire()
    return answer, os.getpid(), rss_kb


def _retire() -> None:
    """End this worker once its answer is sent: pebble's worker loop (``worker_process(params,
    channel)``) ends with status 0 on an EOF from its task channel, and pebble starts another."""
    channel = vars(multiprocessing.current_process())["_args"][1]
    channel.poll = _closed


def _closed(*_: object) -> bool:
    raise EOFError


def _rss_kb() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:  # not Linux
        return 0
