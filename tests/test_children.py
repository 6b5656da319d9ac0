"""scheduler/children.py: child processes in their own session, a hard timeout, signals passed
on, nothing left behind, and no child outliving its parent (real processes, a few seconds)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.children import PARENT_PID_ENV, Child, group_members, pid_alive, run_child

PROJECT = Path(__file__).parent.parent

# A child that says it is ready, then sleeps; on a stop signal it says so and, unless
# "stubborn", exits 0 ("deaf": it ignores them altogether).
SLEEPER = textwrap.dedent(
    """
    import signal, sys, time
    mode = sys.argv[1] if len(sys.argv) > 1 else "polite"
    def on_signal(signum, frame):
        print("got", signal.Signals(signum).name, flush=True)
        if mode == "polite":
            sys.exit(0)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN if mode == "deaf" else on_signal)
    print("ready", flush=True)
    print("a line of log", file=sys.stderr, flush=True)
    for _ in range(600):
        time.sleep(0.1)
    """
)

# This process, as provnews crawl is: runs one child with its signals passed on, echoes the
# child's lines and then how the child ended, as JSON.
WRAPPER = textwrap.dedent(
    """
    import json, sys
    from scheduler.children import run_child
    grace, command = float(sys.argv[1]), sys.argv[2:]
    result = run_child(
        command, on_line=lambda line: print(line, end="", flush=True), forward_signals=True, grace=grace
    )
    print(json.dumps({"returncode": result.returncode, "forwarded": result.forwarded, "killed": result.killed}))
    """
)


def sleeper(mode: str = "polite") -> list[str]:
    return [sys.executable, "-c", SLEEPER, mode]


@pytest.fixture
def wrappers() -> Iterator[list[subprocess.Popen[str]]]:
    """Wrapper processes started by a test; at the end, they and their groups are gone."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()
        if process.stdout:
            process.stdout.close()


def start_wrapper(
    started: list[subprocess.Popen[str]], command: list[str], grace: float = 30.0
) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, str(grace), *command],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        cwd=PROJECT,
        text=True,
        start_new_session=True,
    )
    started.append(process)
    return process


def read_until(process: subprocess.Popen[str], wanted: str) -> list[str]:
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.strip())
        if line.strip().startswith(wanted):
            return lines
    raise AssertionError(f"no line {wanted!r} in {lines}")


