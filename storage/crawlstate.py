"""The crawl state a site's crawls leave for the next: the archive is the crawl state.

What the crawler needs to know from earlier runs (:class:`~storage.records.CrawlState`):
the site's articles and their other URLs, what each non-article URL turned out to be,
how far each listing was walked, the URLs it decided to fetch and did not reach
(``pending``: where the next run resumes), and what each host taught about its URLs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from storage.database import Database, utc_now
from storage.records import CrawlState, KnownArticle, KnownHost, KnownListing, KnownUrl, PendingUrl


class CrawlMemory(Database):
    """A site's crawl state."""

    def known_urls(self, site_id: str) -> set[str]:
        """Every article URL of ``site_id`` in the archive, gone ones included."""
        with self._errors(f"listing the articles of {site_id!r}"):
            rows = self.db.execute("SELECT url FROM articles WHERE site = ?", [site_id]).fetchall()
        return {url for (url,) in rows}

    def crawl_state(self, site_id: str) -> CrawlState:
        """Everything a crawl of ``site_id`` needs to know from earlier runs."""
        with self._errors(f"reading the crawl state of {site_id!r}"):
            articles = self._rows(
                "SELECT a.id, a.url, a.published, a.first_seen, a.last_checked, a.etag, a.last_modified, a.gone_since, "
                "a.title, p.url AS page_url FROM articles a LEFT JOIN pages p ON p.id = a.page WHERE a.site = ?",
                [site_id],
            )
            aliases = self.db.execute(
                "SELECT l.url, a.url FROM article_aliases l JOIN articles a ON a.id = l.article WHERE l.site = ?",
                [site_id],
            ).fetchall()
            urls = self._rows(
                "SELECT url, kind, last_fetched, status, article_links FROM urls WHERE site = ?", [site_id]
            )
            listings = self._rows(
                "SELECT listing, first_url, pages, walked_to_end, stop_reason, last_walked FROM listings "
                "WHERE site = ?",
                [site_id],
            )
            pending = self._rows(
                "SELECT url, hops, link_text AS text, via, listing, page, walk FROM pending WHERE site = ? "
                "ORDER BY rowid",
                [site_id],
            )
            hosts = self._rows("SELECT host, case_insensitive, ignored_params FROM hosts WHERE site = ?", [site_id])
        return CrawlState(
            listings={row["listing"]: KnownListing(**row) for row in listings},
            pending=tuple(PendingUrl(**{**row, "text": row["text"] or ""}) for row in pending),
            hosts={
                row["host"]: KnownHost(
                    row["host"], bool(row["case_insensitive"]), tuple(json.loads(row["ignored_params"]))
                )
                for row in hosts
            },
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
                [url, row["id"], site_id, utc_now()],
            )
        return cursor.rowcount > 0

    def remember_urls(self, site_id: str, urls: Sequence[KnownUrl]) -> None:
        """Record what non-article URLs turned out to be, for the next runs."""
        now = utc_now()
        with self._transaction(f"remembering {len(urls)} pages of {site_id!r}"):
            self.db.conn.executemany(
                "INSERT INTO urls (url, site, kind, first_seen, last_fetched, status, article_links) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET kind = excluded.kind, "
                "last_fetched = excluded.last_fetched, status = excluded.status, "
                "article_links = excluded.article_links",
                [[u.url, site_id, u.kind, now, u.last_fetched or now, u.status, u.article_links] for u in urls],
            )

    def add_pending(self, site_id: str, entries: Sequence[PendingUrl]) -> None:
        """Record URLs a crawl decided to fetch: until they are done, the next run resumes them."""
        if not entries:
            return
        now = utc_now()
        with self._transaction(f"recording {len(entries)} pending URLs of {site_id!r}"):
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO pending (site, url, hops, link_text, via, listing, page, walk, added) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[site_id, e.url, e.hops, e.text, e.via, e.listing, e.page, e.walk, now] for e in entries],
            )

    def drop_pending(self, site_id: str, urls: Sequence[str]) -> None:
        """URLs fetched (whatever they turned out to be): no longer pending."""
        if urls:
            with self._transaction(f"marking {len(urls)} URLs of {site_id!r} done"):
                self._drop_pending(site_id, urls)

    def _drop_pending(self, site_id: str, urls: Sequence[str]) -> None:
        self.db.conn.executemany("DELETE FROM pending WHERE site = ? AND url = ?", [[site_id, u] for u in urls])

    def count_pending(self, site_id: str) -> int:
        with self._errors(f"counting the pending URLs of {site_id!r}"):
            (count,) = self.db.execute("SELECT count(*) FROM pending WHERE site = ?", [site_id]).fetchone()
        return int(count)

    def save_listings(self, site_id: str, listings: Sequence[KnownListing]) -> None:
        """Record how far each listing was walked (see :class:`~storage.records.KnownListing`)."""
        if not listings:
            return
        with self._transaction(f"recording {len(listings)} listings of {site_id!r}"):
            self.db.conn.executemany(
                "INSERT INTO listings (site, listing, first_url, pages, walked_to_end, stop_reason, last_walked) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(site, listing) DO UPDATE SET "
                "pages = max(coalesce(listings.pages, 0), excluded.pages), "
                "walked_to_end = coalesce(listings.walked_to_end, excluded.walked_to_end), "
                "stop_reason = excluded.stop_reason, last_walked = excluded.last_walked",
                [
                    [site_id, k.listing, k.first_url, k.pages, k.walked_to_end, k.stop_reason, k.last_walked]
                    for k in listings
                ],
            )

    def save_hosts(self, site_id: str, hosts: Sequence[KnownHost]) -> None:
        """Record what each host of the site taught about its URLs."""
        if not hosts:
            return
        now = utc_now()
        with self._transaction(f"recording the hosts of {site_id!r}"):
            self.db.conn.executemany(
                "INSERT INTO hosts (site, host, case_insensitive, ignored_params, updated) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(site, host) DO UPDATE SET case_insensitive = excluded.case_insensitive, "
                "ignored_params = excluded.ignored_params, updated = excluded.updated",
                [[site_id, h.host, int(h.case_insensitive), json.dumps(list(h.ignored)), now] for h in hosts],
            )
