"""Re-extraction: the archive's raw pages read again by the current extractor, nothing fetched.

The archive is built by a real crawl of the mirror. One article is then stored as an
older extractor read it (the related-news heading and a title left in the text, the date
without its time, another extractor version): that is an archive whose stored
extraction is stale, and ``provnews reextract`` must put it right as a new version.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.extract.article import EXTRACTOR_VERSION, extract_article
from crawler.reextraction import reextract
from scheduler.cli import cli
from scheduler.demo.mirror import MirrorServer
from scheduler.runner import run_crawl
from storage.archive import Archive
from storage.records import Article

pytestmark = pytest.mark.slow

SEED_TITLE = "Hội nghị chuyên đề nâng cao hiệu quả công tác dân vận tại Đảng ủy khối các cơ quan tỉnh"
OLD_VERSION = "provnews-0.1.0+trafilatura-2.0.0"


def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture
def crawled(mirror: MirrorServer, seeds_dir: Path, db_path: Path) -> Path:
    report = run_crawl("langson-mirror", seeds=seeds_dir, db=db_path, timeout=120)
    assert report.ok, report.log_tail
    return db_path


def make_stale(db: Path, title: str) -> dict:
    """Store the article as an older, worse extractor read it, from the same raw page."""
    with Archive(db) as archive:
        row = next(
            r
            for r in archive.article_pages()
            if rows(db, "select title from articles where id = ?", (r["id"],))[0][0] == title
        )
        fresh = extract_article(row["body"], row["page_url"], row["content_type"])
        assert fresh is not None
        stale: Article = replace(
            fresh,
            url=row["url"],
            text=fresh.text + "\nTin liên quan",
            published=(fresh.published or "")[:10],
            extractor_version=OLD_VERSION,
        )
        result = archive.save_article(row["site"], stale, page_id=row["page"], etag=row["etag"])
        assert result.outcome == "changed"
    return row


def test_reextract_stores_a_new_version_for_a_stale_article_and_fetches_nothing(
    crawled: Path, mirror: MirrorServer
) -> None:
    row = make_stale(crawled, SEED_TITLE)
    total = rows(crawled, "select count(*) from articles")[0][0]
    fetched_before = len(mirror.requests)
    events: list[dict] = []
    with Archive(crawled) as archive:
        report = reextract(archive, ["langson-mirror"], on_event=events.append)
    assert len(mirror.requests) == fetched_before, "re-extraction fetches nothing"
    assert (report.read, report.changed, report.unchanged, report.not_articles) == (total, 1, total - 1, 0)
    assert [e["url"] for e in events if e["outcome"] == "changed"] == [row["url"]]
    assert [e["done"] for e in events] == list(range(1, total + 1))

    ((version, text, published, extractor, etag),) = rows(
        crawled, "select version, text, published, extractor_version, etag from articles where id = ?", (row["id"],)
    )
    assert version == 3
    assert not text.endswith("Tin liên quan")
    assert published == "2022-08-23T16:13:00+07:00"
    assert extractor == EXTRACTOR_VERSION
    assert etag == row["etag"], "the fetch metadata of the article is kept"
    history = rows(
        crawled,
        "select version, extractor_version, published from article_versions where article = ? order by version",
        (row["id"],),
    )
    assert [(v, e) for v, e, _ in history] == [(1, EXTRACTOR_VERSION), (2, OLD_VERSION)]
    assert history[1][2] == "2022-08-23"
    assert rows(crawled, "select count(*) from article_versions where article != ?", (row["id"],)) == [(0,)]


def test_reextract_command_reports_progress_and_is_idempotent(crawled: Path) -> None:
    make_stale(crawled, SEED_TITLE)
    runner = CliRunner()
    first = runner.invoke(cli, ["reextract", "langson-mirror", "--db", str(crawled)])
    assert first.exit_code == 0, first.output
    assert f"  changed     2022-08-23  {SEED_TITLE}" in first.output
    assert "1 changed" in first.output and f"with {EXTRACTOR_VERSION}" in first.output
    second = runner.invoke(cli, ["reextract", "--db", str(crawled)])
    assert second.exit_code == 0, second.output
    assert "0 changed" in second.output and "changed " not in second.output.split("\n")[0]
    assert rows(crawled, "select max(version) from articles") == [(3,)]


def test_reextract_names_the_fix_for_a_missing_archive_or_site(tmp_path: Path, crawled: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["reextract", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "run 'provnews crawl' first" in missing.output
    unknown = runner.invoke(cli, ["reextract", "baolangson", "--db", str(crawled)])
    assert unknown.exit_code == 1 and "no articles of baolangson; crawl the site first" in unknown.output
