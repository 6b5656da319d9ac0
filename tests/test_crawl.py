"""End to end: the real spider, in its own process, over the mirror served on 127.0.0.1,
into the real SQLite file."""

from __future__ import annotations

import sqlite3
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from conftest import article_path
from zoo import FixtureWeb, fixture_sites, vietnam_today

from scheduler.demo.mirror import MirrorServer
from scheduler.runner import run_crawl, run_crawls

pytestmark = pytest.mark.slow


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        result = conn.execute(sql).fetchall()
    conn.close()
    return result


def test_crawl_archives_every_article_once_then_fetches_none_again(
    mirror: MirrorServer, seeds_dir: Path, db_path: Path, mirror_data: dict
) -> None:
    events: list[dict] = []
    first = run_crawl("langson-mirror", seeds=seeds_dir, db=db_path, on_event=events.append, timeout=120)
    assert first.ok, first.log_tail
    gold = {mirror.url + article_path(mirror_data, a): a for a in mirror_data["articles"]}
    archived = rows(db_path, "select url, title, published, source, text from articles")
    assert sorted(url for url, *_ in archived) == sorted(gold)
    for url, title, published, source, text in archived:
        item = gold[url]
        assert title == item["title"]
        assert published == datetime.strptime(item["published"], "%d-%m-%Y %H:%M").strftime("%Y-%m-%dT%H:%M:00+07:00")
        assert source == item.get("source")
        assert unicodedata.is_normalized("NFC", text)
    assert first.counts["articles_new"] == len(gold)
    assert [e["outcome"] for e in events if e["event"] == "article"].count("new") == len(gold)

    fetched_before = len(mirror.requests)
    second = run_crawl("langson-mirror", seeds=seeds_dir, db=db_path, timeout=120)
    assert second.ok, second.log_tail
    assert rows(db_path, "select count(*) from articles") == [(len(gold),)]
    again = [r.path for r in mirror.requests[fetched_before:]]
    assert again, "the second crawl re-reads the home and listing pages"
    assert not [p for p in again if mirror.url + p.split("?")[0] in gold]
    assert second.counts["articles_new"] == 0
    crawls = rows(db_path, "select outcome, articles_new, pages_fetched from crawls order by id")
    assert [c[0] for c in crawls] == ["ok", "ok"]
    assert crawls[0][1] == len(gold) and crawls[1][1] == 0
    assert crawls[1][2] < crawls[0][2]


def test_raw_pages_are_kept_compressed(mirror: MirrorServer, seeds_dir: Path, db_path: Path) -> None:
    report = run_crawl("langson-mirror", seeds=seeds_dir, db=db_path, timeout=120)
    assert report.ok, report.log_tail
    ((pages, size, stored),) = rows(db_path, "select count(*), sum(size), sum(length(body)) from pages")
    ((articles,),) = rows(db_path, "select count(*) from articles where page is not null")
    assert pages == articles > 0
    assert stored * 4 < size  # against the site's own dictionary


def test_several_sites_crawl_together_in_one_process_each_with_its_own_row(tmp_path: Path) -> None:
    with FixtureWeb(fixture_sites(vietnam_today())) as web:
        seeds = web.write_seeds(tmp_path / "seeds")
        reports = run_crawls(list(web.sites), seeds=seeds, db=tmp_path / "a.db", timeout=300)
        gold = {site.id: {web.url(site.id, g.path) for g in site.gold(1)} for site in web.sites.values()}
    assert [r.site for r in reports] == list(web.sites) and all(r.ok for r in reports), reports[0].log_tail
    crawls = rows(tmp_path / "a.db", "select site, outcome, pid, started, finished from crawls order by site")
    assert [(site, outcome) for site, outcome, *_ in crawls] == sorted((site, "ok") for site in web.sites)
    assert len({pid for _, _, pid, *_ in crawls}) == 1  # one process
    assert max(started for *_, started, _ in crawls) < min(finished for *_, finished in crawls)  # together
    for site_id, urls in gold.items():
        archived = {url for (url,) in rows(tmp_path / "a.db", f"select url from articles where site = '{site_id}'")}
        assert archived == urls, site_id


def test_at_once_crawls_sites_one_after_the_other(tmp_path: Path) -> None:
    with FixtureWeb(fixture_sites(vietnam_today())[:2]) as web:
        seeds = web.write_seeds(tmp_path / "seeds")
        reports = run_crawls(list(web.sites), seeds=seeds, db=tmp_path / "a.db", timeout=300, at_once=1)
    assert all(r.ok for r in reports), reports[0].log_tail
    (first, second) = rows(tmp_path / "a.db", "select started, finished from crawls order by id")
    assert first[1] <= second[0]


def test_a_listing_longer_than_max_depth_is_read_to_its_end(tmp_path: Path) -> None:
    sites = fixture_sites(vietnam_today(), count=120, sites=1)  # 12 listing pages; max_depth is 8
    with FixtureWeb(sites) as web:
        seeds = web.write_seeds(tmp_path / "seeds")
        report = run_crawl("agency", seeds=seeds, db=tmp_path / "a.db", timeout=300)
        gold = {web.url("agency", g.path) for g in sites[0].gold(1)}
    assert report.ok, report.log_tail
    assert {url for (url,) in rows(tmp_path / "a.db", "select url from articles")} == gold
