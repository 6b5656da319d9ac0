"""The SQLite archive: schema, idempotent writes, versions, raw pages, search, checks."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from storage.archive import Archive
from storage.errors import ArchiveBusyError, ArchiveError, DiskFullError, SearchError
from storage.migrations import MIGRATIONS, migrate
from storage.records import Article, CrawlStats, FetchedPage, Site
from storage.text import content_hash, fold_d, folded_terms, fts_query, nfc

LANGSON = Site("langson", "Lạng Sơn", "https://langson.gov.vn/", ("https://a/",))
QUANGNAM = Site("quangnam", "Quảng Nam", "https://quangnam.gov.vn/")
URL = "https://langson.gov.vn/tin/dan-van-1.html"


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def make_article(url: str = URL, **fields: object) -> Article:
    values: dict[str, object] = {
        "title": "Đảng ủy tỉnh bàn công tác dân vận",
        "text": "Công tác dân vận ở Đà Nẵng và Lạng Sơn.\nĐoạn thứ hai.",
        "published": "2022-08-23T16:13:00+07:00",
        "author": "Hoàng Long",
        "source": "Baolangson.vn",
    }
    values.update(fields)
    return Article(url=url, **values)  # type: ignore[arg-type]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def archive(db_path: Path) -> Iterator[Archive]:
    with Archive(db_path) as opened:
        opened.upsert_site(LANGSON)
        opened.upsert_site(QUANGNAM)
        yield opened


def fts_data(archive: Archive) -> list[tuple[object, ...]]:
    return archive.db.execute("SELECT * FROM articles_fts_data ORDER BY id").fetchall()


def hit_urls(archive: Archive, query: str, **kwargs: object) -> list[str]:
    return [hit.url for hit in archive.search(query, **kwargs)]  # type: ignore[arg-type]


# -- text rules ---------------------------------------------------------------


def test_text_helpers_normalise_fold_and_hash() -> None:
    assert nfc(nfd("Lạng Sơn")) == "Lạng Sơn"
    assert nfc(None) is None
    assert fold_d("Đà Nẵng, đường") == "Dà Nẵng, dường"
    assert folded_terms("Đảng ủy Đà Nẵng", "đảng viên, Lạng Sơn") == "Dảng Dà"
    assert folded_terms(nfd("Đà Nẵng")) == "Dà"
    assert content_hash(make_article()) == content_hash(make_article(title=nfd("Đảng ủy tỉnh bàn công tác dân vận")))
    assert content_hash(make_article()) != content_hash(make_article(text="khác"))


def test_fts_query_quotes_every_term() -> None:
    assert fts_query('tỉnh-ủy NOT "') == '"tỉnh-ủy" "NOT" """"'
    assert fts_query(nfd("dân")) == '"dân"'
    with pytest.raises(SearchError, match="provnews search 'dân vận'"):
        fts_query(" \t\n")


# -- opening and schema -------------------------------------------------------


def test_migrations_apply_once_and_are_recorded(db_path: Path) -> None:
    with sqlite_utils.Database(db_path) as db:
        assert migrate(db) == [name for name, _ in MIGRATIONS]
        assert migrate(db) == []
    with Archive(db_path) as archive:
        rows = list(archive.db.query("SELECT name, applied_at FROM _migrations"))
        assert [row["name"] for row in rows] == [name for name, _ in MIGRATIONS]
        assert rows[0]["applied_at"].endswith("+00:00")
        assert migrate(archive.db) == []
        assert {"sites", "pages", "crawls", "articles", "article_versions"} <= set(archive.db.table_names())


def test_open_creates_parent_dir_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "archive.db"
    with Archive(path, busy_timeout=12.5) as archive:

        def pragma(name: str) -> object:
            return archive.db.execute(f"PRAGMA {name}").fetchone()[0]

        assert archive.path == path and path.exists()
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("busy_timeout") == 12500


def test_fts_table_uses_vietnamese_tokenizer_and_narrow_update_trigger(
    archive: Archive,
) -> None:
    schema = archive.db.schema
    assert 'content="articles"' in schema
    assert "tokenize='unicode61 remove_diacritics 2'" in schema
    triggers = archive.db.triggers_dict
    assert set(triggers) == {"articles_ai", "articles_ad", "articles_au"}
    assert "AFTER UPDATE OF title, text, folded ON articles" in triggers["articles_au"]


