"""Pages read off the reactor, in worker processes, each under a hard time limit.

Reading a page (parse, links, extraction: :func:`crawler.extract.page.read_html_page`) costs
milliseconds of CPU; on the crawl's reactor it would stall every download meanwhile, and
one pathological page (300-deep nesting, a 20 MB inline script) could stall it for good.
An :class:`ExtractionPool` keeps ``workers`` processes (``python -m crawler.pool``,
one per core by default) fed through pipes; a page that takes longer than ``timeout``
seconds has its worker killed and replaced, and the page is reported as failed
(:class:`ExtractionTimeout`) so the pipeline keeps its raw bytes and marks it. A worker
whose memory grew past ``max_rss_mb`` is retired after its page and replaced.

Workers ignore SIGINT and SIGTERM: a crawl that is asked to stop finishes the pages in
hand, then closes the pool (the workers exit when their input closes, or die with the
crawl's process group). ``workers=0`` reads pages inline, with no time limit.

Frames on the pipes are a 4-byte big-endian length and a pickle: to a worker
``(task id, body, url, content type, ReadHints)``; from it ``("ready", pid)``, ``("ok", task id,
PageRead, rss kB)`` or ``("error", task id, message, rss kB)``.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import fcntl
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
from collections import deque
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.extract.page import PageRead, ReadHints

logger = logging.getLogger(__name__)

HEADER = struct.Struct(">I")
PIPE_BYTES = 1024 * 1024
MAX_STARTUP_FAILURES = 3


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


@dataclass
class _Task:
    id: int
    frame: bytes
    url: str
    future: asyncio.Future[PageRead]


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    buffer: bytearray = field(default_factory=bytearray)
    ready: bool = False
    task: _Task | None = None
    timer: asyncio.TimerHandle | None = None
    retiring: bool = False
    peak_rss_kb: int = 0


class ExtractionPool:
    """Worker processes that read pages under a hard time limit (see the module docstring)."""

    def __init__(self, workers: int, timeout: float = 60.0, max_rss_mb: int = 400) -> None:
        self.size = workers
        self.timeout = timeout
        self.max_rss_kb = max_rss_mb * 1024
        self.pages_read = 0
        self.timeouts = 0
        self.restarts = 0
        self._queue: deque[_Task] = deque()
        self._workers: list[_Worker] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._next_id = 0
        self._startup_failures = 0
        self._closed = False

    async def read(self, body: bytes, url: str, content_type: str | None, hints: ReadHints | None = None) -> PageRead:
        """Read one page; raises :class:`ExtractionFailed` (or its timeout) when it cannot."""
        from crawler.extract.page import read_html_page

        if self.size == 0 or self._closed or self._startup_failures >= MAX_STARTUP_FAILURES:
            self.pages_read += 1
            return read_html_page(body, url, content_type, hints)
        loop = asyncio.get_running_loop()
        self.start()
        self._next_id += 1
        payload = pickle.dumps((self._next_id, body, url, content_type, hints), protocol=pickle.HIGHEST_PROTOCOL)
        task = _Task(self._next_id, HEADER.pack(len(payload)) + payload, url, loop.create_future())
        self._queue.append(task)
        self._dispatch()
        return await task.future

    def start(self) -> None:
        """Start the workers now (from the running event loop), so that they are ready, their
        imports done, by the time the first page arrives; :meth:`read` starts them otherwise."""
        if self._loop is not None or self.size == 0 or self._closed:
            return
        self._loop = asyncio.get_running_loop()
        for _ in range(self.size):
            self._spawn()

    def peak_rss_mb(self) -> int:
        """The peak memory of the running workers together (each worker's own peak, summed)."""
        return sum(worker.peak_rss_kb for worker in self._workers) // 1024

    def close(self) -> None:
        """Stop the workers (their input closes; any still busy after 2 s is killed)."""
        self._closed = True
        workers, self._workers = self._workers, []
        for worker in workers:
            self._forget(worker)
            if worker.process.stdin:
                worker.process.stdin.close()
        for worker in workers:
            try:
                worker.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
        while self._queue:
            task = self._queue.popleft()
            if not task.future.done():
                task.future.set_exception(ExtractionFailed("the extraction pool was closed"))

    # -- workers ------------------------------------------------------------------

    def _spawn(self) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler.pool"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            close_fds=True,
        )
        assert process.stdout is not None and process.stdin is not None and self._loop is not None
        for pipe in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):  # larger pipes: a page is written without waiting
                fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        os.set_blocking(process.stdout.fileno(), False)
        worker = _Worker(process)
        self._workers.append(worker)
        self._loop.add_reader(process.stdout.fileno(), self._on_readable, worker)

    def _dispatch(self) -> None:
        for worker in self._workers:
            if not self._queue:
                return
            if worker.ready and worker.task is None and not worker.retiring:
                task = self._queue.popleft()
                worker.task = task
                assert self._loop is not None and worker.process.stdin is not None
                worker.timer = self._loop.call_later(self.timeout, self._expire, worker, task.id)
                try:
                    worker.process.stdin.write(task.frame)
                    worker.process.stdin.flush()
                except (BrokenPipeError, OSError):
                    pass  # it died: its pipe's EOF reports it

    def _on_readable(self, worker: _Worker) -> None:
        assert worker.process.stdout is not None
        try:
            chunk = os.read(worker.process.stdout.fileno(), 1 << 20)
        except BlockingIOError:
            return
        if not chunk:
            self._died(worker)
            return
        worker.buffer += chunk
        while len(worker.buffer) >= HEADER.size:
            (length,) = HEADER.unpack_from(worker.buffer)
            if len(worker.buffer) < HEADER.size + length:
                return
            message = pickle.loads(worker.buffer[HEADER.size : HEADER.size + length])
            del worker.buffer[: HEADER.size + length]
            self._handle(worker, message)

    def _handle(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        if message[0] == "ready":
            worker.ready = True
            self._startup_failures = 0
            self._dispatch()
            return
        kind, task_id, value, rss_kb = message
        worker.peak_rss_kb = max(worker.peak_rss_kb, rss_kb)
        task = worker.task
        if task is None or task.id != task_id:
            return
        worker.task = None
        if worker.timer:
            worker.timer.cancel()
        self.pages_read += 1
        if not task.future.done():
            if kind == "ok":
                task.future.set_result(value)
            else:
                task.future.set_exception(ExtractionFailed(value))
        if rss_kb > self.max_rss_kb:
            logger.info("extraction worker %d grew to %d MB: replaced", worker.process.pid, rss_kb // 1024)
            self._replace(worker, kill=False)
        self._dispatch()

    def _expire(self, worker: _Worker, task_id: int) -> None:
        task = worker.task
        if task is None or task.id != task_id:
            return
        self.timeouts += 1
        logger.warning("%s: reading the page took over %g s: worker stopped", task.url, self.timeout)
        worker.task = None
        if not task.future.done():
            task.future.set_exception(ExtractionTimeout(f"extraction took over {self.timeout:g} s"))
        self._replace(worker, kill=True)

    def _died(self, worker: _Worker) -> None:
        code = worker.process.wait()
        if not worker.ready:
            self._startup_failures += 1
            logger.error("an extraction worker failed to start (exit %s)", code)
        task, worker.task = worker.task, None
        if task is not None and not task.future.done():
            task.future.set_exception(ExtractionFailed(f"the extraction worker died (exit {code})"))
        self._replace(worker, kill=False)
        if self._startup_failures >= MAX_STARTUP_FAILURES:
            logger.error("extraction workers cannot start: reading pages in the crawl process")
            self._drain_inline()

    def _replace(self, worker: _Worker, *, kill: bool) -> None:
        self._forget(worker)
        if worker in self._workers:
            self._workers.remove(worker)
        if kill:
            worker.process.kill()
        if worker.process.stdin and not worker.process.stdin.closed:
            try:
                worker.process.stdin.close()
            except OSError:
                pass
        if worker.process.poll() is None:
            try:  # a retired worker exits at once on the end of its input
                worker.process.wait(timeout=0 if kill else 5)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
        if not self._closed and self._startup_failures < MAX_STARTUP_FAILURES:
            self.restarts += 1
            self._spawn()

    def _forget(self, worker: _Worker) -> None:
        if worker.timer:
            worker.timer.cancel()
        if self._loop is not None and worker.process.stdout is not None and not worker.process.stdout.closed:
            self._loop.remove_reader(worker.process.stdout.fileno())
            worker.process.stdout.close()

    def _drain_inline(self) -> None:
        from crawler.extract.page import read_html_page

        while self._queue:
            task = self._queue.popleft()
            _, body, url, content_type, hints = pickle.loads(task.frame[HEADER.size :])
            try:
                result: PageRead = read_html_page(body, url, content_type, hints)
            except Exception as error:  # noqa: BLE001 - reported as the page's failure
                task.future.set_exception(ExtractionFailed(f"{type(error).__name__}: {error}"))
            else:
                task.future.set_result(result)


_shared: ExtractionPool | None = None


def shared_pool(workers: int, timeout: float, max_rss_mb: int) -> ExtractionPool:
    """The process's pool, shared by every crawl it runs; closed at exit."""
    global _shared
    if _shared is None or _shared._closed:
        _shared = ExtractionPool(workers, timeout, max_rss_mb)
        atexit.register(_shared.close)
    return _shared


# -- the worker side ------------------------------------------------------------------


def _write(out: IO[bytes], message: tuple[Any, ...]) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(HEADER.pack(len(payload)) + payload)
    out.flush()


def _read_exactly(source: IO[bytes], size: int) -> bytes | None:
    data = source.read(size)
    return data if data is not None and len(data) == size else None


def _rss_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def serve() -> int:
    """Read pages from stdin until it closes; answers go to stdout, which nothing else may use."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not corrupt the frames
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    try:
        _serve(sys.stdin.buffer, out)
    except BrokenPipeError:  # the crawl closed the pool meanwhile
        pass
    return 0


def _serve(source: IO[bytes], out: IO[bytes]) -> None:
    from crawler.extract.page import read_html_page

    _write(out, ("ready", os.getpid()))
    while True:
        header = _read_exactly(source, HEADER.size)
        if header is None:
            return
        frame = _read_exactly(source, HEADER.unpack(header)[0])
        if frame is None:
            return
        task_id, body, url, content_type, hints = pickle.loads(frame)
        try:
            _write(out, ("ok", task_id, read_html_page(body, url, content_type, hints), _rss_kb()))
        except Exception as error:  # noqa: BLE001 - the page's failure, reported to the crawl
            _write(out, ("error", task_id, f"{type(error).__name__}: {error}", _rss_kb()))


if __name__ == "__main__":
    sys.exit(serve())
