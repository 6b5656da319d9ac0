"""Typed, frozen records that cross package boundaries.

The crawler builds them; the archive stores them. Every text field is NFC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Site:
    """One site of ``seeds/``: ``id`` is the seed file's stem."""

    id: str
    name: str
    home_url: str
    start_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """One extracted article, as the archive stores it.

    ``published`` is ISO 8601 with the offset (``2022-08-23T16:13:00+07:00``), or a
    date alone (``2022-08-23``) when the page shows no time, or ``None``.
    ``text`` holds the body paragraphs separated by ``\\n``.
    """

    url: str
    title: str
    text: str
    published: str | None = None
    author: str | None = None
    source: str | None = None
    captions: tuple[str, ...] = ()
    description: str | None = None
    updated: str | None = None
    published_from: str | None = None
    language: str | None = None
    extractor_version: str = ""


@dataclass(frozen=True)
class FetchedPage:
    """One HTTP response as fetched, kept raw so it can be re-extracted later."""

    url: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: str = ""

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


@dataclass(frozen=True)
class SearchHit:
    """One full-text search result, best first."""

    id: int
    site: str
    url: str
    title: str
    published: str | None
    snippet: str
    rank: float


@dataclass(frozen=True)
class CrawlStats:
    """The counts of one crawl, stored in its ``crawls`` row when it finishes.

    ``errors`` holds one message per error; ``errors_count`` is its length.
    """

    pages_fetched: int = 0
    articles_new: int = 0
    articles_changed: int = 0
    articles_unchanged: int = 0
    articles_gone: int = 0
    errors: tuple[str, ...] = ()
    articles_rechecked: int = 0
    pages_skipped: int = 0
    notes: tuple[str, ...] = ()

    @property
    def errors_count(self) -> int:
        return len(self.errors)


@dataclass(frozen=True)
class SaveResult:
    """What ``Archive.save_article`` did: ``new``, ``changed``, ``unchanged``, or ``alias``
    (the same article was archived under another URL: this one was added as its alias)."""

    article_id: int
    outcome: Literal["new", "changed", "unchanged", "alias"]


@dataclass(frozen=True)
class KnownArticle:
    """What a crawl needs to know of an archived article to decide whether to fetch it."""

    id: int
    url: str
    published: str | None
    first_seen: str
    last_checked: str | None
    etag: str | None = None
    last_modified: str | None = None
    gone_since: str | None = None
    title: str | None = None  # its headline, to find it on the page again
    page_url: str | None = None  # the URL its page was last fetched at (the key may be lower-cased)


@dataclass(frozen=True)
class KnownUrl:
    """A non-article URL seen before: a ``listing``, ``other`` page, ``feed``, ``sitemap`` or ``missing``."""

    url: str
    kind: str
    last_fetched: str | None = None
    status: int | None = None
    article_links: int = 0


@dataclass(frozen=True)
class KnownListing:
    """A listing (a chain of pages) as earlier crawls walked it: ``pages``, the highest page
    read; ``walked_to_end``, when it was first walked to its last page (None: not yet);
    ``stop_reason``, why its last walk stopped short (None: it reached the end)."""

    listing: str
    first_url: str
    pages: int = 0
    walked_to_end: str | None = None
    stop_reason: str | None = None
    last_walked: str | None = None


@dataclass(frozen=True)
class PendingUrl:
    """A URL a crawl decided to fetch and did not reach: where the next run resumes."""

    url: str
    hops: int = 1
    text: str = ""  # the text of the link it was found by
    via: str | None = None  # the page it was found on
    listing: str | None = None  # a listing's next page: that listing
    page: int | None = None
    walk: str = "backfill"


@dataclass(frozen=True)
class KnownHost:
    """What a host taught about its URLs: case-insensitive paths, parameters that do not matter."""

    host: str
    case_insensitive: bool = False
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True)
class CrawlState:
    """A site's crawl state as the archive holds it: the archive is the crawl state."""

    articles: dict[str, KnownArticle]
    aliases: dict[str, str]  # other URL -> the article's canonical URL
    urls: dict[str, KnownUrl]
    listings: dict[str, KnownListing] = field(default_factory=dict)
    pending: tuple[PendingUrl, ...] = ()
    hosts: dict[str, KnownHost] = field(default_factory=dict)

    def article_for(self, url: str) -> KnownArticle | None:
        """The archived article at ``url`` or at the canonical URL it is an alias of."""
        return self.articles.get(self.aliases.get(url, url))