def test_datasette_detects_the_fts_table_and_searches_it(archive: Archive, db_path: Path) -> None:
    from datasette.app import Datasette

    archive.save_article("langson", make_article())
    datasette = Datasette([str(db_path)], settings={"num_sql_threads": 0})
    database = datasette.get_database()

    async def run() -> tuple[str | None, list[int]]:
        fts = await database.fts_table("articles")
        statuses = []
        for query in ("dan van", "da nang", '"', "NOT", "') OR 1=1--"):
            response = await datasette.client.get(
                "/archive/articles.json", params={"_search": query, "_shape": "array"}
            )
            statuses.append(response.status_code)
            if query in ("dan van", "da nang"):
                assert [row["url"] for row in response.json()] == [URL]
        return fts, statuses

    try:
        fts, statuses = asyncio.run(run())
    finally:
        database.close()
    assert fts == "articles_fts"
    assert all(status < 500 for status in statuses)


# -- sites and crawls ---------------------------------------------------------


def test_upsert_site_updates_fields_and_keeps_added(archive: Archive) -> None:
    before = archive.db.table("sites").get("langson")
    archive.db.execute("UPDATE sites SET added = '2020-01-01T00:00:00+00:00'")
    archive.upsert_site(Site("langson", "Cổng Lạng Sơn", "https://ls.vn/", ("x",)))
    after = archive.db.table("sites").get("langson")
    assert after["added"] == "2020-01-01T00:00:00+00:00"
    assert (after["name"], after["home_url"]) == ("Cổng Lạng Sơn", "https://ls.vn/")
    assert json.loads(before["start_urls"]) == ["https://a/"]
    assert json.loads(after["start_urls"]) == ["x"]
    assert archive.db.table("sites").count == 2


def test_crawl_is_recorded_from_start_to_finish(archive: Archive) -> None:
    crawl_id = archive.start_crawl("langson", pid=4242)
    row = archive.db.table("crawls").get(crawl_id)
    assert (row["outcome"], row["pid"], row["finished"]) == ("running", 4242, None)
    stats = CrawlStats(pages_fetched=7, articles_new=3, errors=("timeout: /a",))
    archive.finish_crawl(crawl_id, "ok", stats)
    row = archive.db.table("crawls").get(crawl_id)
    assert row["outcome"] == "ok" and row["finished"] >= row["started"]
    assert (row["pages_fetched"], row["articles_new"], row["errors_count"]) == (7, 3, 1)
    assert json.loads(row["errors"]) == ["timeout: /a"]
    with pytest.raises(ValueError, match="ok, failed, interrupted"):
        archive.finish_crawl(crawl_id, "done", stats)
    with pytest.raises(ArchiveError, match="start_crawl"):
        archive.finish_crawl(999, "ok", stats)


def test_unknown_site_is_an_archive_error_that_names_the_fix(archive: Archive) -> None:
    with pytest.raises(ArchiveError, match="upsert_site"):
        archive.save_article("nowhere", make_article())
    assert archive.count_articles() == 0


# -- articles -----------------------------------------------------------------


def test_saving_the_same_article_twice_is_unchanged(archive: Archive) -> None:
    first = archive.save_article("langson", make_article())
    second = archive.save_article("langson", make_article(), etag='"v1"')
    assert first.outcome == "new" and second.outcome == "unchanged"
    assert first.article_id == second.article_id
    assert archive.count_articles() == 1
    row = archive.article(URL)
    assert row is not None
    assert (row["version"], row["etag"]) == (1, '"v1"')
    assert row["first_seen"] == row["last_changed"] <= row["last_checked"]
    assert archive.versions(first.article_id) == []


def test_changed_text_adds_a_version_and_keeps_the_old_text(archive: Archive) -> None:
    first = archive.save_article("langson", make_article())
    old = archive.article(URL)
    assert old is not None
    result = archive.save_article("langson", make_article(text="Bản sửa: dân vận khéo."))
    assert result.outcome == "changed" and result.article_id == first.article_id
    row = archive.article(URL)
    assert row is not None
    assert (row["version"], row["text"]) == (2, "Bản sửa: dân vận khéo.")
    versions = archive.versions(first.article_id)
    assert [v["version"] for v in versions] == [1]
    assert versions[0]["text"] == old["text"]
    assert versions[0]["content_hash"] == old["content_hash"] != row["content_hash"]
    assert versions[0]["valid_from"] == old["last_changed"]
    assert versions[0]["valid_until"] == row["last_changed"]
    assert archive.save_article("langson", make_article(text="v3")).outcome == "changed"
    assert [v["version"] for v in archive.versions(first.article_id)] == [1, 2]
    assert hit_urls(archive, "v3") == [URL] and hit_urls(archive, "khéo") == []


