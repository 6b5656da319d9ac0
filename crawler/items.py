"""What the spider hands the pipelines: a fetched page and the article read from it."""

from __future__ import annotations

from dataclasses import dataclass

from storage.records import Article, FetchedPage


@dataclass(frozen=True)
class ArticlePage:
    """An article page: the raw response (kept compressed) and its extraction."""

    site: str
    page: FetchedPage
    article: Article
