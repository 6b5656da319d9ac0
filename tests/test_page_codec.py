"""Raw pages compressed against their site's dictionary (storage/pages.py)."""

from __future__ import annotations

import sqlite3
import zlib
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils
from zoo import fixture_sites

from storage.archive import Archive
from storage.migrations import MIGRATIONS, migrate
from storage.pages import MIN_PAGE_BYTES, SAMPLE_PAGES
from storage.records import FetchedPage, Site

BASE = "http://127.0.0.1:8000"


def site_pages(site_id: str) -> list[FetchedPage]:
    site = next(s for s in fixture_sites(date(2026, 11, 28)) if s.id == site_id)
    pages, _ = site.render(1)(BASE)
    return [
        FetchedPage(BASE + path, 200, page.body, {"content-type": page.content_type})
        for path, page in sorted(pages.items())
        if "html" in page.content_type
    ]


def open_archive(path: Path, *site_ids: str) -> Archive:
    archive = Archive(path)
    for site_id in site_ids:
        archive.upsert_site(Site(site_id, site_id, f"{BASE}/"))
    return archive


@pytest.mark.parametrize("site_id", ["agency", "newspaper", "sharepoint", "wordpress"])
def test_pages_come_back_byte_for_byte_and_take_a_quarter_or_less(tmp_path: Path, site_id: str) -> None:
    pages = site_pages(site_id)
    with open_archive(tmp_path / "a.db", site_id) as archive:
        ids = [archive.save_page(site_id, page) for page in pages]
        assert [archive.page_body(page_id) for page_id in ids] == [page.body for page in pages]
    conn = sqlite3.connect(tmp_path / "a.db")
    raw, stored, dictionary = conn.execute(
        "SELECT sum(size), sum(length(body)), (SELECT sum(length(data)) FROM page_dictionaries) FROM pages"
    ).fetchone()
    codecs = dict(conn.execute("SELECT codec, count(*) FROM pages GROUP BY codec").fetchall())
    conn.close()
    assert codecs["zlib"] < SAMPLE_PAGES + 2 and codecs["zstd"] == len(pages) - codecs["zlib"]  # first ones alone
    assert raw / (stored + dictionary) >= 4, (raw, stored, dictionary)  # issue 7's target, dictionary counted
    assert raw / stored >= 5


def test_each_site_has_its_own_dictionary_and_reopening_reuses_it(tmp_path: Path) -> None:
    agency, wordpress = site_pages("agency"), site_pages("wordpress")
    with open_archive(tmp_path / "a.db", "agency", "wordpress") as archive:
        for n in range(4):
            archive.save_page("agency", agency[n])
            archive.save_page("wordpress", wordpress[n])
    with Archive(tmp_path / "a.db") as archive:
        page_id = archive.save_page("agency", agency[5])
        assert archive.page_body(page_id) == agency[5].body
    conn = sqlite3.connect(tmp_path / "a.db")
    rows = conn.execute("SELECT site, count(*) FROM page_dictionaries GROUP BY site ORDER BY site").fetchall()
    used = conn.execute("SELECT p.site, d.site FROM pages p JOIN page_dictionaries d ON d.id = p.dictionary").fetchall()
    conn.close()
    assert rows == [("agency", 1), ("wordpress", 1)]
    assert all(page_site == dictionary_site for page_site, dictionary_site in used)


def test_a_new_template_starts_a_new_dictionary_once(tmp_path: Path) -> None:
    agency, newspaper = site_pages("agency"), site_pages("newspaper")
    with open_archive(tmp_path / "a.db", "agency") as archive:
        for page in agency[:4]:
            archive.save_page("agency", page)
        redesigned = [FetchedPage(p.url + "?v=2", 200, p.body, p.headers) for p in newspaper[:30]]
        ids = [archive.save_page("agency", page) for page in redesigned]
        assert [archive.page_body(i) for i in ids] == [p.body for p in redesigned]
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("SELECT count(*) FROM page_dictionaries").fetchone() == (2,)
    last = conn.execute("SELECT size, length(body) FROM pages ORDER BY id DESC LIMIT 10").fetchall()
    conn.close()
    assert sum(size for size, _ in last) / sum(stored for _, stored in last) >= 4  # against the new template


def test_a_dictionary_made_in_a_rolled_back_transaction_is_not_used(tmp_path: Path) -> None:
    pages = [page for page in site_pages("sharepoint") if len(page.body) >= MIN_PAGE_BYTES]
    with open_archive(tmp_path / "a.db", "sharepoint") as archive:
        for page in pages[:3]:
            archive.save_page("sharepoint", page)
        with pytest.raises(RuntimeError), archive._transaction("a write that fails"):
            archive._store_page("sharepoint", pages[3], None)  # the fourth page makes the dictionary
            raise RuntimeError("disk trouble after the dictionary was made")
        page_id = archive.save_page("sharepoint", pages[4])
        assert archive.page_body(page_id) == pages[4].body
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("SELECT count(*) FROM page_dictionaries").fetchone() == (1,)
    conn.close()


def test_pages_archived_before_dictionaries_still_read(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrate(db, MIGRATIONS[:4])  # the schema before page dictionaries
    db["sites"].insert({"id": "agency", "name": "agency", "home_url": f"{BASE}/"})
    body = site_pages("agency")[0].body
    db["pages"].insert({"id": 1, "site": "agency", "url": f"{BASE}/", "size": len(body), "body": zlib.compress(body)})
    db.close()
    with Archive(path) as archive:
        assert archive.page_body(1) == body
        assert archive.db.execute("SELECT codec, dictionary FROM pages").fetchall() == [("zlib", None)]