def test_nfd_input_is_stored_nfc_and_hashes_like_nfc(archive: Archive) -> None:
    article = make_article(
        title=nfd("Lạng Sơn: Hội nghị dân vận"),
        text=nfd("Người dân ở phường Đông Kinh.\nNghệ thuật."),
        author=nfd("Nguyễn Thị Hường"),
        source=nfd("Báo Lạng Sơn"),
        description=nfd("Tóm tắt về dân vận"),
        captions=(nfd("Ảnh: Quang cảnh hội nghị"),),
    )
    archive.save_article("langson", article)
    row = archive.article(URL)
    assert row is not None
    for column in ("title", "text", "author", "source", "description", "captions"):
        assert unicodedata.is_normalized("NFC", row[column]), column
    assert row["title"] == "Lạng Sơn: Hội nghị dân vận"
    assert json.loads(row["captions"]) == ["Ảnh: Quang cảnh hội nghị"]
    nfc_article = make_article(
        title="Lạng Sơn: Hội nghị dân vận",
        text="Người dân ở phường Đông Kinh.\nNghệ thuật.",
        author="Nguyễn Thị Hường",
        source="Báo Lạng Sơn",
    )
    assert archive.save_article("langson", nfc_article).outcome == "unchanged"


def test_mark_gone_keeps_the_row_and_text(archive: Archive) -> None:
    archive.save_article("langson", make_article())
    assert archive.mark_gone(URL) is True
    assert archive.mark_gone(URL) is False
    assert archive.mark_gone("https://langson.gov.vn/unknown") is False
    row = archive.article(URL)
    assert row is not None and row["gone_since"] is not None
    assert row["text"] == make_article().text
    assert archive.count_articles() == 1 and hit_urls(archive, "dan van") == [URL]
    assert archive.save_article("langson", make_article()).outcome == "unchanged"
    row = archive.article(URL)
    assert row is not None and row["gone_since"] is None


def test_known_urls_and_counts_are_per_site(archive: Archive) -> None:
    archive.save_article("langson", make_article())
    archive.save_article("quangnam", make_article("https://quangnam.gov.vn/1"))
    assert archive.known_urls("langson") == {URL}
    assert archive.known_urls("nowhere") == set()
    assert archive.count_articles() == 2
    assert archive.count_articles("quangnam") == 1
    assert archive.article("https://nowhere/") is None


# -- raw pages ----------------------------------------------------------------


def test_save_page_dedupes_identical_bodies_and_round_trips(archive: Archive) -> None:
    body = ("<html><p>Lạng Sơn</p></html>" * 200).encode("utf-8")
    headers = {"etag": '"abc"', "content-type": "text/html; charset=utf-8"}
    page = FetchedPage(URL, 200, body, headers, "2024-01-01T00:00:00+00:00")
    crawl_id = archive.start_crawl("langson")
    first = archive.save_page("langson", page, crawl_id)
    again = archive.save_page("langson", FetchedPage(URL, 200, body, headers))
    assert again == first and archive.db.table("pages").count == 1
    assert archive.page_body(first) == body
    row = archive.db.table("pages").get(first)
    assert (row["size"], row["etag"], row["crawl"]) == (len(body), '"abc"', crawl_id)
    assert len(row["body"]) < len(body) // 10
    changed = archive.save_page("langson", FetchedPage(URL, 200, body + b"!"))
    assert changed != first and archive.page_body(changed) == body + b"!"
    result = archive.save_article("langson", make_article(), page_id=changed)
    article = archive.db.table("articles").get(result.article_id)
    assert article["page"] == changed
    with pytest.raises(ArchiveError, match="no page 999"):
        archive.page_body(999)


# -- search -------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "dân vận",
        "dan van",
        "DÂN VẬN",
        nfd("dân vận"),
        "da nang",
        "Đà Nẵng",
        nfd("Đà Nẵng"),
        "dang uy",
        "Đảng ủy",
        "doan thu hai",
    ],
)
def test_search_ignores_diacritics_case_and_normal_form(archive: Archive, query: str) -> None:
    archive.save_article("langson", make_article())
    archive.save_article("langson", make_article("https://x/2", title="Khác", text="Khác"))
    assert hit_urls(archive, query) == [URL]


