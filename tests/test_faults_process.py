"""Nothing lost: kill -9 at random points, SIGTERM, a locked database, a full disk (RELIABILITY.md P1–P4).

Every crawl is the real ``python -m crawler.process`` against a slow fault site on
127.0.0.1; after each fault the archive passes ``PRAGMA integrity_check`` and the FTS5
integrity-check, and a normal run completes the work with nothing lost or duplicated.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faultserver import PARAGRAPH, FaultSite, figure, page_limit_overrides, write_seed

from scheduler.runner import child_command, run_crawl
from storage.archive import Archive

pytestmark = pytest.mark.slow

TESTS = Path(__file__).parent
ARTICLES = 24
KILLS = 20
FAST = {"DOWNLOAD_TIMEOUT": "5", "RETRY_TIMES": "1", "LOG_LEVEL": "WARNING"}


def gold(site: FaultSite) -> dict[str, str]:
    return {f"{site.url}/bai-{n}.html": f"Hội nghị sơ kết công tác dân vận số {n}" for n in site.links}


def archived(db: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("select url, title, text from articles order by url").fetchall()
    finally:
        conn.close()


def assert_consistent(db: Path, site: FaultSite) -> int:
    """Integrity checks pass; every row is whole and right; no URL twice. The number of rows."""
    with Archive(db) as archive:
        assert archive.integrity_check() == []
    expected = gold(site)
    rows = archived(db)
    assert len({url for url, _, _ in rows}) == len(rows)
    for url, title, text in rows:
        assert title == expected[url], url
        assert PARAGRAPH.format(n=int(url.rsplit("-", 1)[1][:-5]))[:60] in text, url
    return len(rows)


def group_empty(pgid: int, within: float = 10.0) -> bool:
    """True once no process of the group is left (the crawl's extraction workers included)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def start(site_id: str | list[str], seeds: Path, db: Path, overrides: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        child_command(site_id, seeds, db, overrides),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_kill_9_at_random_points_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(8)
    db = tmp_path / "archive.db"
    with FaultSite("127.0.0.1", links=tuple(range(1, ARTICLES + 1))) as site:
        site.delay = 0.08
        seeds = write_seed(tmp_path / "seeds", site.url)
        partial_states = 0
        for kill in range(KILLS):
            child = start("site", seeds, db, FAST)
            assert child.stdout is not None
            # every fourth kill at a random moment from the start (even before the first
            # article); the others after a random number of articles, however slow the machine
            if kill % 4:
                wanted, saved = rng.randint(1, ARTICLES - 2), 0
                for line in child.stdout:
                    saved += json.loads(line).get("event") == "article"
                    if saved >= wanted:
                        break
            time.sleep(rng.uniform(0.0, 0.3) if kill % 4 else rng.uniform(0.2, 3.0))
            with contextlib.suppress(ProcessLookupError):  # a run with nothing left to do may be over
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            if child.stdout:
                child.stdout.close()
            if db.exists():
                partial_states += 0 < assert_consistent(db, site) < ARTICLES
        assert partial_states > 0, "no kill landed mid-crawl"
        report = run_crawl("site", seeds=seeds, db=db, overrides=FAST, timeout=120)
        assert report.ok, report.log_tail
        assert assert_consistent(db, site) == ARTICLES
        figure("kills survived", KILLS)


def test_sigterm_stops_a_crawl_within_10_s_with_no_partial_rows(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with FaultSite("127.0.0.1", links=tuple(range(1, 41))) as site:
        site.delay = 0.4
        seeds = write_seed(tmp_path / "seeds", site.url)
        child = start("site", seeds, db, FAST)
        assert child.stdout is not None
        for line in child.stdout:
            if json.loads(line).get("outcome") == "new":
                break
        stopped = time.monotonic()
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=40)
        seconds = time.monotonic() - stopped
        child.stdout.close()
        assert seconds <= 10
        figure("seconds to stop on SIGTERM", round(seconds, 1))
        saved = assert_consistent(db, site)
        assert 0 < saved < 40
    assert group_empty(child.pid)  # its extraction workers ended with it
    with Archive(db) as archive:
        (outcome, errors) = archive.db.execute("select outcome, errors from crawls").fetchone()
    assert (outcome, child.returncode) == ("interrupted", 0), errors  # a stop asked for is a clean end


def test_sigterm_stops_every_site_of_a_crawl_process(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with FaultSite("127.0.0.1", links=tuple(range(1, 41))) as one, FaultSite("127.0.0.1", links=(1, 2, 3)) as two:
        one.delay = two.delay = 0.4
        write_seed(tmp_path / "seeds", one.url, "one")
        seeds = write_seed(tmp_path / "seeds", two.url, "two")
        child = start(["one", "two"], seeds, db, FAST)
        assert child.stdout is not None
        for line in child.stdout:
            if json.loads(line).get("outcome") == "new":
                break
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=40)
        child.stdout.close()
    assert group_empty(child.pid)
    with Archive(db) as archive:
        assert archive.integrity_check() == []
        outcomes = archive.db.execute("select site, outcome from crawls order by site").fetchall()
    assert child.returncode == 0
    assert outcomes == [("one", "interrupted"), ("two", "interrupted")] or outcomes == [
        ("one", "interrupted"),
        ("two", "ok"),  # the small site may have finished before the signal
    ]


LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
conn.close()
"""


def test_a_database_locked_for_10_s_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    Archive(db).close()
    with FaultSite("127.0.0.1", links=tuple(range(1, 11))) as site:
        seeds = write_seed(tmp_path / "seeds", site.url)
        locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(db), "10"], stdout=subprocess.PIPE, text=True)
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        began = time.monotonic()
        report = run_crawl("site", seeds=seeds, db=db, overrides=FAST, timeout=120)
        locker.wait(timeout=30)
        locker.stdout.close()
        assert report.ok, report.log_tail
        assert time.monotonic() - began >= 9  # the crawl really waited for the lock
        assert assert_consistent(db, site) == 10


def test_a_full_disk_fails_the_crawl_cleanly_and_the_next_run_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    db = tmp_path / "archive.db"
    with FaultSite("127.0.0.1", links=tuple(range(1, 16))) as site:
        seeds = write_seed(tmp_path / "seeds", site.url)
        full = run_crawl("site", seeds=seeds, db=db, overrides={**FAST, **page_limit_overrides(6)}, timeout=120)
        assert full.outcome == "failed", full.log_tail
        saved = assert_consistent(db, site)
        assert saved < 15
        with Archive(db) as archive:
            (errors,) = archive.db.execute("select errors from crawls order by id desc").fetchone()
        assert "disk is full" in errors or "disk_full" in errors, errors
        again = run_crawl("site", seeds=seeds, db=db, overrides=FAST, timeout=120)
        assert again.ok, again.log_tail
        assert assert_consistent(db, site) == 15
