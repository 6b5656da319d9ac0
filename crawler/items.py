"""What the spider hands the pipelines: one record per thing the archive must learn."""

from __future__ import annotations

from dataclasses import dataclass

from storage.records import Article, FetchedPage, PendingUrl


@dataclass(frozen=True)
class ArticlePage:
    """An article page: the raw response (kept compressed) and its extraction."""

    site: str
    page: FetchedPage
    article: Article
    rechecked: bool = False
    done: tuple[str, ...] = ()  # the URLs whose fetch this was: no longer pending


@dataclass(frozen=True)
class PageUnread:
    """An HTML page that could not be read in time (or at all): its raw bytes are kept, marked."""

    site: str
    page: FetchedPage
    error: str


@dataclass(frozen=True)
class ArticleNotModified:
    """A conditional recheck answered 304: the article is still there, unchanged."""

    site: str
    url: str


@dataclass(frozen=True)
class ArticleGone:
    """A known article now answers 404 or 410: marked gone, its content kept."""

    site: str
    url: str
    status: int


@dataclass(frozen=True)
class AliasFound:
    """Another URL of an archived article (tracking variant, print version, old address)."""

    site: str
    url: str
    canonical_url: str


@dataclass(frozen=True)
class UrlsQueued:
    """URLs the crawl decided to fetch: pending until done, so that the next run resumes them."""

    site: str
    entries: tuple[PendingUrl, ...]


@dataclass(frozen=True)
class UrlsDone:
    """URLs fetched and dealt with (not as an article: that is ``ArticlePage.done``)."""

    site: str
    urls: tuple[str, ...]
