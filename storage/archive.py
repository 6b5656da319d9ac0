"""The SQLite archive: idempotent writes, article versions, raw pages and search.

One ``Archive`` wraps one ``sqlite_utils.Database`` in WAL mode. Every write that
belongs together runs in one ``BEGIN IMMEDIATE`` transaction, so a process killed at
any point leaves either all of it or none of it::

    with Archive("archive.db") as archive:
        archive.upsert_site(Site("langson", "Lạng Sơn", "https://langson.gov.vn/"))
        result = archive.save_article("langson", article)
        hits = archive.search("dan van")
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import sqlite_utils

from storage.errors import ArchiveBusyError, ArchiveError, DiskFullError, from_sqlite
from storage.migrations import FTS_TABLE, migrate
from storage.records import (
    Article,
    CrawlStats,
    FetchedPage,
    SaveResult,
    SearchHit,
    Site,
)
from storage.text import content_hash, folded_terms, fts_query, nfc

logger = logging.getLogger(__name__)

CRAWL_OUTCOMES = ("running", "ok", "failed", "interrupted", "timeout", "crashed")
# bm25 weights for (title, text, folded): a hit in the title counts most.
_BM25_WEIGHTS = (10.0, 1.0, 2.0)
_SNIPPET_TOKENS = 16
_ZLIB_LEVEL = 6
_VERSIONED = [
    "version",
    "title",
    "published",
    "author",
    "source",
    "text",
    "captions",
    "content_hash",
    "extractor_version",
    "page",
]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Archive:
    """The archive file: open it, write articles and pages, search it, check it."""

    path: Path
    db: sqlite_utils.Database

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        try:
            with self._errors("opening the archive"):
                self._configure()
                applied = migrate(self.db)
        except BaseException:
            self.db.close()
            raise
        if applied:
            logger.info("%s: applied migrations %s", self.path, ", ".join(applied))

    def _configure(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Translate sqlite3 errors into ``ArchiveError``s that name the file and fix."""
        try:
            yield
        except sqlite3.Error as error:
            where = f"{self.path}: {doing}"
            translated = from_sqlite(error, where, self.busy_timeout)
            if translated is None:
                raise
            raise translated from error

    @contextlib.contextmanager
    def _transaction(self, doing: str) -> Iterator[None]:
        """One ``BEGIN IMMEDIATE`` transaction: all of it is written, or none of it.

        IMMEDIATE takes the write lock up front, so a read-then-write never fails
        half-way with SQLITE_BUSY_SNAPSHOT; waiting for the lock obeys busy_timeout.
        """
        with self._errors(doing):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.db.commit()
            except BaseException:
                self.db.rollback()
                raise

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, list(params))
        keys = [d[0] for d in cursor.description]
        return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]

    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    # -- sites and crawls -------------------------------------------------------

    def upsert_site(self, site: Site) -> None:
        """Insert the site, or update its name, URLs and ``updated``; keep ``added``."""
        now = _now()
        row = {
            "name": nfc(site.name),
            "home_url": site.home_url,
            "start_urls": json.dumps(list(site.start_urls), ensure_ascii=False),
            "updated": now,
        }
        with self._transaction(f"saving site {site.id!r}"):
            table = self.db.table("sites")
            if self._one("SELECT id FROM sites WHERE id = ?", [site.id]) is None:
                table.insert({"id": site.id, **row, "added": now})
            else:
                table.update(site.id, row)

    def start_crawl(self, site_id: str, pid: int | None = None) -> int:
        """Record a crawl of ``site_id`` that starts now; return its id."""
        row = {"site": site_id, "started": _now(), "outcome": "running", "pid": pid}
        with self._transaction(f"starting a crawl of {site_id!r}"):
            rowid = self.db.table("crawls").insert(row).last_rowid
        assert rowid is not None
        return rowid

    def finish_crawl(self, crawl_id: int, outcome: str, stats: CrawlStats) -> None:
        """Record the end of a crawl: ``outcome`` is one of ``CRAWL_OUTCOMES`` but running."""
        if outcome not in CRAWL_OUTCOMES[1:]:
            raise ValueError(f"crawl outcome {outcome!r} is not one of {', '.join(CRAWL_OUTCOMES[1:])}")
        row = {**asdict(stats), "finished": _now(), "outcome": outcome}
        row["errors"] = json.dumps(list(stats.errors), ensure_ascii=False)
        row["errors_count"] = stats.errors_count
        with self._transaction(f"finishing crawl {crawl_id}"):
            if self._one("SELECT id FROM crawls WHERE id = ?", [crawl_id]) is None:
                raise ArchiveError(f"{self.path}: no crawl {crawl_id}; start one with start_crawl()")
            self.db.table("crawls").update(crawl_id, row)

    def close_running_crawls(self, site_id: str, pid: int, outcome: str, errors: Sequence[str] = ()) -> int:
        """Close the crawls of a process that died before closing its own rows."""
        if outcome not in CRAWL_OUTCOMES[1:]:
            raise ValueError(f"crawl outcome {outcome!r} is not one of {CRAWL_OUTCOMES[1:]}")
        with self._transaction(f"closing the crawls of process {pid}"):
            cursor = self.db.execute(
                "UPDATE crawls SET outcome = ?, finished = ?, errors = ?, errors_count = ? "
                "WHERE site = ? AND pid = ? AND outcome = 'running'",
                [outcome, _now(), json.dumps(list(errors), ensure_ascii=False), len(errors), site_id, pid],
            )
        return cursor.rowcount

    # -- pages ------------------------------------------------------------------

    def save_page(self, site_id: str, page: FetchedPage, crawl_id: int | None = None) -> int:
        """Store a raw response (zlib level 6); return its id.

        When the newest stored page of the same URL has the same SHA-256, nothing
        new is stored and that page's id is returned.
        """
        with self._transaction(f"saving page {page.url}"):
            return self._store_page(site_id, page, crawl_id)

    def _store_page(self, site_id: str, page: FetchedPage, crawl_id: int | None) -> int:
        digest = hashlib.sha256(page.body).hexdigest()
        newest = self._one(
            "SELECT id, sha256 FROM pages WHERE url = ? ORDER BY fetched_at DESC, id DESC LIMIT 1",
            [page.url],
        )
        if newest is not None and newest["sha256"] == digest:
            logger.debug("%s: page %s unchanged", self.path, page.url)
            return int(newest["id"])
        row = {
            "site": site_id,
            "url": page.url,
            "crawl": crawl_id,
            "fetched_at": page.fetched_at or _now(),
            "status": page.status,
            "content_type": page.content_type,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "headers": json.dumps(page.headers, ensure_ascii=False, sort_keys=True),
            "size": len(page.body),
            "sha256": digest,
            "body": zlib.compress(page.body, _ZLIB_LEVEL),
        }
        rowid = self.db.table("pages").insert(row).last_rowid
        assert rowid is not None
        return rowid

    def page_body(self, page_id: int) -> bytes:
        """The raw bytes of a stored page, decompressed."""
        with self._errors(f"reading page {page_id}"):
            row = self._one("SELECT body FROM pages WHERE id = ?", [page_id])
        if row is None:
            raise ArchiveError(f"{self.path}: no page {page_id} in the archive")
        return zlib.decompress(row["body"])

    # -- articles ---------------------------------------------------------------

    def known_urls(self, site_id: str) -> set[str]:
        """Every article URL of ``site_id`` in the archive, gone ones included."""
        with self._errors(f"listing the articles of {site_id!r}"):
            rows = self.db.execute("SELECT url FROM articles WHERE site = ?", [site_id]).fetchall()
        return {url for (url,) in rows}

    def article(self, url: str) -> dict[str, Any] | None:
        """The ``articles`` row of ``url``, or None."""
        with self._errors(f"reading article {url}"):
            return self._one("SELECT * FROM articles WHERE url = ?", [url])

    def save_article(
        self,
        site_id: str,
        article: Article,
        *,
        page_id: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> SaveResult:
        """Insert or update one article in one transaction, keyed on its URL.

        A new URL is inserted ("new"); the same content hash only refreshes
        ``last_checked`` ("unchanged"); a different hash moves the current content
        into ``article_versions`` and stores the new one ("changed").
        ``page_id``, ``etag`` and ``last_modified`` describe the response the article
        came from; an unchanged article keeps the stored ones unless new ones are given.
        """
        fetch = {"page": page_id, "etag": etag, "last_modified": last_modified}
        with self._transaction(f"saving article {article.url}"):
            return self._store_article(site_id, article, fetch)

    def save_fetched_article(
        self, site_id: str, page: FetchedPage, article: Article, crawl_id: int | None = None
    ) -> SaveResult:
        """The raw page and the article read from it, in one transaction."""
        with self._transaction(f"saving article {article.url}"):
            page_id = self._store_page(site_id, page, crawl_id)
            fetch = {"page": page_id, "etag": page.etag, "last_modified": page.last_modified}
            return self._store_article(site_id, article, fetch)

    def _store_article(self, site_id: str, article: Article, fetch: dict[str, Any]) -> SaveResult:
        row = _article_row(article)
        now = _now()
        current = self._one("SELECT * FROM articles WHERE url = ?", [article.url])
        if current is None:
            return self._insert_article(site_id, row, fetch, now)
        if current["content_hash"] == row["content_hash"]:
            return self._touch_article(current, fetch, now)
        return self._change_article(current, row, fetch, now)

    def _insert_article(self, site_id: str, row: dict[str, Any], fetch: dict[str, Any], now: str) -> SaveResult:
        times = {"first_seen": now, "last_checked": now, "last_changed": now}
        full = {"site": site_id, **row, **fetch, **times, "version": 1}
        rowid = self.db.table("articles").insert(full).last_rowid
        assert rowid is not None
        logger.debug("%s: new article %s", self.path, row["url"])
        return SaveResult(rowid, "new")

    def _touch_article(self, current: dict[str, Any], fetch: dict[str, Any], now: str) -> SaveResult:
        given = {key: value for key, value in fetch.items() if value is not None}
        update = {"last_checked": now, "gone_since": None, **given}
        self.db.table("articles").update(current["id"], update)
        return SaveResult(current["id"], "unchanged")

    def _change_article(
        self,
        current: dict[str, Any],
        row: dict[str, Any],
        fetch: dict[str, Any],
        now: str,
    ) -> SaveResult:
        earlier = {key: current[key] for key in _VERSIONED}
        earlier.update(article=current["id"], valid_from=current["last_changed"], valid_until=now)
        self.db.table("article_versions").insert(earlier)
        update = {
            **row,
            **fetch,
            "version": current["version"] + 1,
            "last_checked": now,
            "last_changed": now,
            "gone_since": None,
        }
        self.db.table("articles").update(current["id"], update)
        version = update["version"]
        logger.info("%s: article %s changed (v%d)", self.path, row["url"], version)
        return SaveResult(current["id"], "changed")

    def mark_gone(self, url: str) -> bool:
        """Set ``gone_since`` to now; False if the URL is unknown or already gone.

        Nothing is deleted: the row, its text and its versions stay searchable.
        """
        with self._transaction(f"marking {url} gone"):
            cursor = self.db.execute(
                "UPDATE articles SET gone_since = ? WHERE url = ? AND gone_since IS NULL",
                [_now(), url],
            )
        return cursor.rowcount > 0

    def mark_checked(self, url: str) -> None:
        """Set ``last_checked`` to now and clear ``gone_since`` (e.g. after a 304)."""
        with self._transaction(f"marking {url} checked"):
            cursor = self.db.execute(
                "UPDATE articles SET last_checked = ?, gone_since = NULL WHERE url = ?",
                [_now(), url],
            )
        if cursor.rowcount == 0:
            logger.warning("%s: mark_checked: no article %s", self.path, url)

    def versions(self, article_id: int) -> list[dict[str, Any]]:
        """The earlier versions of an article, oldest first (the current one excluded)."""
        with self._errors(f"reading the versions of article {article_id}"):
            return self._rows(
                "SELECT * FROM article_versions WHERE article = ? ORDER BY version",
                [article_id],
            )

    def count_articles(self, site: str | None = None) -> int:
        """How many articles the archive holds, of one site or of all."""
        sql, params = "SELECT count(*) FROM articles", []
        if site is not None:
            sql, params = sql + " WHERE site = ?", [site]
        with self._errors("counting articles"):
            (count,) = self.db.execute(sql, params).fetchone()
        return int(count)

    # -- search and checks ------------------------------------------------------

    def search(self, query: str, *, site: str | None = None, limit: int = 20) -> list[SearchHit]:
        """Full-text search over titles and texts, best first, diacritics ignored.

        Every term must match (in any column); ``dan van`` finds "dân vận" and
        ``da nang`` finds "Đà Nẵng". User text is always quoted, never FTS syntax.
        """
        match = fts_query(query)
        weights = ", ".join(str(w) for w in _BM25_WEIGHTS)
        sql = (
            f"SELECT a.id, a.site, a.url, a.title, a.published, "
            f"snippet({FTS_TABLE}, 1, '[', ']', '…', {_SNIPPET_TOKENS}) AS snippet, "
            f"bm25({FTS_TABLE}, {weights}) AS rank "
            f"FROM {FTS_TABLE} JOIN articles a ON a.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH ? AND (? IS NULL OR a.site = ?) "
            "ORDER BY rank LIMIT ?"
        )
        with self._errors(f"searching for {query[:80]!r}"):
            rows = self._rows(sql, [match, site, site, max(0, limit)])
        return [SearchHit(**{**row, "title": row["title"] or "", "rank": float(row["rank"])}) for row in rows]

    def integrity_check(self) -> list[str]:
        """``PRAGMA integrity_check`` plus FTS5 ``integrity-check``; [] when all is ok.

        The FTS check (rank 1) also compares the index with the ``articles`` rows.
        """
        problems: list[str] = []
        checks = [
            ("PRAGMA integrity_check", "checking integrity"),
            (
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)",
                "checking the full-text index",
            ),
        ]
        for sql, doing in checks:
            try:
                with self._errors(doing):
                    rows = self.db.execute(sql).fetchall()
            except (ArchiveBusyError, DiskFullError):
                raise
            except ArchiveError as error:
                problems.append(f"{doing}: {error.__cause__ or error}")
            else:
                problems.extend(str(row[0]) for row in rows if row[0] != "ok")
        for problem in problems:
            logger.warning("%s: integrity: %s", self.path, problem)
        return problems


def _article_row(article: Article) -> dict[str, Any]:
    """The content columns of an article, every text field NFC."""
    title, text = nfc(article.title), nfc(article.text)
    captions = [nfc(c) or "" for c in article.captions]
    return {
        "url": article.url,
        "title": title,
        "published": article.published,
        "published_from": article.published_from,
        "updated": article.updated,
        "author": nfc(article.author),
        "source": nfc(article.source),
        "text": text,
        "captions": json.dumps(captions, ensure_ascii=False),
        "description": nfc(article.description),
        "language": article.language,
        "folded": folded_terms(title, text),
        "content_hash": content_hash(article),
        "extractor_version": article.extractor_version,
    }