def gone(pid: int, within: float) -> bool:
    """True once ``pid`` has ended (a zombie waiting for its parent has)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_a_child_runs_in_its_own_session_and_its_output_is_collected() -> None:
    script = (
        "import os, sys; print(os.getpid(), os.getpgid(0), os.getsid(0), os.environ['" + PARENT_PID_ENV + "']); "
        "print('log line', file=sys.stderr); sys.exit(3)"
    )
    lines: list[str] = []
    result = run_child([sys.executable, "-c", script], on_line=lines.append, timeout=30)
    pid, pgid, sid, parent = (int(n) for n in lines[0].split())
    assert pid == pgid == sid == result.pid  # a session and process group of its own
    assert parent == os.getpid()
    assert result.returncode == 3 and result.tail == ("log line",)
    assert not (result.timed_out or result.stopped or result.killed or result.forwarded)


def test_the_hard_timeout_asks_the_child_to_stop() -> None:
    lines: list[str] = []
    result = run_child(sleeper(), on_line=lines.append, timeout=1.0, grace=10)
    assert lines == ["ready\n", "got SIGTERM\n"]
    assert (result.returncode, result.timed_out, result.stopped, result.killed) == (0, True, True, False)
    assert 1.0 <= result.seconds < 5


def test_a_child_deaf_to_sigterm_is_killed_after_its_grace() -> None:
    result = run_child(sleeper("deaf"), timeout=0.5, grace=1.0)
    assert (result.returncode, result.timed_out, result.killed) == (-signal.SIGKILL, True, True)
    assert 1.5 <= result.seconds < 6


def test_stop_and_kill_reach_the_whole_group() -> None:
    script = "import subprocess, time; p = subprocess.Popen(['sleep', '60']); print(p.pid, flush=True); time.sleep(60)"
    with Child([sys.executable, "-c", script], grace=5) as child:
        grandchild = int(next(child.lines()))
        child.kill()
    assert child.result is not None and child.result.returncode == -signal.SIGKILL and child.result.killed
    assert gone(grandchild, 5), "the signal went to the child alone"


def test_what_a_child_leaves_behind_in_its_group_is_ended_with_it() -> None:
    script = "import subprocess; p = subprocess.Popen(['sleep', '60']); print(p.pid, flush=True)"
    lines: list[str] = []
    result = run_child([sys.executable, "-c", script], on_line=lines.append, timeout=30)
    assert result.returncode == 0
    assert gone(int(lines[0]), 5)
    assert group_members(result.pid) == []


def test_an_error_while_waiting_stops_the_child_before_it_propagates() -> None:
    child = Child(sleeper(), grace=5)
    with pytest.raises(KeyboardInterrupt), child:
        assert next(child.lines()) == "ready\n"
        raise KeyboardInterrupt
    assert child.result is not None
    assert (child.result.returncode, child.result.stopped, child.result.killed) == (0, True, False)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_signals_to_this_process_are_passed_on_to_the_child(
    wrappers: list[subprocess.Popen[str]], sig: signal.Signals
) -> None:
    wrapper = start_wrapper(wrappers, sleeper())
    read_until(wrapper, "ready")
    wrapper.send_signal(sig)
    lines = read_until(wrapper, "{")
    assert lines[0] == f"got {sig.name}"
    assert json.loads(lines[-1]) == {"returncode": 0, "forwarded": sig, "killed": False}
    assert wrapper.wait(timeout=10) == 0


def test_a_second_signal_kills_the_child_at_once(wrappers: list[subprocess.Popen[str]]) -> None:
    wrapper = start_wrapper(wrappers, sleeper("stubborn"), grace=120)
    read_until(wrapper, "ready")
    wrapper.send_signal(signal.SIGTERM)
    read_until(wrapper, "got SIGTERM")
    began = time.monotonic()
    wrapper.send_signal(signal.SIGINT)
    (ended,) = read_until(wrapper, "{")
    assert json.loads(ended) == {"returncode": -signal.SIGKILL, "forwarded": signal.SIGTERM, "killed": True}
    assert time.monotonic() - began < 5


ORPHAN = textwrap.dedent(
    """
    import os, signal, sys, time
    from crawler.process import die_with_parent
    assert die_with_parent()
    def on_signal(signum, frame):
        with open(sys.argv[1], "w") as marker:
            marker.write(signal.Signals(signum).name)
        sys.exit(0)
    signal.signal(signal.SIGTERM, on_signal)
    print("ready", os.getpid(), flush=True)
    time.sleep(60)
    """
)


def test_a_child_ends_when_its_parent_is_killed(wrappers: list[subprocess.Popen[str]], tmp_path: Path) -> None:
    marker = tmp_path / "signal"
    wrapper = start_wrapper(wrappers, [sys.executable, "-c", ORPHAN, str(marker)])
    (ready,) = read_until(wrapper, "ready")
    child = int(ready.split()[1])
    wrapper.kill()  # SIGKILL: it passes nothing on
    wrapper.wait()
    assert gone(child, 5), "the child outlived its parent"
    assert marker.read_text() == "SIGTERM"


def test_a_child_whose_parent_is_already_gone_does_not_run() -> None:
    check = "import os; from crawler.process import die_with_parent; print(die_with_parent(), os.environ.get('{}'))"
    script = check.format(PARENT_PID_ENV)
    env = {**os.environ, PARENT_PID_ENV: str(2**22 + 1)}  # not its parent: "the parent died before it asked"
    orphaned = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert orphaned.stdout.split() == ["False", "None"]  # and the variable is not passed on to its own children
    env[PARENT_PID_ENV] = str(os.getpid())
    adopted = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert adopted.stdout.split() == ["True", "None"]


def test_pid_alive() -> None:
    assert pid_alive(os.getpid())
    assert not pid_alive(None) and not pid_alive(0)
    ended = subprocess.Popen(["true"])
    ended.wait()
    assert not pid_alive(ended.pid)