def test_search_hits_rank_title_first_and_snippet_marks_hits(archive: Archive) -> None:
    archive.save_article("langson", make_article("https://x/t", title="Dân vận", text="Tin."))
    archive.save_article("langson", make_article("https://x/b", title="Tin", text="Bàn về dân vận khéo."))
    hits = archive.search("dan van")
    assert [hit.url for hit in hits] == ["https://x/t", "https://x/b"]
    assert hits[0].rank <= hits[1].rank
    assert hits[1].snippet == "Bàn về [dân] [vận] khéo."
    assert (hits[0].site, hits[0].title) == ("langson", "Dân vận")
    assert len(archive.search("tin", limit=1)) == 1


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "NOT",
        "tỉnh-ủy",
        "') OR 1=1--",
        'Lạng Sơn"',
        "x" * 10_000,
        "dân " * 2_500,
        "AND OR NEAR(",
        "title:dan",
        "*",
        "^dan",
    ],
)
def test_hostile_queries_never_raise(archive: Archive, query: str) -> None:
    archive.save_article("langson", make_article(text="Ban Thường vụ tỉnh-ủy Lạng Sơn"))
    hits = archive.search(query)
    assert isinstance(hits, list)
    if query in ("tỉnh-ủy", 'Lạng Sơn"'):
        assert [hit.url for hit in hits] == [URL]


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_blank_query_is_a_search_error_with_an_example(archive: Archive, query: str) -> None:
    with pytest.raises(SearchError, match="at least one word, e.g. provnews search"):
        archive.search(query)


def test_search_respects_site(archive: Archive) -> None:
    archive.save_article("langson", make_article())
    archive.save_article("quangnam", make_article("https://quangnam.gov.vn/1"))
    assert hit_urls(archive, "dan van", site="quangnam") == ["https://quangnam.gov.vn/1"]
    assert hit_urls(archive, "dan van", site="langson") == [URL]
    assert hit_urls(archive, "dan van", site="nowhere") == []
    assert len(archive.search("dan van")) == 2


def test_checking_an_article_does_not_touch_the_fts_index(archive: Archive) -> None:
    archive.save_article("langson", make_article())
    before = fts_data(archive)
    archive.mark_checked(URL)
    archive.save_article("langson", make_article(), etag='"e2"', last_modified="x")
    archive.mark_gone(URL)
    assert fts_data(archive) == before
    assert archive.integrity_check() == []
    assert hit_urls(archive, "dang uy") == [URL]
    archive.save_article("langson", make_article(text="Đổi nội dung"))
    assert fts_data(archive) != before
    assert hit_urls(archive, "doi noi dung") == [URL]


# -- failures and checks ------------------------------------------------------


def test_integrity_check_is_clean_after_everything(archive: Archive) -> None:
    crawl_id = archive.start_crawl("langson")
    page_id = archive.save_page("langson", FetchedPage(URL, 200, b"<p>x</p>"), crawl_id)
    archive.save_article("langson", make_article(), page_id=page_id)
    archive.save_article("langson", make_article(text="v2"))
    archive.save_article("quangnam", make_article("https://quangnam.gov.vn/1"))
    archive.mark_checked(URL)
    archive.mark_gone("https://quangnam.gov.vn/1")
    archive.search('tỉnh-ủy ") OR 1=1--')
    archive.finish_crawl(crawl_id, "ok", CrawlStats(articles_new=2))
    assert archive.integrity_check() == []


def test_integrity_check_reports_an_fts_index_out_of_sync(archive: Archive) -> None:
    archive.save_article("langson", make_article())
    archive.db.execute("DROP TRIGGER articles_au")
    archive.db.execute("UPDATE articles SET text = 'khác hẳn'")
    problems = archive.integrity_check()
    assert len(problems) == 1 and "full-text index" in problems[0]


def test_locked_database_is_an_archive_busy_error(db_path: Path) -> None:
    with Archive(db_path, busy_timeout=0.2) as archive:
        archive.upsert_site(LANGSON)
        other = sqlite3.connect(db_path)
        try:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(ArchiveBusyError, match=r"archive\.db.*busy_timeout"):
                archive.save_article("langson", make_article())
            other.rollback()
        finally:
            other.close()
        assert archive.save_article("langson", make_article()).outcome == "new"


def test_full_disk_is_a_disk_full_error_and_keeps_nothing(archive: Archive) -> None:
    (pages,) = archive.db.execute("PRAGMA page_count").fetchone()
    archive.db.execute(f"PRAGMA max_page_count = {pages + 2}")
    words = " ".join(f"dân{i} vận{i}" for i in range(50_000))
    with pytest.raises(DiskFullError, match=r"archive\.db.*Free some space"):
        archive.save_article("langson", make_article(text=words))
    assert archive.count_articles() == 0
    assert archive.integrity_check() == []
