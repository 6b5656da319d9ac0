"""Stopping at the default politeness: SIGTERM, SIGHUP, Ctrl-C or the death of the parent stop a
crawl within seconds, however long its delay, and nothing of provnews is left running.

Each test crawls the agency portal of the template zoo on 127.0.0.1 with a delay of 2 s and
AutoThrottle on (its start delay is the project's 3 s), and stops it once a few of its
articles are archived: the real crawl process, the real ``provnews crawl`` and
``provnews schedule`` commands. The crawl's ``crawls`` row must be closed ``interrupted``
with the counts of what it wrote.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

import pytest
from zoo import FixtureWeb, fixture_sites, vietnam_today, write_minimal_seeds

from scheduler.children import group_members, pid_alive
from scheduler.runner import child_command, run_crawl

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).parent.parent
SITE = "agency"
STOP_WITHIN = 10.0


@pytest.fixture(scope="module")
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb(fixture_sites(vietnam_today())) as served:
        yield served


@pytest.fixture
def polite_seeds(tmp_path: Path, web: FixtureWeb) -> Path:
    """The agency portal's seed, at a delay of 2 s with AutoThrottle on."""
    site = web.sites[SITE]
    folder = write_minimal_seeds(tmp_path / "seeds", {SITE: web.url(SITE, site.home_path)}, {SITE: site.name})
    seed = folder / f"{SITE}.toml"
    text = seed.read_text(encoding="utf-8").replace("download_delay = 0.0", "download_delay = 2.0")
    seed.write_text(text.replace("autothrottle = false", "autothrottle = true"), encoding="utf-8")
    return folder


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts (each in its own process group); at the end each group is gone."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


