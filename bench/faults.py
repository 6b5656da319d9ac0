"""Run the fault matrix and the crash loop; print one table: each row, pass or fail, and the figures.

    .venv/bin/python bench/faults.py

Runs tests/test_security.py, tests/test_backup.py, tests/test_faults_*.py and the tests of
other files that hold a row (FILES: whole files or node ids) with pytest (JUnit XML into a
temporary folder) and maps each test to its RELIABILITY.md §2 row: a row passes when every
test it names ran and passed ("no test" when none of them ran).
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

ROWS: list[tuple[str, str | tuple[str, ...]]] = [
    ("N1 dropped / short / broken chunked", "test_network_faults_are_bounded"),
    ("N2 no answer / stall / 1 byte/s", "test_network_faults_are_bounded"),
    ("N3 429/503 Retry-After (s, HTTP-date)", "test_network_faults_are_bounded"),
    ("N4 persistent 500, bounded retries", "test_network_faults_are_bounded"),
    ("N4 DNS failure, other sites unaffected", "test_a_host_that_does_not_resolve"),
    ("N5 redirect loop, 25-hop chain", "test_network_faults_are_bounded"),
    (
        "N6 self-signed / expired / TLS 1.0",
        (
            "test_a_broken_certificate_or_old_tls_is_a_named_error",
            "test_a_site_ca_named_in_the_seed_is_trusted",
            "test_only_the_opt_in_allows_legacy_renegotiation",
            "test_tls_failures_are_named",
            "test_the_default_policy_trusts_the_system_trust_store",
        ),
    ),
    ("N7 robots 404 / 5xx / timeout", "test_robots_404_allows"),
    ("C1 gzip/deflate/brotli bombs", "test_bombs_huge_pages"),
    ("C2 50 MB chunked, PDF, image", "test_bombs_huge_pages"),
    (
        "C3 charset wrong, missing, disagreeing",
        (
            "test_charsets_that_lie_or_are_missing_end_as_nfc",
            "test_the_corpus_covers_every_case_of_the_issue",
            "test_every_page_gets_its_title_and_date_and_leaks_nothing",
        ),
    ),
    (
        "C4 windows-1258, NFD, same hash/hits",
        (
            "test_encodings_end_as_nfc",
            "test_nfd_input_is_stored_nfc_and_hashes_like_nfc",
            "test_search_ignores_diacritics_case_and_normal_form",
        ),
    ),
    ("C5 malformed HTML hard time limit", "test_pathological_pages_finish_or_fail_within_the_time_limit"),
    ("C6 CAPTCHA / access denied / empty 200", "test_bombs_huge_pages"),
    ("C6 bad re-fetch keeps the good version", "test_a_good_version_is_never_overwritten"),
    (
        "C7 traps: calendar, /a/a/a/, depth, pages",
        (
            "test_traps",
            "test_calendar_pages_are_followed_only_from",
            "test_day1_obeys_robots_and_bounds_traps",
            "test_a_trap_site_costs_at_most_500_fetches",
        ),
    ),
    ("C8 aliases: utm_, sessions, canonical", ("test_normalized_urls", "test_day1_every_gold_article_once")),
    (
        "C9 edited article: new version, v1 kept",
        (
            "test_changed_text_adds_a_version_and_keeps_the_old_text",
            "test_saving_the_same_article_twice_is_unchanged",
            "test_day2_new_edited_and_deleted_articles",
        ),
    ),
    ("P1 kill -9 at random points", "test_kill_9_at_random_points"),
    ("P2 SIGTERM", "test_sigterm_stops"),
    ("P3 disk full", "test_a_full_disk"),
    ("P4 database locked 10 s", "test_a_database_locked"),
    (
        "P5 restart, missed runs, no overlap",
        (
            "test_a_restart_after_a_pause_gives_one_catch_up_run_per_site",
            "test_next_due_catches_up_once",
            "test_a_slow_crawl_is_never_overlapped",
        ),
    ),
    (
        "P6 a job raises, crashes or hangs",
        ("test_a_crashing_crawl_is_recorded_and_other_sites_keep_running", "test_a_hanging_crawl_is_killed"),
    ),
    ("P7 soak in miniature: fds, threads, zombies", "test_a_short_soak_leaves_no_zombie"),
    ("S1 scope escape / SSRF (unit)", "test_out_of_scope_or_internal"),
    ("S1 scope escape / SSRF (crawl)", "test_a_crawl_follows_no_redirect"),
    ("S2 stored XSS in Datasette", "test_stored_script_is_shown_escaped"),
    ("S3 50 hostile searches", "test_fifty_hostile_searches"),
    ("S4 no path from a URL", "test_crafted_urls_write_nothing"),
    ("S5 Datasette on 127.0.0.1, no writes", "test_datasette_listens_on_loopback"),
    ("S6 no secrets in the repo", "test_no_credentials_in_the_repository"),
    ("S6 no cookie, no Authorization sent", "test_no_cookie_or_credentials_are_ever_sent"),
    ("Backup of a live archive", "test_backup_of_a_live_archive"),
]
FILES = [
    "tests/test_security.py",
    "tests/test_backup.py",
    "tests/test_faults_process.py",
    "tests/test_faults_network.py",
    "tests/test_faults_tls.py",
    "tests/test_faults_content.py",
    "tests/test_extraction_pool.py",
    "tests/test_extraction.py::test_charsets_that_lie_or_are_missing_end_as_nfc",
    "tests/test_extraction.py::test_encodings_end_as_nfc",
    "tests/test_gold.py::test_the_corpus_covers_every_case_of_the_issue",
    "tests/test_gold.py::test_every_page_gets_its_title_and_date_and_leaks_nothing",
    "tests/test_archive.py::test_nfd_input_is_stored_nfc_and_hashes_like_nfc",
    "tests/test_archive.py::test_search_ignores_diacritics_case_and_normal_form",
    "tests/test_archive.py::test_changed_text_adds_a_version_and_keeps_the_old_text",
    "tests/test_archive.py::test_saving_the_same_article_twice_is_unchanged",
    "tests/test_discovery.py::test_traps",
    "tests/test_discovery.py::test_calendar_pages_are_followed_only_from_non_calendar_pages",
    "tests/test_discovery.py::test_normalized_urls",
    "tests/test_incremental.py",
    "tests/test_schedule.py::test_a_restart_after_a_pause_gives_one_catch_up_run_per_site",
    "tests/test_schedule.py::test_next_due_catches_up_once_and_remembers_the_last_run",
    "tests/test_schedule.py::test_a_slow_crawl_is_never_overlapped_by_its_next_run",
    "tests/test_schedule.py::test_a_crashing_crawl_is_recorded_and_other_sites_keep_running",
    "tests/test_schedule.py::test_a_hanging_crawl_is_killed_at_its_timeout_and_the_next_run_happens",
    "tests/test_schedule.py::test_a_short_soak_leaves_no_zombie_and_no_growing_descriptors",
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

    def ran(prefix: str) -> list[bool]:
        return [ok for name, ok in results.items() if name.startswith(prefix)]

    def passed(prefix: str) -> bool:
        found = ran(prefix)
        return bool(found) and all(found)

    def verdict(prefixes: str | tuple[str, ...]) -> str:
        names = (prefixes,) if isinstance(prefixes, str) else prefixes
        if not any(ran(name) for name in names):
            return "no test"
        return "pass" if all(passed(name) for name in names) else "FAIL"

    print(f"{'row':42} result")
    for row, prefixes in ROWS:
        print(f"{row:42} {verdict(prefixes)}")
    crash_ok = passed("test_kill_9_at_random_points")
    print()
    print(f"kills survived:                 {values.get('kills survived', 0)}")
    print(f"articles lost or duplicated:    {0 if crash_ok else 'see failures'}")
    peak = values.get("peak memory under the bomb (MB)", "n/a")
    print(f"peak memory under the bomb:     {peak} MB (crawl process and its extraction workers)")
    print(f"seconds to stop on SIGTERM:     {values.get('seconds to stop on SIGTERM', 'n/a')}")
    print(f"hostile strings tried:          {len(HOSTILE_SEARCHES)}")
    print(f"500s seen:                      {0 if passed('test_fifty_hostile_searches') else 'see failures'}")
    print(f"tests: {sum(results.values())}/{len(results)} passed in {seconds:.0f} s")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
