"""Issue 3 end to end: four fixture sites of distinct templates, crawled from their home
pages with seeds holding only name and start_urls; then a day passes and the sites change."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from zoo import FixtureSite, age_archive, fixture_sites, vietnam_today, write_minimal_seeds

from scheduler.demo.mirror import MirrorServer, RequestRecord
from scheduler.runner import CrawlReport, run_crawl

pytestmark = pytest.mark.slow
TRAP_REQUEST_BOUND = 40
DATE_ARCHIVE = re.compile(r"^/(?:19|20)\d\d/\d\d/(?:\d\d/)?$")  # /2026/08/, /2026/08/14/


@dataclass
class SiteRun:
    site: FixtureSite
    server: MirrorServer
    day1: list[RequestRecord] = field(default_factory=list)
    day2: list[RequestRecord] = field(default_factory=list)
    memory_after_day1: dict[str, str] = field(default_factory=dict)  # url -> kind
    aliases_after_day1: set[str] = field(default_factory=set)
    reports: list[CrawlReport] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.server.url + path


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, SiteRun], Path]]:
    """Day 1 crawl of every site, a day passes, day 2 crawl: the request logs and reports."""
    tmp = tmp_path_factory.mktemp("web")
    db = tmp / "archive.db"
    runs: dict[str, SiteRun] = {}
    try:
        for site in fixture_sites(vietnam_today()):
            runs[site.id] = SiteRun(site, MirrorServer(render=site.render(1)).start())
        seeds = write_minimal_seeds(
            tmp / "seeds",
            {sid: run.server.url + "/" for sid, run in runs.items()},
            {sid: run.site.name for sid, run in runs.items()},
        )
        for run in runs.values():
            run.reports.append(run_crawl(run.site.id, seeds=seeds, db=db, timeout=300))
            run.day1 = list(run.server.requests)
        for run in runs.values():
            run.memory_after_day1 = dict(query(db, "select url, kind from urls where site = ?", run.site.id))
            run.aliases_after_day1 = {
                u for (u,) in query(db, "select url from article_aliases where site = ?", run.site.id)
            }
        age_archive(db, days=1)
        for run in runs.values():
            run.server.replace_site(run.site.render(2))
            before = len(run.server.requests)
            run.reports.append(run_crawl(run.site.id, seeds=seeds, db=db, timeout=300))
            run.day2 = list(run.server.requests[before:])
        yield runs, db
    finally:
        for run in runs.values():
            run.server.stop()


SITES = ["agency", "newspaper", "sharepoint", "wordpress"]


@pytest.mark.parametrize("site_id", SITES)
def test_day1_every_gold_article_once_and_nothing_else(web: tuple[dict[str, SiteRun], Path], site_id: str) -> None:
    runs, db = web
    run = runs[site_id]
    assert run.reports[0].ok, run.reports[0].log_tail
    gold = {run.url(a.path): a for a in run.site.gold(1)}
    day2_new = {run.url(p) for p in run.site.new_paths}
    archived = {
        url: (title, published)
        for url, title, published in query(db, "select url, title, published from articles where site = ?", site_id)
    }
    assert set(archived) - day2_new == set(gold)
    edited = run.url(run.site.edited_path)  # its title may change on day 2: checked there
    for url, article in gold.items():
        if url != edited:
            assert archived[url] == (article.title, article.published), url


@pytest.mark.parametrize("site_id", SITES)
def test_day1_obeys_robots_and_bounds_traps(web: tuple[dict[str, SiteRun], Path], site_id: str) -> None:
    run = web[0][site_id]
    paths = [r.path for r in run.day1 + run.day2]
    assert not [p for p in paths if p.startswith(run.site.disallowed_prefixes)]
    traps = [p for p in paths if any(re.search(t, p) for t in run.site.trap_patterns)]
    assert len(traps) <= TRAP_REQUEST_BOUND


@pytest.mark.parametrize("site_id", SITES)
def test_day2_new_edited_and_deleted_articles(web: tuple[dict[str, SiteRun], Path], site_id: str) -> None:
    runs, db = web
    run = runs[site_id]
    assert run.reports[1].ok, run.reports[1].log_tail
    gold2 = {run.url(a.path): a for a in run.site.gold(2)}
    for path in run.site.new_paths:
        assert query(db, "select title from articles where url = ?", run.url(path)) == [(gold2[run.url(path)].title,)]
    edited = gold2[run.url(run.site.edited_path)]
    [(article_id, text, version)] = query(
        db, "select id, text, version from articles where url = ?", run.url(run.site.edited_path)
    )
    assert text == edited.text and version == 2
    old = {a.path: a for a in run.site.gold(1)}[run.site.edited_path]
    assert query(db, "select text from article_versions where article = ?", article_id) == [(old.text,)]
    [(gone_since, kept_text)] = query(
        db, "select gone_since, text from articles where url = ?", run.url(run.site.deleted_path)
    )
    assert gone_since and kept_text


@pytest.mark.parametrize("site_id", SITES)
def test_day2_spends_requests_only_on_what_is_new_or_due(web: tuple[dict[str, SiteRun], Path], site_id: str) -> None:
    runs, db = web
    run = runs[site_id]
    known = {a.path for a in run.site.gold(1)}
    rechecks, new, other = [], [], []
    for record in run.day2:
        path = record.path.split(";")[0]
        if path in known:
            rechecks.append(record)
        elif path in run.site.new_paths:
            new.append(record)
        else:
            other.append(record)
    assert all("if-none-match" in r.headers or "if-modified-since" in r.headers for r in rechecks)
    assert len(new) == len(run.site.new_paths)
    for record in other:
        url = run.url(record.path)
        kind = run.memory_after_day1.get(url)  # what the crawl knew of it when day 2 began
        read_for_news = kind in ("listing", "feed", "sitemap", "missing")
        never_seen = kind is None and url not in run.aliases_after_day1
        start_or_robots = record.path in ("/robots.txt", run.site.home_path)
        assert start_or_robots or read_for_news or never_seen, (record.path, kind)
    assert len(run.day2) <= len(other) + len(new) + len(rechecks)
    assert len(run.day2) < len(run.day1) / 2


@pytest.mark.parametrize("site_id", SITES)
def test_no_page_fetched_twice_for_a_trailing_slash_nor_a_closed_date_archive_reread(
    web: tuple[dict[str, SiteRun], Path], site_id: str
) -> None:
    run = web[0][site_id]
    for day in (run.day1, run.day2):
        paths = {r.path.split(";")[0] for r in day}
        twins = sorted(p for p in paths if p.endswith("/") and p != "/" and p.rstrip("/") in paths)
        assert not twins, twins  # WordPress's previous/next links drop the slash
    day1_dates = {r.path for r in run.day1 if DATE_ARCHIVE.search(r.path)}
    this_month = f"/{vietnam_today():%Y/%m}/"
    closed = sorted(r.path for r in run.day2 if r.path in day1_dates and not r.path.startswith(this_month))
    assert not closed, closed  # no article joins a month (or a day) that was over when it was read


@pytest.mark.parametrize("site_id", SITES)
def test_crawls_rows_record_each_run(web: tuple[dict[str, SiteRun], Path], site_id: str) -> None:
    runs, db = web
    run = runs[site_id]
    rows = query(
        db,
        "select outcome, pages_fetched, articles_new, articles_changed, articles_gone, errors_count,"
        " notes from crawls where site = ? order by id",
        site_id,
    )
    assert [r[0] for r in rows] == ["ok", "ok"]
    assert rows[0][1] == len(run.day1) and rows[1][1] == len(run.day2)
    assert rows[0][2] == len(run.site.gold(1))
    assert rows[1][2:5] == (len(run.site.new_paths), 1, 1)
    assert isinstance(json.loads(rows[0][6]), list)


@pytest.mark.parametrize("site_id", SITES)
def test_a_healthy_site_leaves_no_errors(web: tuple[dict[str, SiteRun], Path], site_id: str) -> None:
    # what robots.txt forbids (WordPress's /wp-admin/, SharePoint's sign-in page) is a note, and
    # a gzipped sitemap is a sitemap: neither is an error
    rows = query(web[1], "select errors_count, errors, notes from crawls where site = ? order by id", site_id)
    assert [(count, json.loads(errors)) for count, errors, _ in rows] == [(0, []), (0, [])]
    if site_id in ("wordpress", "sharepoint"):
        assert "robots.txt: 1 not fetched" in json.loads(rows[0][2])
