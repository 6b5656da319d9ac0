"""Articles, their versions and the raw pages they were read from.

Writes are idempotent: an article is upserted on its URL in one transaction together
with its raw page; the same content only updates ``last_checked``; a different content
hash moves the old state to ``article_versions``. Nothing archived is ever deleted.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from storage.database import Database, utc_now
from storage.errors import ArchiveError
from storage.records import Article, FetchedPage, SaveResult
from storage.text import content_hash, folded_terms, nfc

logger = logging.getLogger(__name__)

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


class ArticleStore(Database):
    """Articles, versions and raw pages."""

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
            "fetched_at": page.fetched_at or utc_now(),
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
        self,
        site_id: str,
        page: FetchedPage,
        article: Article,
        crawl_id: int | None = None,
        *,
        done: Sequence[str] = (),
    ) -> SaveResult:
        """The raw page and the article read from it, in one transaction; ``done``: the URLs
        whose fetch this was, no longer pending (in the same transaction)."""
        with self._transaction(f"saving article {article.url}"):
            page_id = self._store_page(site_id, page, crawl_id)
            fetch = {"page": page_id, "etag": page.etag, "last_modified": page.last_modified}
            result = self._store_article(site_id, article, fetch)
            if done:
                self.db.conn.executemany(
                    "DELETE FROM pending WHERE site = ? AND url = ?", [[site_id, url] for url in done]
                )
            return result

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
                    outcome = self._store_article(site_id, article, fetch).outcome
                    counts[outcome] = counts.get(outcome, 0) + 1  # "alias" only when one happened
        return counts

    def _store_article(self, site_id: str, article: Article, fetch: dict[str, Any]) -> SaveResult:
        row = _article_row(article)
        now = utc_now()
        current = self._one("SELECT * FROM articles WHERE url = ?", [article.url])
        if current is None:
            twin = self._one(
                "SELECT id, url FROM articles WHERE site = ? AND content_hash = ? ORDER BY id LIMIT 1",
                [site_id, row["content_hash"]],
            )
            if twin is not None:  # the same article under another URL: one row, this URL an alias
                self.db.execute(
                    "INSERT OR IGNORE INTO article_aliases (url, article, site, first_seen) VALUES (?, ?, ?, ?)",
                    [article.url, twin["id"], site_id, now],
                )
                self.db.execute("UPDATE articles SET last_checked = ? WHERE id = ?", [now, twin["id"]])
                logger.info(
                    "%s: %s is article %s (%s) again: kept as an alias", self.path, article.url, twin["id"], twin["url"]
                )
                return SaveResult(twin["id"], "alias")
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
                [utc_now(), url],
            )
        return cursor.rowcount > 0

    def mark_checked(self, url: str) -> None:
        """Set ``last_checked`` to now and clear ``gone_since`` (e.g. after a 304)."""
        with self._transaction(f"marking {url} checked"):
            cursor = self.db.execute(
                "UPDATE articles SET last_checked = ?, gone_since = NULL WHERE url = ?",
                [utc_now(), url],
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
