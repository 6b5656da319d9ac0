"""Datasette on the archive: really started on 127.0.0.1 over an archive built by a real crawl.

One archive (the whole offline mirror, plus one changed article, one gone, and one whose
text is hostile HTML) and one ``provnews serve`` per module; every canned query, the
search box without diacritics, facets, escaping, and refused writes are checked over HTTP.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_samples import (
    EDITED_SENTENCE,
    HOSTILE_QUERIES,
    SEED_TITLE,
    SITE,
    crawled_archive,
    edit_article,
    free_port,
    http,
    port_is_closed,
    raw_get,
    seed_article,
    wait_for_port,
)
from click.testing import CliRunner

from scheduler.cli import cli
from storage.archive import Archive
from storage.datasette import datasette_command, metadata
from storage.records import Article
from storage.schema_docs import TABLES

pytestmark = pytest.mark.slow

XSS_TEXT = '<script>alert("xss")</script>\n<img src=x onerror=alert(1)> <a href="javascript:alert(2)">bấm</a>'


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The crawled mirror plus a changed, a gone and a hostile article; ids and URLs of each."""
    db = crawled_archive(tmp_path_factory.mktemp("datasette"))
    seed = seed_article(db)
    edit_article(db, seed["url"], title=SEED_TITLE + " (cập nhật)")
    with Archive(db) as store:
        gone_url = next(url for url in sorted(store.known_urls(SITE)) if url != seed["url"])
        assert store.mark_gone(gone_url)
        hostile_url = seed["url"].rsplit("/", 1)[0] + "/xss.html"
        hostile = Article(hostile_url, "<script>alert(0)</script> Tin", XSS_TEXT, "2022-08-24", "<b>tác giả</b>")
        hostile_id = store.save_article(SITE, hostile).article_id
    return {"db": db, "seed": seed, "gone_url": gone_url, "hostile_id": hostile_id}


