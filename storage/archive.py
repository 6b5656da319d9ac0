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
import itertools
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Self

import sqlite_utils

from storage.errors import ArchiveBusyError, ArchiveError, DiskFullError, SearchError, from_sqlite
from storage.migrations import FTS_TABLE, SEARCH_INDEX, migrate
from storage.pages import PageCodec
from storage.records import (
    Article,
    CrawlState,
    CrawlStats,
    FetchedPage,
    KnownArticle,
    KnownUrl,
    SaveResult,
    SearchHit,
    Site,
)
from storage.text import SEARCH_EXAMPLE, content_hash, folded_terms, fts_query, nfc

logger = logging.getLogger(__name__)

CRAWL_OUTCOMES = ("running", "ok", "failed", "interrupted", "timeout", "crashed")
# bm25 weights for (title, text, folded): a hit in the title counts most.
_BM25_WEIGHTS = (10.0, 1.0, 2.0)
# A query matching more articles than this ranks the most recently archived ones only:
# bm25 costs about a microsecond per match, and a syllable such as "dong" (đồng, Đông)
# matches most of a Vietnamese archive.
SEARCH_RANK_WINDOW = 10_000
_SNIPPET_TOKENS = 16
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
        self.codec = PageCodec(self.db)

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
                self.codec.forget()  # a dictionary made in this transaction is gone with it
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
        row["notes"] = json.dumps(list(stats.notes), ensure_ascii=False)
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

    # -- crawls as the scheduler sees them ---------------------------------------

    def crawl(self, crawl_id: int) -> dict[str, Any] | None:
        """The ``crawls`` row ``crawl_id``, or None."""
        with self._errors(f"reading crawl {crawl_id}"):
            return self._one("SELECT * FROM crawls WHERE id = ?", [crawl_id])

    def find_crawl(self, site_id: str, started_since: str) -> int | None:
        """The newest crawl of ``site_id`` started at or after ``started_since`` (ISO 8601, UTC)."""
        with self._errors(f"finding the crawl of {site_id!r}"):
            row = self._one(
                "SELECT id FROM crawls WHERE site = ? AND started >= ? ORDER BY id DESC LIMIT 1",
                [site_id, started_since],
            )
        return None if row is None else int(row["id"])

    def record_crawl_result(
        self, crawl_id: int, outcome: str, *, exit_code: int | None, seconds: float, log_tail: Sequence[str]
    ) -> None:
        """Add what the crawl's parent saw: the final outcome, exit code, duration, last log lines."""
        if outcome not in CRAWL_OUTCOMES[1:]:
            raise ValueError(f"crawl outcome {outcome!r} is not one of {', '.join(CRAWL_OUTCOMES[1:])}")
        with self._transaction(f"recording the result of crawl {crawl_id}"):
            self.db.execute(
                "UPDATE crawls SET outcome = ?, finished = coalesce(finished, ?), exit_code = ?, seconds = ?, "
                "log_tail = ? WHERE id = ?",
                [outcome, _now(), exit_code, round(seconds, 3), "\n".join(log_tail), crawl_id],
            )

    def add_lost_crawl(
        self, site: Site, outcome: str, *, started: str, exit_code: int | None, seconds: float, log_tail: Sequence[str]
    ) -> int:
        """Record a crawl whose process died before it could open its own ``crawls`` row."""
        if outcome not in CRAWL_OUTCOMES[1:]:
            raise ValueError(f"crawl outcome {outcome!r} is not one of {', '.join(CRAWL_OUTCOMES[1:])}")
        row: dict[str, Any] = {"site": site.id, "started": started, "finished": _now(), "outcome": outcome}
        row.update(exit_code=exit_code, seconds=round(seconds, 3), log_tail="\n".join(log_tail))
        row.update(errors="[]", errors_count=0)
        site_row = [site.id, nfc(site.name), site.home_url, json.dumps(list(site.start_urls)), _now(), _now()]
        with self._transaction(f"recording a lost crawl of {site.id!r}"):
            self.db.execute(
                "INSERT OR IGNORE INTO sites (id, name, home_url, start_urls, added, updated) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                site_row,
            )
            rowid = self.db.table("crawls").insert(row).last_rowid
        assert rowid is not None
        return rowid

    def running_crawls(self) -> list[dict[str, Any]]:
        """The crawls still marked ``running``: id, site, started and pid."""
        with self._errors("listing the running crawls"):
            return self._rows("SELECT id, site, started, pid FROM crawls WHERE outcome = 'running' ORDER BY id")

    def last_crawl_starts(self) -> dict[str, str]:
        """When each site's last crawl started, crawls interrupted by a stop left out."""
        with self._errors("reading when each site was last crawled"):
            rows = self.db.execute(
                "SELECT site, max(started) FROM crawls WHERE outcome != 'interrupted' GROUP BY site"
            ).fetchall()
        return {site: started for site, started in rows if started}

    def site_activity(self, new_since: str) -> dict[str, dict[str, Any]]:
        """Per site: its last crawl (started, finished, outcome), its articles and those first seen since."""
        sql = (
            "SELECT s.id AS site, c.started, c.finished, c.outcome, "
            "(SELECT count(*) FROM articles a WHERE a.site = s.id) AS articles, "
            "(SELECT count(*) FROM articles a WHERE a.site = s.id AND a.first_seen >= ?) AS new "
            "FROM sites s LEFT JOIN crawls c ON c.id = "
            "(SELECT id FROM crawls WHERE site = s.id ORDER BY started DESC, id DESC LIMIT 1)"
        )
        with self._errors("reading the activity of each site"):
            return {row["site"]: row for row in self._rows(sql, [new_since])}

    # -- pages ------------------------------------------------------------------

    def save_page(
        self, site_id: str, page: FetchedPage, crawl_id: int | None = None, *, extract_error: str | None = None
    ) -> int:
        """Store a raw response, compressed (:mod:`storage.pages`); return its id.

        When the newest stored page of the same URL has the same SHA-256, nothing
        new is stored and that page's id is returned. ``extract_error`` marks a page
        that could not be read as an article (kept so it can be read again later).
        """
        with self._transaction(f"saving page {page.url}"):
            return self._store_page(site_id, page, crawl_id, extract_error)

    def _store_page(
        self, site_id: str, page: FetchedPage, crawl_id: int | None, extract_error: str | None = None
    ) -> int:
        digest = hashlib.sha256(page.body).hexdigest()
        newest = self._one(
            "SELECT id, sha256 FROM pages WHERE url = ? ORDER BY fetched_at DESC, id DESC LIMIT 1",
            [page.url],
        )
        if newest is not None and newest["sha256"] == digest:
            logger.debug("%s: page %s unchanged", self.path, page.url)
            if extract_error:
                self.db.execute("UPDATE pages SET extract_error = ? WHERE id = ?", [extract_error, newest["id"]])
            return int(newest["id"])
        stored = self.codec.compress(site_id, page.body)
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
            "body": stored.data,
            "codec": stored.codec,
            "dictionary": stored.dictionary,
            "extract_error": extract_error,
        }
        rowid = self.db.table("pages").insert(row).last_rowid
        assert rowid is not None
        return rowid

    def page_body(self, page_id: int) -> bytes:
        """The raw bytes of a stored page, decompressed."""
        with self._errors(f"reading page {page_id}"):
            row = self._one("SELECT body, codec, dictionary FROM pages WHERE id = ?", [page_id])
            if row is None:
                raise ArchiveError(f"{self.path}: no page {page_id} in the archive")
            return self.codec.decompress(row["codec"], row["dictionary"], row["body"])

    def article_pages(self, site_ids: Sequence[str] = (), *, batch_size: int = 100) -> Iterator[dict[str, Any]]:
        """Every article (of ``site_ids``, or of all sites) with the raw page it was read from.

        Yields, in article id order, dicts with the article's ``id``, ``site``, ``url``,
        ``content_hash``, ``extractor_version``, ``etag``, ``last_modified`` and ``page``,
        and the page's ``page_url``, ``content_type`` and decompressed ``body``. Read in
        batches, so the caller may write to the archive between two items.
        """
        sites = list(site_ids)
        where = f"AND a.site IN ({', '.join('?' * len(sites))})" if sites else ""
        sql = (
            "SELECT a.id, a.site, a.url, a.content_hash, a.extractor_version, a.etag, a.last_modified, a.page, "
            "p.url AS page_url, p.content_type, p.body, p.codec, p.dictionary "
            "FROM articles a JOIN pages p ON p.id = a.page "
            f"WHERE a.id > ? {where} ORDER BY a.id LIMIT ?"
        )
        last = 0
        while True:
            with self._errors("reading stored article pages"):
                rows = self._rows(sql, [last, *sites, max(1, batch_size)])
            if not rows:
                return
            for row in rows:
                with self._errors(f"reading the stored page of {row['url']}"):
                    row["body"] = self.codec.decompress(row.pop("codec"), row.pop("dictionary"), row["body"])
                yield row
            last = rows[-1]["id"]

    # -- articles ---------------------------------------------------------------

    def known_urls(self, site_id: str) -> set[str]:
        """Every article URL of ``site_id`` in the archive, gone ones included."""
        with self._errors(f"listing the articles of {site_id!r}"):
            rows = self.db.execute("SELECT url FROM articles WHERE site = ?", [site_id]).fetchall()
        return {url for (url,) in rows}

    def crawl_state(self, site_id: str) -> CrawlState:
        """Everything a crawl of ``site_id`` needs to know from earlier runs."""
        with self._errors(f"reading the crawl state of {site_id!r}"):
            articles = self._rows(
                "SELECT id, url, published, first_seen, last_checked, etag, last_modified, gone_since "
                "FROM articles WHERE site = ?",
                [site_id],
            )
            aliases = self.db.execute(
                "SELECT l.url, a.url FROM article_aliases l JOIN articles a ON a.id = l.article WHERE l.site = ?",
                [site_id],
            ).fetchall()
            urls = self._rows(
                "SELECT url, kind, last_fetched, status, article_links FROM urls WHERE site = ?", [site_id]
            )
        return CrawlState(
            articles={row["url"]: KnownArticle(**row) for row in articles},
            aliases=dict(aliases),
            urls={row["url"]: KnownUrl(**{**row, "article_links": row["article_links"] or 0}) for row in urls},
        )

    def save_alias(self, site_id: str, url: str, canonical_url: str) -> bool:
        """Record ``url`` as another address of the article at ``canonical_url``."""
        with self._transaction(f"saving alias {url}"):
            row = self._one("SELECT id FROM articles WHERE url = ?", [canonical_url])
            if row is None or url == canonical_url:
                return False
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO article_aliases (url, article, site, first_seen) VALUES (?, ?, ?, ?)",
                [url, row["id"], site_id, _now()],
            )
        return cursor.rowcount > 0

    def remember_urls(self, site_id: str, urls: Sequence[KnownUrl]) -> None:
        """Record what non-article URLs turned out to be, for the next runs."""
        now = _now()
        with self._transaction(f"remembering {len(urls)} pages of {site_id!r}"):
            self.db.conn.executemany(
                "INSERT INTO urls (url, site, kind, first_seen, last_fetched, status, article_links) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET kind = excluded.kind, "
                "last_fetched = excluded.last_fetched, status = excluded.status, "
                "article_links = excluded.article_links",
                [[u.url, site_id, u.kind, now, u.last_fetched or now, u.status, u.article_links] for u in urls],
            )

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

    def save_fetched_articles(
        self,
        site_id: str,
        fetched: Iterable[tuple[FetchedPage, Article]],
        crawl_id: int | None = None,
        *,
        batch_size: int = 500,
    ) -> dict[str, int]:
        """Many (raw page, article) pairs, ``batch_size`` pairs per transaction; the outcome counts.

        The bulk path for imports, merging shards and benchmarks: each pair is stored
        exactly as ``save_fetched_article`` stores it; a killed process keeps whole batches.
        """
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        pairs = iter(fetched)
        while batch := list(itertools.islice(pairs, max(1, batch_size))):
            with self._transaction(f"saving {len(batch)} articles of {site_id!r}"):
                for page, article in batch:
                    page_id = self._store_page(site_id, page, crawl_id)
                    fetch = {"page": page_id, "etag": page.etag, "last_modified": page.last_modified}
                    counts[self._store_article(site_id, article, fetch).outcome] += 1
        return counts

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

    def search(
        self,
        query: str,
        *,
        site: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 20,
    ) -> list[SearchHit]:
        """Full-text search over titles and texts, best first (bm25), diacritics ignored.

        Every term must match (in any column); ``dan van`` finds "dân vận" and
        ``da nang`` finds "Đà Nẵng". User text is always quoted, never FTS syntax.
        ``since``/``until`` are publication days, both included.
        """
        match = fts_query(query.replace("\x00", " "))  # FTS5 reads a query only up to a NUL
        where, params = _article_filters(site, since, until)
        sql = _search_sql(where)
        try:
            with self._errors(f"searching for {query[:80]!r}"):
                rows = self._rows(sql, [match, *params, max(0, limit), match])
        except sqlite3.OperationalError as error:  # the SQL is fixed: only the query can be at fault
            message = f"{query[:80]!r}: the search index could not read it ({error}); {SEARCH_EXAMPLE}"
            raise SearchError(message) from None
        return [SearchHit(**{**row, "title": row["title"] or "", "rank": float(row["rank"])}) for row in rows]

    def iter_articles(
        self,
        columns: Sequence[str],
        *,
        site: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """``columns`` of every article, oldest publication first, one row at a time.

        Reads a cursor, never the whole table, so exports run in constant memory.
        ``since``/``until`` are days (``2022-08-23``), both included; undated articles
        are left out when either is given.
        """
        wanted = ", ".join(f"[{column}]" for column in columns)
        where, params = _article_filters(site, since, until)
        sql = f"SELECT {wanted} FROM articles a WHERE {where} ORDER BY a.published, a.id"
        with self._errors("reading articles"):
            yield from self.db.execute(sql, params)

    def find_article(self, ref: str | int) -> dict[str, Any] | None:
        """The ``articles`` row whose id (``12``) or URL (canonical or alias) is ``ref``, or None."""
        ref = str(ref).strip()
        with self._errors(f"reading article {ref}"):
            if ref.isdigit():
                return self._one("SELECT * FROM articles WHERE id = ?", [int(ref)])
            row = self._one("SELECT * FROM articles WHERE url = ?", [ref])
            if row is None and self.db["article_aliases"].exists():
                row = self._one(
                    "SELECT a.* FROM articles a JOIN article_aliases l ON l.article = a.id WHERE l.url = ?", [ref]
                )
            return row

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


def _article_filters(site: str | None, since: str | None, until: str | None) -> tuple[str, list[Any]]:
    """The WHERE clause (on ``articles a``) and parameters for a site and publication days."""
    clauses, params = ["1"], []
    if site is not None:
        clauses.append("a.site = ?")
        params.append(site)
    if since is not None:
        clauses.append("a.published >= ?")
        params.append(_day(since, "since"))
    if until is not None:
        clauses.append("a.published < date(?, '+1 day')")
        params.append(_day(until, "until"))
    return " AND ".join(clauses), params


def _day(value: str, name: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ArchiveError(f"{name}: {value!r} is not a day; write it as 2022-08-23") from None


def _search_sql(where: str) -> str:
    """Rank the matches on the index alone, then read and snippet only the best ``limit``.

    A snippet reads the whole text, so it is made for the best rows only (``CROSS JOIN``
    keeps SQLite from scanning the matches a second time). The articles table is joined
    for filters only, through the covering ``SEARCH_INDEX``, never through its large rows.
    Without filters, only the ``SEARCH_RANK_WINDOW`` most recently archived matches are
    ranked (the rowid range is read from the index in order, at no ranking cost).
    """
    weights = ", ".join(str(w) for w in _BM25_WEIGHTS)
    fts = FTS_TABLE
    filtered = "" if where == "1" else f"JOIN articles a INDEXED BY {SEARCH_INDEX} ON a.id = {fts}.rowid "
    window = (
        f"{fts}.rowid >= coalesce((SELECT min(rowid) FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH ?1 "
        f"ORDER BY rowid DESC LIMIT {SEARCH_RANK_WINDOW})), 0)"
        if where == "1"
        else "1"
    )
    return (
        f"WITH best AS (SELECT {fts}.rowid AS id, bm25({fts}, {weights}) AS rank FROM {fts} {filtered}"
        f"WHERE {fts} MATCH ?1 AND {where} AND {window} ORDER BY rank LIMIT ?) "
        "SELECT a.id, a.site, a.url, a.title, a.published, "
        f"snippet({fts}, 1, '[', ']', '…', {_SNIPPET_TOKENS}) AS snippet, best.rank "
        f"FROM best CROSS JOIN {fts} ON {fts}.rowid = best.id CROSS JOIN articles a ON a.id = best.id "
        f"WHERE {fts} MATCH ? ORDER BY best.rank"
    )
