"""End to end: the real spider, in its own process, over the mirror served on 127.0.0.1,
into the real SQLite file."""

from __future__ import annotations

import sqlite3
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from conftest import article_path

from scheduler.mirror import MirrorServer
from scheduler.runner import run_crawl

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
    assert stored * 2 < size