def start(command: list[str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
    except AssertionError:
        process.kill()
        process.wait()
        raise
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def served(archive: dict) -> Iterator[str]:
    """``provnews serve`` (the wrapper, with its metadata) on a free port of 127.0.0.1."""
    port = free_port()
    process = start(
        [sys.executable, "-m", "scheduler.cli", "serve", "--db", str(archive["db"]), "--port", str(port)], port
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
    assert port_is_closed(port), "Datasette outlived provnews serve"


def get_json(url: str) -> object:
    status, body = http(url)
    assert status == 200, body[:500]
    return json.loads(body)


def rows(base: str, path: str, **params: str) -> list[dict]:
    query = urllib.parse.urlencode({**params, "_shape": "array"})
    result = get_json(f"{base}/archive/{path}.json?{query}")
    assert isinstance(result, list)
    return result


def test_index_page_shows_the_title_and_the_canned_queries(served: str) -> None:
    status, body = http(served + "/")
    assert status == 200 and "provnews: an archive of Vietnamese provincial news" in body.decode()
    status, body = http(served + "/archive")
    page = body.decode()
    assert status == 200
    for query in metadata()["databases"]["archive"]["queries"].values():
        assert query["title"] in page
    assert "_migrations" not in page and "articles_fts_data" not in page


def test_articles_search_box_ignores_diacritics_and_folds_d(served: str) -> None:
    titles = [row["title"] for row in rows(served, "articles", _search="dan van")]
    assert SEED_TITLE + " (cập nhật)" in titles
    plain = {row["id"] for row in rows(served, "articles", _search="dang uy khoi", _size="max")}
    marked = {row["id"] for row in rows(served, "articles", _search="Đảng ủy Khối", _size="max")}
    assert len(plain) >= 20 and plain == marked
    status, body = http(served + "/archive/articles?_search=dan+van")
    assert status == 200 and b'name="_search"' in body


def test_articles_have_facets_descriptions_and_newest_first(served: str) -> None:
    table = get_json(served + "/archive/articles.json")
    assert isinstance(table, dict)
    facets = table["facet_results"]
    assert {"site", "published_month", "author"} <= set(facets)
    assert any(value["value"] == "2022-08" for value in facets["published_month"]["results"])
    assert [value["value"] for value in facets["site"]["results"]] == [SITE]
    published = [row[table["columns"].index("published")] for row in table["rows"]]
    dated = [p for p in published if p]
    assert dated == sorted(dated, reverse=True)
    status, body = http(served + "/archive/articles")
    assert status == 200 and "Canonical URL" in body.decode()  # a column description


def test_canned_search_highlights_and_ignores_diacritics(served: str, archive: dict) -> None:
    hits = rows(served, "search", q="dan van")
    assert hits[0]["article"] == archive["seed"]["id"]
    assert any("[dân vận]" in hit["snippet"] or "[dân]" in hit["snippet"] for hit in hits)
    assert {hit["article"] for hit in rows(served, "search", q="dang uy")} == {
        hit["article"] for hit in rows(served, "search", q="Đảng ủy")
    }
    assert all(hit["site"] == SITE for hit in rows(served, "search", q="dan van", site=SITE))
    assert rows(served, "search", q="dan van", site="nosuchsite") == []
    assert rows(served, "search", q="") == []


def test_canned_queries_by_day(served: str, archive: dict) -> None:
    on_day = rows(served, "published_on", day="2022-08-23")
    assert archive["seed"]["id"] in {row["article"] for row in on_day}
    assert all(row["published"].startswith("2022-08-23") for row in on_day)
    between = rows(served, "published_between", since="2022-08-01", until="2022-08-31")
    assert archive["seed"]["id"] in {row["article"] for row in between}
    assert all("2022-08-01" <= row["published"][:10] <= "2022-08-31" for row in between)
    assert rows(served, "published_on", day="not a day") == []


def test_canned_queries_of_changes_and_gone_articles(served: str, archive: dict) -> None:
    (change,) = rows(served, "changed_articles")
    assert change["article"] == archive["seed"]["id"]
    assert (change["before_version"], change["after_version"]) == (1, 2)
    assert change["before_title"] == SEED_TITLE and change["after_title"] == SEED_TITLE + " (cập nhật)"
    assert EDITED_SENTENCE not in change["before_text"] and EDITED_SENTENCE in change["after_text"]
    assert [row["url"] for row in rows(served, "gone_articles")] == [archive["gone_url"]]


def test_canned_queries_of_crawl_health(served: str) -> None:
    (health,) = rows(served, "crawl_health")
    assert health["site"] == SITE and health["last_outcome"] == "ok"
    assert health["runs_7d"] == 1 and health["failed_runs_7d"] == 0 and health["articles"] >= 22
    assert health["new_24h"] >= 22 and health["last_ok_run"] == health["last_run"]
    per_day = rows(served, "new_articles_per_day")
    assert sum(row["new_articles"] for row in per_day) == health["articles"]
    newest = rows(served, "newest_per_site")
    assert 1 <= len(newest) <= 10 and {row["site"] for row in newest} == {SITE}


def test_archived_html_is_shown_escaped(served: str, archive: dict) -> None:
    status, body = http(f"{served}/archive/articles/{archive['hostile_id']}")
    page = body.decode()
    assert status == 200
    assert "<script>alert" not in page and "onerror=alert(1)>" not in page and '<a href="javascript' not in page
    assert "&lt;script&gt;alert" in page
    status, body = http(served + "/-/plugins.json")
    assert status == 200 and json.loads(body) == []  # no datasette-render-html, no upload or write plugin


def test_writes_are_refused_and_the_file_is_live(served: str, archive: dict) -> None:
    for sql in ["delete from articles", "update articles set title = 'x'", "insert into sites (id) values ('x')"]:
        status, _ = http(f"{served}/archive.json?" + urllib.parse.urlencode({"sql": sql}))
        assert status == 400, sql
    status, _ = http(f"{served}/archive", data=urllib.parse.urlencode({"sql": "delete from articles"}).encode())
    assert status in (403, 405)
    databases = get_json(served + "/-/databases.json")
    assert isinstance(databases, list) and databases[0]["is_mutable"] is True  # never immutable
    settings = get_json(served + "/-/settings.json")
    assert isinstance(settings, dict) and settings["sql_time_limit_ms"] == 1000
    with Archive(archive["db"]) as store:
        assert store.count_articles() >= 23


def test_listens_on_127_0_0_1_only(served: str) -> None:
    port = int(served.rsplit(":", 1)[1])
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                listening.append(local.rsplit(":", 1)[0])
    if not listening:
        pytest.skip("/proc/net/tcp is not readable here")
    assert listening == ["0100007F"]  # 127.0.0.1, nothing on 0.0.0.0 or ::


def test_fifty_hostile_searches_never_fail_with_500(served: str) -> None:
    assert len(HOSTILE_QUERIES) == 50
    for hostile in HOSTILE_QUERIES:
        for path, key in (("articles.json", "_search"), ("search.json", "q"), ("articles", "_search"), ("search", "q")):
            status, body = raw_get(f"{served}/archive/{path}?" + urllib.parse.urlencode({key: hostile}))
            assert status in (200, 400), (hostile[:40], status, body[:300])
            assert b"Traceback" not in body
            if not path.endswith(".json"):  # HTML pages show the query escaped
                assert b"<script>alert(1)" not in body


def test_plain_datasette_without_metadata_still_has_the_search_box(archive: dict) -> None:
    port = free_port()
    process = start([sys.executable, "-m", "datasette", "serve", str(archive["db"]), "--port", str(port)], port)
    try:
        base = f"http://127.0.0.1:{port}"
        titles = [row["title"] for row in rows(base, "articles", _search="dan van")]
        status, body = http(base + "/archive/articles?_search=da+nang")
    finally:
        stop(process)
    assert SEED_TITLE + " (cập nhật)" in titles
    assert status == 200 and b'name="_search"' in body


def test_every_table_and_column_is_described(tmp_path: Path) -> None:
    with Archive(tmp_path / "fresh.db"):
        pass
    connection = sqlite3.connect(tmp_path / "fresh.db")
    try:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith(("sqlite_", "articles_fts_"))
        ]
        missing = []
        for table in tables:
            described = TABLES.get(table, {})
            if not described.get("description"):
                missing.append(table)
            for column in connection.execute(f"PRAGMA table_xinfo([{table}])"):
                if table != "articles_fts" and column[1] not in described.get("columns", {}):
                    missing.append(f"{table}.{column[1]}")
    finally:
        connection.close()
    assert missing == [], "describe these in storage/schema_docs.py"


def test_serve_runs_datasette_read_only_with_the_metadata(tmp_path: Path) -> None:
    command = datasette_command(tmp_path / "archive.db", tmp_path / "m.json")
    serve = command[command.index("serve") :]
    assert serve[:4] == ["serve", str(tmp_path / "archive.db"), "-m", str(tmp_path / "m.json")]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert not {"-i", "--immutable", "--cors", "--load-extension", "--plugins-dir"} & set(serve)
    assert "sql_time_limit_ms" in command


def test_print_metadata_names_the_database_after_the_file(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    Archive(db).close()
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--print-metadata"], catch_exceptions=False)
    assert result.exit_code == 0
    printed = json.loads(result.output)
    assert list(printed["databases"]) == ["news"]
    assert printed["databases"]["news"]["tables"]["articles"]["facets"] == ["site", "published_month", "author"]
