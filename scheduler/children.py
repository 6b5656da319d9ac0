"""Child processes: each in its own session, stopped as a group, never outliving provnews.

Every crawl runs in a child process (Scrapy's reactor cannot restart within one process),
and every child of provnews is started and stopped here:

- :class:`Child` starts a command in a new session, so that its pid is also its process
  group id and a signal to the group reaches whatever it started (the extraction workers);
  it sets ``PROVNEWS_PARENT_PID`` so that the child can ask the kernel to end it when this
  process ends, however it ends (``crawler.process.die_with_parent``: Linux's
  ``PR_SET_PDEATHSIG``, which fires when the *thread* that started the child ends, so a
  child is always waited for by the thread that started it);
- one watchdog thread per child owns its deadlines: the hard ``timeout`` (SIGTERM to the
  group), and the ``grace`` after any SIGTERM (then SIGKILL to the group);
- :func:`forwarding`: while the main thread waits for a child, SIGTERM, SIGHUP and SIGINT
  sent to this process go to the child's group (a second one kills it at once);
- once the child has exited, whatever is left of its group is killed.

:func:`run_child` does all of it for one command; :mod:`scheduler.runner` runs crawls
with it, :mod:`scheduler.schedule` keeps the :class:`Child` of each running crawl to stop it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

logger = logging.getLogger(__name__)

GRACE_SECONDS = 30.0
TAIL_LINES = 40
FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
PARENT_PID_ENV = "PROVNEWS_PARENT_PID"  # read by crawler.process.die_with_parent
ERROR_GRACE = 10.0  # when the waiting itself fails (Ctrl-C without forwarding): the child's grace, at most
LEFTOVER_WAIT = 2.0  # after the child exits, how long the rest of its group gets to follow it
TICK = 0.1


@dataclass(frozen=True)
class ChildResult:
    """How a child ended."""

    pid: int  # also its process group id
    returncode: int  # negative: the signal that killed it
    seconds: float
    timed_out: bool  # its hard timeout fired
    stopped: bool  # it was asked to stop (timeout, stop(), a forwarded signal)
    killed: bool  # it was killed (SIGKILL) after its grace, or at once
    forwarded: int  # the signal this process received and passed on to it (0: none)
    tail: tuple[str, ...]  # the last lines of its stderr


class Child:
    """One child process in its own session; see the module docstring.

    ::

        with Child([sys.executable, "-m", "crawler.process", ...], timeout=1800) as child:
            for line in child.lines():
                ...
        result = child.result
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        timeout: float | None = None,
        grace: float = GRACE_SECONDS,
        tail_lines: int = TAIL_LINES,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.command = list(command)
        self.timeout = timeout
        self.grace = grace
        self.env = env
        self.cwd = cwd
        self.process: subprocess.Popen[str] | None = None
        self.tail: deque[str] = deque(maxlen=tail_lines)
        self.timed_out = self.stopped = self.killed = False
        self.forwarded = 0
        self.result: ChildResult | None = None
        self._started = 0.0
        self._deadline: float | None = None
        self._kill_at: float | None = None
        self._pending: signal.Signals | None = None  # asked to stop before it started
        self._done = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> Child:
        env = {**(self.env if self.env is not None else os.environ), PARENT_PID_ENV: str(os.getpid())}
        self.process = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
            cwd=self.cwd,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self._started = time.monotonic()
        if self.timeout:
            self._deadline = self._started + self.timeout
        self._threads = [
            threading.Thread(target=self._read_stderr, name=f"child-{self.process.pid}-stderr", daemon=True),
            threading.Thread(target=self._watch, name=f"child-{self.process.pid}-watchdog", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        if self._pending is not None:
            self.stop(self._pending)
        return self

    # -- signals (safe from a signal handler: no lock, no thread started) -------------

    def send(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the child's process group; a group already gone is fine."""
        if self.process is not None:
            signal_group(self.process.pid, sig)

    def stop(self, sig: signal.Signals = signal.SIGTERM, grace: float | None = None) -> None:
        """Ask the child to stop (``sig`` to its group); SIGKILL the group if it is still
        there ``grace`` seconds later (default: the child's own grace)."""
        self.stopped = True
        if self.process is None:
            self._pending = sig
            return
        kill_at = time.monotonic() + (self.grace if grace is None else grace)
        if self._kill_at is None or kill_at < self._kill_at:
            self._kill_at = kill_at
        self.send(sig)

    def kill(self) -> None:
        """SIGKILL the child's process group now."""
        self.stopped = self.killed = True
        if self.process is None:
            self._pending = signal.SIGKILL
            return
        self.send(signal.SIGKILL)

    # -- output and end ------------------------------------------------------------

    def lines(self) -> Iterator[str]:
        """The child's stdout, line by line, until it closes it (usually: until it exits)."""
        assert self.process is not None and self.process.stdout is not None, "start() the child first"
        # not ``yield from``: closing this generator (a caller stopping early) must not close the pipe
        for line in self.process.stdout:  # noqa: UP028
            yield line

    def wait(self) -> ChildResult:
        """Wait for the child to exit (its stdout is drained and dropped), end what is left of
        its group, and say how it ended."""
        assert self.process is not None, "start() the child first"
        if self.result is not None:
            return self.result
        if self.process.stdout is not None:
            for _ in self.process.stdout:
                pass
        self.process.wait()
        seconds = time.monotonic() - self._started
        end_group(self.process.pid)  # what it left running may hold its stderr: before reading that to its end
        self._done.set()
        for thread in self._threads:
            thread.join(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        self.result = ChildResult(
            self.process.pid,
            self.process.returncode,
            seconds,
            self.timed_out,
            self.stopped,
            self.killed,
            self.forwarded,
            tuple(self.tail),
        )
        return self.result

    def __enter__(self) -> Child:
        return self if self.process is not None else self.start()

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        """Wait for the child; if the block raised (Ctrl-C), ask it to stop first, with a short
        grace, and kill it if the wait is cut short too."""
        if self.process is None:
            return
        if exc_type is not None and self.process.poll() is None:
            logger.warning("stopping child process %d: %s", self.process.pid, exc_type.__name__)
            self.stop(grace=min(self.grace, ERROR_GRACE))
        try:
            self.wait()
        except BaseException:
            self.kill()
            self.process.wait()
            raise

    def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        with contextlib.suppress(ValueError, OSError):  # closed under us at the end
            for line in self.process.stderr:
                self.tail.append(line.rstrip())

    def _watch(self) -> None:
        """The deadlines: the hard timeout (SIGTERM), then the grace after a stop (SIGKILL);
        once the child has exited, the end of what it left running (which may hold its pipes)."""
        assert self.process is not None
        pid = self.process.pid
        while not self._done.wait(TICK):
            if self.process.poll() is not None:
                end_group(pid)
                return
            now = time.monotonic()
            if self._deadline is not None and now >= self._deadline and not self.timed_out:
                self.timed_out = True
                logger.warning("child process %d reached its timeout of %g s: stopping it", pid, self.timeout)
                self.stop()
            if self._kill_at is not None and now >= self._kill_at and not self.killed:
                logger.warning("child process %d did not stop within its grace: killing its group", pid)
                self.kill()


def run_child(
    command: Sequence[str],
    *,
    on_line: Callable[[str], None] | None = None,
    on_start: Callable[[Child], None] | None = None,
    timeout: float | None = None,
    grace: float = GRACE_SECONDS,
    forward_signals: bool = False,
    env: Mapping[str, str] | None = None,
) -> ChildResult:
    """Run ``command`` as a :class:`Child` to its end: each stdout line to ``on_line``, the
    child to ``on_start`` once started; with ``forward_signals`` (main thread only), this
    process's SIGTERM, SIGHUP and SIGINT go to the child meanwhile."""
    child = Child(command, timeout=timeout, grace=grace, env=env)
    with forwarding(child) if forward_signals else contextlib.nullcontext(), child:
        if on_start is not None:
            on_start(child)
        for line in child.lines():
            if on_line is not None:
                on_line(line)
    return child.wait()


@contextlib.contextmanager
def forwarding(child: Child, signals: Sequence[signal.Signals] = FORWARDED) -> Iterator[Child]:
    """While in the block, the first of ``signals`` this process receives is passed on to the
    child's group (with the child's grace before SIGKILL), a second one kills it at once.
    Only the main thread receives signals: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield child
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        if child.forwarded:
            child.kill()
        else:
            child.forwarded = signum
            child.stop(signal.Signals(signum))

    previous = {sig: signal.signal(sig, handle) for sig in signals}
    try:
        yield child
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# -- processes by id -------------------------------------------------------------------


def pid_alive(pid: int | None) -> bool:
    """Whether a process ``pid`` exists (on this machine)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_group(pgid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to the process group ``pgid``; a group already gone is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def group_members(pgid: int) -> list[int]:
    """The live (not zombie) processes of group ``pgid`` (Linux: from /proc; elsewhere the
    group id itself while the group exists)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    members = []
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def end_group(pgid: int, wait: float = LEFTOVER_WAIT) -> list[int]:
    """Once a group's leader has exited: give the rest of the group ``wait`` seconds to follow
    it, then SIGKILL what is left. The pids that had to be killed."""
    deadline = time.monotonic() + wait
    while (left := group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(TICK)
    if left:
        logger.warning("process group %d outlived its leader (%s): killing it", pgid, ", ".join(map(str, left)))
        signal_group(pgid, signal.SIGKILL)
    return left
