"""What the spider hands the pipelines: one record per thing the archive must learn."""

from __future__ import annotations

from dataclasses import dataclass

from storage.records import Article, FetchedPage, KnownUrl


@dataclass(frozen=True)
class ArticlePage:
    """An article page: the raw response (kept compressed) and its extraction."""

    site: str
    page: FetchedPage
    article: Article
    rechecked: bool = False


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
class UrlSeen:
    """A fetched page that is not an article: remembered so later runs can skip it."""

    site: str
    url: KnownUrl
