"""Run the fault matrix and the crash loop; print one table: each row, pass or fail, and the figures.

    .venv/bin/python bench/faults.py

Runs tests/test_security.py, tests/test_backup.py and tests/test_faults_*.py with pytest
(JUnit XML into a temporary folder) and maps each test to its RELIABILITY.md §2 row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

PROJECT = Path(__file__).parent.parent
sys.path.insert(0, str(PROJECT / "tests"))

ROWS = [
    ("N1 dropped / short / broken chunked", "test_network_faults_are_bounded"),
    ("N2 no answer / stall / 1 byte/s", "test_network_faults_are_bounded"),
    ("N3 429/503 Retry-After (s, HTTP-date)", "test_network_faults_are_bounded"),
    ("N4 persistent 500, bounded retries", "test_network_faults_are_bounded"),
    ("N5 redirect loop, 25-hop chain", "test_network_faults_are_bounded"),
    ("N7 robots 404 / 5xx / timeout", "test_robots_404_allows"),
    ("C1 gzip/deflate/brotli bombs", "test_bombs_huge_pages"),
    ("C2 50 MB chunked, PDF, image", "test_bombs_huge_pages"),
    ("C6 CAPTCHA / access denied / empty 200", "test_bombs_huge_pages"),
    ("P1 kill -9 at random points", "test_kill_9_at_random_points"),
    ("P2 SIGTERM", "test_sigterm_stops"),
    ("P3 disk full", "test_a_full_disk"),
    ("P4 database locked 10 s", "test_a_database_locked"),
    ("S1 scope escape / SSRF (unit)", "test_out_of_scope_or_internal"),
    ("S1 scope escape / SSRF (crawl)", "test_a_crawl_follows_no_redirect"),
    ("S2 stored XSS in Datasette", "test_stored_script_is_shown_escaped"),
    ("S3 50 hostile searches", "test_fifty_hostile_searches"),
    ("S4 no path from a URL", "test_crafted_urls_write_nothing"),
    ("S5 Datasette on 127.0.0.1, no writes", "test_datasette_listens_on_loopback"),
    ("Backup of a live archive", "test_backup_of_a_live_archive"),
]
FILES = [
    "tests/test_security.py",
    "tests/test_backup.py",
    "tests/test_faults_process.py",
    "tests/test_faults_network.py",
]


def main() -> int:
    from test_security import HOSTILE_SEARCHES

    with tempfile.TemporaryDirectory() as tmp:
        junit, figures = Path(tmp) / "junit.xml", Path(tmp) / "figures.jsonl"
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *FILES],
            cwd=PROJECT,
            env={**os.environ, "PROVNEWS_FAULT_FIGURES": str(figures)},
            stdout=subprocess.DEVNULL,
            check=False,
        )
        seconds = time.monotonic() - started
        results: dict[str, bool] = {}
        for case in ET.parse(junit).getroot().iter("testcase"):
            ok = not any(child.tag in ("failure", "error") for child in case)
            name = case.get("name", "")
            results[name] = results.get(name, True) and ok
        values: dict[str, object] = {}
        if figures.exists():
            for line in figures.read_text(encoding="utf-8").splitlines():
                values.update(json.loads(line))

    def passed(prefix: str) -> bool:
        found = [ok for name, ok in results.items() if name.startswith(prefix)]
        return bool(found) and all(found)

    print(f"{'row':42} result")
    for row, prefix in ROWS:
        print(f"{row:42} {'pass' if passed(prefix) else 'FAIL'}")
    crash_ok = passed("test_kill_9_at_random_points")
    print()
    print(f"kills survived:                 {values.get('kills survived', 0)}")
    print(f"articles lost or duplicated:    {0 if crash_ok else 'see failures'}")
    peak = values.get("peak memory under the bomb (MB)", "n/a")
    print(f"peak memory under the bomb:     {peak} MB (crawler process, VmHWM)")
    print(f"seconds to stop on SIGTERM:     {values.get('seconds to stop on SIGTERM', 'n/a')}")
    print(f"hostile strings tried:          {len(HOSTILE_SEARCHES)}")
    print(f"500s seen:                      {0 if passed('test_fifty_hostile_searches') else 'see failures'}")
    print(f"tests: {sum(results.values())}/{len(results)} passed in {seconds:.0f} s")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
