"""The SQLite archive: idempotent writes, article versions, raw pages and search.

One ``Archive`` wraps one ``sqlite_utils.Database`` in WAL mode. Every write that
belongs together runs in one ``BEGIN IMMEDIATE`` transaction, so a process killed at
any point leaves either all of it or none of it::

    with Archive("archive.db") as archive:
        archive.upsert_site(Site("langson", "Lạng Sơn", "https://langson.gov.vn/"))
        result = archive.save_article("langson", article)
        hits = archive.search("dan van")

It is made of one store per responsibility, on one connection: :mod:`storage.database`
(the file, transactions, errors), :mod:`storage.crawls` (sites and crawls),
:mod:`storage.crawlstate` (what crawls remember between runs), :mod:`storage.articles`
(articles, versions, raw pages) and :mod:`storage.search` (search and reads).
"""

from __future__ import annotations

from storage.articles import ArticleStore
from storage.crawls import CRAWL_OUTCOMES, CrawlLog
from storage.crawlstate import CrawlMemory
from storage.search import SEARCH_RANK_WINDOW, SearchIndex

__all__ = ["CRAWL_OUTCOMES", "SEARCH_RANK_WINDOW", "Archive"]


class Archive(CrawlLog, CrawlMemory, ArticleStore, SearchIndex):
    """The archive file: open it, write articles and pages, search it, check it."""
