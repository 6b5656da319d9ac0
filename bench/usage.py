"""What a command costs on this machine: wall time, CPU per core, peak memory of its process tree.

    usage = run_measured(["provnews", "crawl", "--all"], log=Path("crawl.log"))
    usage.seconds, usage.peak_rss, usage.cores, usage.cpu_seconds

The command runs as a child; a thread samples its whole process tree (the child and
every descendant, found by parent pid in /proc, looked for every half second) every
``interval`` seconds and keeps the largest sum of their resident sets (VmRSS). CPU per
core comes from /proc/stat before and after (the whole machine, so anything else running
shows too). ``cpu_seconds`` is the user + system time of the command's tree: the larger
of ``getrusage(RUSAGE_CHILDREN)`` (exact, but only for processes their parent waited
for) and the sum of the last utime + stime sampled of each process of the tree (misses
at most one interval of each); ``sampler_cpu`` is what the sampling itself cost.
"""

from __future__ import annotations

import os
import platform
import resource
import signal
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CoreUse:
    """One core over a run: the share of its time in user and in system mode."""

    name: str
    user: float  # 0..1, user + nice
    system: float  # 0..1, system + irq + softirq

    @property
    def busy(self) -> float:
        return self.user + self.system


@dataclass(frozen=True)
class Usage:
    returncode: int
    seconds: float
    peak_rss: int  # bytes: the largest sum of VmRSS over the tree at one sample
    max_processes: int  # the most processes of the tree alive at one sample
    cpu_seconds: float  # user + system of the tree
    cores: tuple[CoreUse, ...]
    samples: int
    timed_out: bool = False  # stopped after ``timeout`` seconds (the whole tree)
    sampler_cpu: float = 0.0  # CPU seconds of the sampling thread, in this process
    processes: tuple[ProcessUse, ...] = ()  # each process of the tree, most CPU first


@dataclass(frozen=True)
class ProcessUse:
    """One process of a measured tree: its command, CPU seconds (user + system) and peak RSS."""

    name: str
    cpu_seconds: float
    peak_rss: int


class _Sampler(threading.Thread):
    """Samples a process tree until told to stop: peak summed RSS, most processes, CPU per process."""

    def __init__(self, root: int, interval: float) -> None:
        super().__init__(name="tree-sampler", daemon=True)
        self.root, self.interval = root, interval
        self.done = threading.Event()
        self.peak_rss = self.most_processes = self.samples = 0
        self.cpu: dict[int, int] = {}  # pid -> utime + stime in clock ticks, last seen
        self.rss: dict[int, int] = {}  # pid -> peak resident bytes
        self.names: dict[int, str] = {}
        self.own_cpu = 0.0

    def run(self) -> None:
        members, rescan = [self.root], 0.0
        while not self.done.is_set():
            if time.monotonic() >= rescan:
                members, rescan = _tree(self.root), time.monotonic() + 0.5
            rss = count = 0
            for pid in members:
                try:
                    with open(f"/proc/{pid}/statm", "rb") as statm, open(f"/proc/{pid}/stat", "rb") as stat:
                        pages = int(statm.read().split()[1])
                        fields = stat.read().rsplit(b")", 1)[1].split()
                except (OSError, ValueError, IndexError):
                    continue  # ended since the scan
                rss += pages * PAGE_SIZE
                count += 1
                self.cpu[pid] = int(fields[11]) + int(fields[12])
                self.rss[pid] = max(self.rss.get(pid, 0), pages * PAGE_SIZE)
                if pid not in self.names:
                    self.names[pid] = _name(pid)
            self.peak_rss, self.most_processes = max(self.peak_rss, rss), max(self.most_processes, count)
            self.samples += 1
            self.done.wait(self.interval)
        self.own_cpu = time.thread_time()

    def processes(self) -> tuple[ProcessUse, ...]:
        found = [ProcessUse(self.names[pid], ticks / CLOCK_TICKS, self.rss[pid]) for pid, ticks in self.cpu.items()]
        return tuple(sorted(found, key=lambda p: -p.cpu_seconds))


def _name(pid: int) -> str:
    """``provnews crawl``, ``extraction worker``: the program (the module run with ``-m``) and its verb."""
    try:
        argv = [a for a in Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0") if a]
    except OSError:
        return str(pid)
    if "-m" in argv[:-1]:
        return argv[argv.index("-m") + 1]
    script = next((a for a in argv if a.startswith("from multiprocessing.")), "")
    if script:  # a spawned extraction worker, or multiprocessing's resource tracker
        return "resource tracker" if "resource_tracker" in script else "extraction worker"
    words = [Path(a).name for a in argv[:3]]
    return " ".join(words[1:] if words and words[0].startswith("python") else words[:2])


def run_measured(
    command: Sequence[str],
    *,
    log: Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    interval: float = 0.05,
    timeout: float | None = None,
) -> Usage:
    """Run ``command`` to its end (stdout and stderr to ``log``) and measure it; after
    ``timeout`` seconds every process of its tree gets SIGTERM, then SIGKILL 15 s later."""
    before_cores = core_times()
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("wb") as out:
        started = time.monotonic()
        child = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd, env=env
        )
        sampler = _Sampler(child.pid, interval)
        sampler.start()
        timed_out = False
        try:
            returncode = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            returncode = _stop_tree(child)
        except BaseException:
            _stop_tree(child)
            raise
        finally:
            seconds = time.monotonic() - started
            sampler.done.set()
            sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited = (after.ru_utime - before_children.ru_utime) + (after.ru_stime - before_children.ru_stime)
    sampled = sum(sampler.cpu.values()) / CLOCK_TICKS
    return Usage(
        returncode,
        seconds,
        sampler.peak_rss,
        sampler.most_processes,
        max(waited, sampled),
        core_use(before_cores, core_times()),
        sampler.samples,
        timed_out,
        sampler.own_cpu,
        sampler.processes(),
    )


def _stop_tree(child: subprocess.Popen[bytes]) -> int:
    """SIGTERM every process of the child's tree, SIGKILL what is left after 15 s; its exit status."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in _tree(child.pid):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        try:
            return child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            continue
    return child.wait()


def _tree(root: int) -> list[int]:
    """``root`` and all its descendants (by parent pid), parents first."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                ppid = int(stat.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children[ppid].append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop(0)
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def core_times() -> dict[str, list[int]]:
    times = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *values = line.split()
        if name.startswith("cpu") and name != "cpu":
            times[name] = [int(v) for v in values[:8]]
    return times


def core_use(before: dict[str, list[int]], after: dict[str, list[int]]) -> tuple[CoreUse, ...]:
    cores = []
    for name in sorted(after, key=lambda n: int(n[3:])):
        delta = [a - b for a, b in zip(after[name], before.get(name, after[name]), strict=True)]
        user, nice, system, _idle, _iowait, irq, softirq, steal = delta
        total = sum(delta) or 1
        cores.append(CoreUse(name, (user + nice) / total, (system + irq + softirq + steal) / total))
    return tuple(cores)


def machine() -> str:
    """CPU model, cores, memory, Python and OS, on one line."""
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) * 1024
    system = platform.freedesktop_os_release().get("PRETTY_NAME", platform.system())
    return (
        f"{model}, {os.cpu_count()} cores, {memory / 2**30:.1f} GiB RAM, Python {platform.python_version()}, "
        f"{system}, Linux {platform.release()}"
    )
