"""The archive pipeline: every article page lands in the SQLite archive.

One transaction per article (raw page, then the article's upsert), so a crawl killed
at any point leaves a consistent archive. The crawl itself is a row of ``crawls``,
opened when the spider opens and closed with its outcome and counts.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import asdict
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.items import ArticlePage
from storage.archive import Archive
from storage.records import CrawlStats, Site

logger = logging.getLogger(__name__)
progress = logging.getLogger("provnews.progress")

OUTCOMES = {"finished": "ok", "closespider_pagecount": "ok", "shutdown": "interrupted"}


class ArchivePipeline:
    """Write :class:`~crawler.items.ArticlePage` items to the archive."""

    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.counts: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        pipeline = cls(crawler, crawler.settings.get("PROVNEWS_DB"))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider: Spider) -> None:
        seed = spider.seed  # type: ignore[attr-defined]
        self.archive = Archive(self.db_path)
        self.archive.upsert_site(Site(seed.id, seed.name, seed.home_url, tuple(seed.start_urls)))
        self.crawl_id = self.archive.start_crawl(seed.id, pid=os.getpid())
        progress.info("crawl started", extra={"event": {"event": "start", "site": seed.id, "crawl": self.crawl_id}})

    def process_item(self, item: Any, spider: Spider) -> Any:
        if not isinstance(item, ArticlePage) or self.archive is None:
            return item
        result = self.archive.save_fetched_article(item.site, item.page, item.article, self.crawl_id)
        self.counts[result.outcome] += 1
        progress.info(
            "%s %s",
            result.outcome,
            item.article.url,
            extra={
                "event": {
                    "event": "article",
                    "site": item.site,
                    "outcome": result.outcome,
                    "id": result.article_id,
                    "url": item.article.url,
                    "title": item.article.title,
                    "published": item.article.published,
                }
            },
        )
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Close the crawl's row with its outcome: the close reason is known only here."""
        if self.archive is None or self.crawl_id is None:
            return
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        errors = [
            f"{key}: {value}"
            for key, value in sorted(stats.items())
            if key.startswith(("log_count/ERROR", "spider_exceptions/", "downloader/exception_type_count/"))
        ]
        crawl_stats = CrawlStats(
            pages_fetched=int(stats.get("response_received_count", 0)),
            articles_new=self.counts["new"],
            articles_changed=self.counts["changed"],
            articles_unchanged=self.counts["unchanged"],
            articles_gone=self.counts["gone"],
            errors=tuple(errors),
        )
        outcome = OUTCOMES.get(reason, "failed")
        self.archive.finish_crawl(self.crawl_id, outcome, crawl_stats)
        progress.info(
            "crawl finished",
            extra={
                "event": {
                    "event": "finish",
                    "site": spider.seed.id,
                    "crawl": self.crawl_id,  # type: ignore[attr-defined]
                    "outcome": outcome,
                    "reason": reason,
                    **asdict(crawl_stats),
                }
            },
        )
        self.archive.close()
        self.archive = None
