"""The crawl processes as the scheduler sees them: alive or not, signalled by process group.

Every crawl is the leader of its own process group (``start_new_session``), so its pid is
also its group id, and a signal to the group reaches whatever it started.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path


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


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to the process group led by ``pid``; a group already gone is fine."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def thread_children(thread_id: int) -> list[int]:
    """The processes a thread of this process started (Linux); [] where /proc cannot tell."""
    try:
        text = Path(f"/proc/self/task/{thread_id}/children").read_text(encoding="ascii")
    except OSError:
        return []
    return [int(pid) for pid in text.split() if pid.isdigit()]
