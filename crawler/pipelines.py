"""The archive pipeline: everything the spider learns lands in the SQLite archive.

One transaction per article (its raw page and its upsert together), so a crawl killed
at any point leaves a consistent archive. The crawl itself is a row of ``crawls``,
opened when the spider opens and closed with its outcome, counts and notes.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import asdict
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from crawler.items import AliasFound, ArticleGone, ArticleNotModified, ArticlePage, PageUnread, UrlsDone, UrlsQueued
from crawler.net.safety import DELIBERATE_SKIPS, failure_categories, refusal_notes
from storage.archive import Archive
from storage.errors import DiskFullError
from storage.records import CrawlStats, Site

logger = logging.getLogger(__name__)
progress = logging.getLogger("provnews.progress")

OUTCOMES = {"finished": "ok", "closespider_pagecount": "ok", "shutdown": "interrupted"}
ERROR_STATS = ("log_count/ERROR", "spider_exceptions/", "downloader/exception_type_count/")


class ArchivePipeline:
    """Write the spider's items to the archive."""

    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.counts: Counter[str] = Counter()
        self.unread_reasons: Counter[str] = Counter()
        self.fatal: str | None = None

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
        archive = self.archive
        if archive is None or self.fatal:
            return item
        try:
            return self._write(archive, item)
        except DiskFullError as error:  # nothing of this item was kept: stop, the next run resumes
            logger.error("%s", error)
            self.fatal = f"disk_full: {error}"
            if self.crawler.engine is not None:
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="disk_full"))
            return item

    def _write(self, archive: Archive, item: Any) -> Any:
        if isinstance(item, UrlsQueued):
            archive.add_pending(item.site, item.entries)
        elif isinstance(item, UrlsDone):
            archive.drop_pending(item.site, item.urls)
        elif isinstance(item, ArticlePage):
            result = archive.save_fetched_article(item.site, item.page, item.article, self.crawl_id, done=item.done)
            self.counts[result.outcome] += 1
            self.counts["rechecked"] += item.rechecked
            self._event(
                item.site,
                result.outcome,
                item.article.url,
                result.article_id,
                item.article.title,
                item.article.published,
            )
        elif isinstance(item, ArticleNotModified):
            archive.mark_checked(item.url)
            self.counts["unchanged"] += 1
            self.counts["rechecked"] += 1
        elif isinstance(item, ArticleGone):
            self.counts["rechecked"] += 1
            if archive.mark_gone(item.url):
                self.counts["gone"] += 1
                row = archive.article(item.url) or {}
                self._event(item.site, "gone", item.url, row.get("id"), row.get("title"), row.get("published"))
        elif isinstance(item, AliasFound):
            archive.save_alias(item.site, item.url, item.canonical_url)
        elif isinstance(item, PageUnread):
            archive.save_page(item.site, item.page, self.crawl_id, extract_error=item.error)
            self.counts["unread"] += 1
            self.unread_reasons[item.error] += 1
        return item

    def _event(self, site: str, outcome: str, url: str, article_id: Any, title: Any, published: Any) -> None:
        event = {
            "event": "article",
            "site": site,
            "outcome": outcome,
            "id": article_id,
            "url": url,
            "title": title,
            "published": published,
        }
        progress.info("%s %s", outcome, url, extra={"event": event})

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Close the crawl's row with its outcome: the close reason is known only here."""
        if self.archive is None or self.crawl_id is None:
            return
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        errors = [
            f"{key}: {value}"
            for key, value in sorted(stats.items())
            if key.startswith(ERROR_STATS) and key.rsplit(".", 1)[-1] not in DELIBERATE_SKIPS
        ]
        frontier = getattr(spider, "frontier", None)
        skipped: Counter[str] = frontier.skipped if frontier is not None else Counter()
        notes = [f"{reason}: {count} not fetched" for reason, count in sorted(skipped.items())]
        if frontier is not None:
            notes.extend(f"learned: {lesson}" for lesson in frontier.identity.learned)
        if reason == "closespider_pagecount":
            notes.append(f"stopped at the limit of {self.crawler.settings.getint('CLOSESPIDER_PAGECOUNT')} pages")
        for error, count in sorted(self.unread_reasons.items()):
            notes.append(f"extract_failed: {count} page(s) kept raw, not read: {error}")
        forbidden = int(stats.get("robotstxt/forbidden", 0))
        if forbidden:
            notes.append(f"robots.txt: {forbidden} not fetched")
        if not getattr(spider, "start_pages_read", 0):
            errors.append("no start page could be read")
        errors.extend(failure_categories(stats))
        notes.extend(refusal_notes(stats))
        if self.fatal:
            errors.append(self.fatal)
        crawl_stats = CrawlStats(
            pages_fetched=int(stats.get("downloader/response_count", 0)),
            articles_new=self.counts["new"],
            articles_changed=self.counts["changed"],
            articles_unchanged=self.counts["unchanged"],
            articles_gone=self.counts["gone"],
            errors=tuple(errors),
            articles_rechecked=self.counts["rechecked"],
            pages_skipped=sum(skipped.values()) + forbidden,
            notes=tuple(notes),
        )
        outcome = OUTCOMES.get(reason, "failed")
        if (outcome == "ok" and not getattr(spider, "start_pages_read", 0)) or self.fatal:
            outcome = "failed"
        self.archive.finish_crawl(self.crawl_id, outcome, crawl_stats)
        event = {
            "event": "finish",
            "site": spider.seed.id,  # type: ignore[attr-defined]
            "crawl": self.crawl_id,
            "outcome": outcome,
            "reason": reason,
            **asdict(crawl_stats),
            "peak_rss_mb": peak_rss_mb() + (pool.peak_rss_mb() if (pool := getattr(spider, "pool", None)) else 0),
        }
        progress.info("crawl finished", extra={"event": event})
        self.archive.close()
        self.archive = None


def peak_rss_mb() -> int:
    """This process's peak resident memory in MiB since it started (``VmHWM``; 0 where unknown).

    Not ``ru_maxrss``: that one survives ``exec`` and so reports the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0
