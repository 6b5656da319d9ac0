"""A backfill cut short goes on where it stopped: the archive is the crawl state.

A first crawl of a site cut by its page limit or its timeout at about a third of its work
leaves the URLs it had decided on in ``pending`` and each listing's walk in ``listings``;
the next runs resume them until every listing was walked to its end, every article
archived once, and no article page fetched twice.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from zoo import FixtureWeb, vietnam_today, zoo_sites
from zoo.score import fetches_per_article, loose_target

from scheduler.runner import run_crawl

pytestmark = pytest.mark.slow


def _rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _limit(seeds: Path, site_id: str, setting: str) -> None:
    """Set one key of a seed written by ``write_minimal_seeds``."""
    path = seeds / f"{site_id}.toml"
    key = setting.split("=", 1)[0].strip()
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith(key + " ")]
    path.write_text("\n".join([*lines, setting]) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("family", "limit", "first_timeout"),
    [("agency", "max_pages = 40", 120.0), ("liferay", "download_delay = 0.1", 4.0)],
    ids=["page limit", "timeout"],
)
def test_a_backfill_cut_at_a_third_finishes_on_the_next_runs(
    tmp_path: Path, family: str, limit: str, first_timeout: float
) -> None:
    site = zoo_sites(vietnam_today(), [family])[-1]
    gold = {loose_target(g.path): g for g in site.gold(1)}
    db = tmp_path / "archive.db"
    with FixtureWeb([site]) as web:
        seeds = web.write_seeds(tmp_path / "seeds")
        _limit(seeds, site.id, limit)
        server = web.servers[site.id]
        outcomes, archived_after = [], []
        for run in range(8):
            report = run_crawl(site.id, seeds=seeds, db=db, timeout=first_timeout if run == 0 else 120)
            outcomes.append(report.outcome)
            archived_after.append(_rows(db, f"select count(*) from articles where site = '{site.id}'")[0][0])
            if archived_after[-1] == len(gold) and not _rows(db, "select count(*) from pending")[0][0]:
                break
        fetches = fetches_per_article(site, server.url, server.requests)
    first = archived_after[0]
    assert 0.15 * len(gold) < first < 0.75 * len(gold), (first, len(gold))  # cut short, about a third in
    assert archived_after[-1] == len(gold), archived_after
    archived = [loose_target(re.sub(r"^https?://[^/]+", "", u)) for (u,) in _rows(db, "select url from articles")]
    assert sorted(archived) == sorted(gold)  # every article once, nothing else
    assert {loose_target(p) for p in fetches} == set(gold)
    assert max(fetches.values()) == 1, [p for p, n in fetches.items() if n > 1][:3]  # no article fetched twice
    walked = _rows(db, f"select count(walked_to_end) from listings where site = '{site.id}'")[0][0]
    cut = _rows(
        db, "select listing, stop_reason from listings where stop_reason in ('max_pages', 'timeout', 'interrupted')"
    )
    assert walked >= 2 and not cut, cut  # the listings walked to their end, none left where a run stopped
    assert outcomes[0] in ("ok", "timeout"), outcomes
