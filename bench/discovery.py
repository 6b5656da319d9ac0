"""Discovery benchmark: the fixture web crawled on day 1, then again on day 2.

Prints, per site: day-1 recall (gold articles archived / gold articles), non-articles
archived, day-1 requests, day-2 requests split by what they were for, requests per new
article on day 2, and day-2 time. Seeds hold only name and start_urls (delay 0).

    .venv/bin/python bench/discovery.py
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from zoo import FixtureWeb, age_archive, fixture_sites, vietnam_today  # noqa: E402

from scheduler.runner import run_crawl  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, FixtureWeb(fixture_sites(vietnam_today())) as web:
        db = Path(tmp) / "archive.db"
        seeds = web.write_seeds(Path(tmp) / "seeds")
        day1: dict[str, int] = {}
        for site, server in web:
            run_crawl(site.id, seeds=seeds, db=db, timeout=600)
            day1[site.id] = len(server.requests)
        age_archive(db, 1)
        web.switch_to_day(2)
        for site, server in web:
            started = time.monotonic()
            run_crawl(site.id, seeds=seeds, db=db, timeout=600)
            seconds = time.monotonic() - started
            day2 = server.requests[day1[site.id] :]
            known = {a.path for a in site.gold(1)}
            rechecks = sum(1 for r in day2 if r.path in known)
            new = sum(1 for r in day2 if r.path in site.new_paths)
            conn = sqlite3.connect(db)
            archived = {u for (u,) in conn.execute("select url from articles where site = ?", [site.id])}
            conn.close()
            gold1 = {web.url(site.id, a.path) for a in site.gold(1)}
            new_urls = {web.url(site.id, p) for p in site.new_paths}
            recall = len(gold1 & archived) / len(gold1)
            extra = len(archived - gold1 - new_urls)
            rows.append(
                (
                    site.id,
                    recall,
                    extra,
                    day1[site.id],
                    len(day2),
                    rechecks,
                    new,
                    len(day2) - rechecks - new,
                    len(day2) / max(1, len(site.new_paths)),
                    seconds,
                )
            )
    header = (
        "site",
        "day-1 recall",
        "non-articles",
        "day-1 req",
        "day-2 req",
        "rechecks",
        "new art.",
        "listing/feed",
        "req/new art.",
        "day-2 s",
    )
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for row in rows:
        site_id, recall, extra, d1, d2, rechecks, new, other, per_new, seconds = row
        print(
            f"{site_id} | {recall:.0%} | {extra} | {d1} | {d2} | {rechecks} | {new} | {other} | {per_new:.1f} | "
            f"{seconds:.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