def spawn(started: list[subprocess.Popen[str]], command: list[str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        command,
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    started.append(process)
    return process


def crawl_rows(db: Path) -> list[dict[str, Any]]:
    if not db.exists():
        return []
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in conn.execute("SELECT * FROM crawls ORDER BY id")]
        except sqlite3.OperationalError:
            return []


def articles(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM articles WHERE site = ?", [SITE]).fetchone()[0])


def wait_for(what: str, check: Any, timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    raise AssertionError(f"after {timeout:g} s still waiting for: {what}")


def nothing_left(pids: list[int], within: float = STOP_WITHIN) -> bool:
    """True once none of ``pids`` runs, nor any process of their groups (a crawl process leads
    its group: its extraction workers are in it)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(pid_alive(pid) and not _zombie(pid) for pid in pids) and not any(map(group_members, pids)):
            return True
        time.sleep(0.1)
    return False


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def assert_closed_with_counts(db: Path) -> dict[str, Any]:
    """The crawl's row is closed ``interrupted`` and counts the articles it archived."""
    (row,) = crawl_rows(db)
    assert row["outcome"] == "interrupted" and row["finished"], row
    assert row["articles_new"] == articles(db) > 0, row
    assert row["pages_fetched"] > row["articles_new"], row
    return row


def test_sigterm_stops_a_polite_crawl_within_10_s_and_the_next_run_resumes(
    web: FixtureWeb, polite_seeds: Path, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    db = tmp_path / "archive.db"
    server = web.servers[SITE]
    server.requests.clear()
    crawl = spawn(processes, child_command(SITE, polite_seeds, db, {}))
    assert crawl.stdout is not None
    saved = 0
    for line in crawl.stdout:
        saved += json.loads(line).get("event") == "article"
        if saved == 1:
            break
    asked = len(server.requests)
    began = time.monotonic()
    crawl.send_signal(signal.SIGTERM)
    rest = [json.loads(line) for line in crawl.stdout]
    assert crawl.wait(timeout=30) == 0
    seconds = time.monotonic() - began
    print(f"stopped in {seconds:.2f} s")
    assert seconds <= STOP_WITHIN, f"stopped in {seconds:.1f} s"
    assert len(server.requests) - asked <= 1, "downloads went on after SIGTERM"  # at most the one in flight
    assert {"event": "stopping", "signal": "SIGTERM"} in rest
    assert_closed_with_counts(db)
    assert nothing_left([crawl.pid])

    # the next run (no delay) archives the rest, fetching no article page twice
    fast = (polite_seeds / f"{SITE}.toml").read_text(encoding="utf-8").replace("2.0", "0.0")
    (polite_seeds / f"{SITE}.toml").write_text(fast.replace("autothrottle = true", "autothrottle = false"))
    report = run_crawl(SITE, seeds=polite_seeds, db=db, timeout=120)
    assert report.ok, report.log_tail
    gold = {article.path for article in web.sites[SITE].gold(1)}
    fetched = Counter(record.path for record in server.requests if record.path in gold)
    assert articles(db) == len(gold) and set(fetched) == gold
    assert max(fetched.values()) == 1, [path for path, count in fetched.items() if count > 1]


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGINT], ids=["SIGHUP", "SIGINT"])
def test_sighup_and_ctrl_c_stop_a_crawl_process_as_sigterm_does(
    polite_seeds: Path, tmp_path: Path, processes: list[subprocess.Popen[str]], sig: signal.Signals
) -> None:
    db = tmp_path / "archive.db"
    crawl = spawn(processes, child_command(SITE, polite_seeds, db, {}))
    assert crawl.stdout is not None
    for line in crawl.stdout:
        if json.loads(line).get("event") == "start":
            break
    crawl.send_signal(sig)
    rest = [json.loads(line) for line in crawl.stdout]
    assert crawl.wait(timeout=STOP_WITHIN) == 0
    assert {"event": "stopping", "signal": sig.name} in rest
    assert nothing_left([crawl.pid])
    (row,) = crawl_rows(db)
    assert row["outcome"] == "interrupted" and row["finished"], row


def test_sigterm_to_provnews_crawl_stops_its_crawl_and_leaves_nothing_running(
    polite_seeds: Path, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    sig = signal.SIGTERM
    db = tmp_path / "archive.db"
    command = [sys.executable, "-m", "scheduler.cli", "crawl", SITE, "--seeds", str(polite_seeds), "--db", str(db)]
    cli = spawn(processes, command)
    assert cli.stdout is not None
    for line in cli.stdout:
        if line.startswith("  new "):
            break
    crawl_pid = crawl_rows(db)[0]["pid"]
    began = time.monotonic()
    cli.send_signal(sig)
    output = cli.stdout.read()
    assert cli.wait(timeout=30) == 128 + sig
    seconds = time.monotonic() - began
    print(f"stopped in {seconds:.2f} s")
    assert seconds <= STOP_WITHIN, f"stopped in {seconds:.1f} s"
    assert nothing_left([cli.pid, crawl_pid])
    row = assert_closed_with_counts(db)
    assert f"{SITE}: interrupted in" in output and f"{row['articles_new']} new" in output, output


def test_a_crawl_ends_when_provnews_crawl_is_killed(
    polite_seeds: Path, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    db = tmp_path / "archive.db"
    command = [sys.executable, "-m", "scheduler.cli", "crawl", SITE, "--seeds", str(polite_seeds), "--db", str(db)]
    cli = spawn(processes, command)
    assert cli.stdout is not None
    for line in cli.stdout:
        if line.startswith("  new "):
            break
    crawl_pid = crawl_rows(db)[0]["pid"]
    began = time.monotonic()
    cli.kill()  # SIGKILL: nothing passed on; the kernel tells the crawl its parent is gone
    cli.wait()
    assert nothing_left([crawl_pid]), "the crawl outlived provnews crawl"
    print(f"ended in {time.monotonic() - began:.2f} s")
    assert_closed_with_counts(db)  # closed by the crawl itself: nobody else was left to


def test_sigterm_to_provnews_schedule_stops_a_polite_crawl_within_10_s(
    polite_seeds: Path, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    db = tmp_path / "archive.db"
    with (polite_seeds / f"{SITE}.toml").open("a", encoding="utf-8") as seed:
        seed.write('every = "1h"\n')
    command = [sys.executable, "-m", "scheduler.cli", "schedule", "--jitter", "0"]
    scheduler = spawn(processes, [*command, "--seeds", str(polite_seeds), "--db", str(db)])
    wait_for("an article archived", lambda: crawl_rows(db) and articles(db) >= 1)
    crawl_pid = crawl_rows(db)[0]["pid"]
    began = time.monotonic()
    scheduler.send_signal(signal.SIGTERM)
    assert scheduler.wait(timeout=30) == 0
    seconds = time.monotonic() - began
    print(f"stopped in {seconds:.2f} s")
    assert seconds <= STOP_WITHIN, f"stopped in {seconds:.1f} s"
    assert nothing_left([scheduler.pid, crawl_pid])
    row = assert_closed_with_counts(db)
    assert row["exit_code"] == 0 and row["seconds"] > 0, row


def test_a_crawl_stopped_by_its_hard_timeout_is_recorded_timeout_not_interrupted(
    polite_seeds: Path, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    report = run_crawl(SITE, seeds=polite_seeds, db=db, timeout=8)
    assert report.outcome == "timeout" and report.exit_code == 0, report.log_tail
    assert report.seconds < 8 + STOP_WITHIN
    (row,) = crawl_rows(db)
    assert row["outcome"] == "timeout" and row["finished"] and row["articles_new"] == articles(db), row
