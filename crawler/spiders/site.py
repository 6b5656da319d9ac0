"""The generic site spider: from a seed's start URLs to every article of the site.

``scrapy crawl site -a site=langson-mirror`` works as well as ``provnews crawl``.
Every same-site link is followed within the depth and page limits; each HTML page is
run through :func:`crawler.extraction.extract_article`, and what comes back as an
article is handed to the archive pipeline. Articles the archive already holds are
not fetched again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor

from crawler.extraction import extract_article
from crawler.items import ArticlePage
from crawler.seeds import Seed, load_seed
from crawler.urls import normalize_url, same_site
from storage.archive import Archive
from storage.records import FetchedPage

logger = logging.getLogger(__name__)

SEED_SETTINGS = {
    "DOWNLOAD_DELAY": "download_delay",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "concurrent_requests_per_host",
    "ROBOTSTXT_OBEY": "obey_robots",
    "AUTOTHROTTLE_ENABLED": "autothrottle",
    "CLOSESPIDER_PAGECOUNT": "max_pages",
    "DEPTH_LIMIT": "max_depth",
}


FEED_LINKS = "//item/link/text() | //entry/link/@href | //urlset/url/loc/text() | //sitemapindex/sitemap/loc/text()"


class SiteSpider(scrapy.Spider):
    """Crawl one site of ``seeds/``, named by ``-a site=ID``."""

    name = "site"
    seed: Seed
    known: set[str]
    links: LinkExtractor
    allowed_domains: list[str]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        site_id = kwargs.get("site") or getattr(spider, "site", None)
        if not site_id:
            raise ValueError("name the site to crawl: scrapy crawl site -a site=ID")
        seeds = Path(crawler.settings.get("PROVNEWS_SEEDS"))
        spider.seed = load_seed(seeds / f"{site_id}.toml")
        for setting, field in SEED_SETTINGS.items():
            crawler.settings.set(setting, getattr(spider.seed, field), priority="spider")
        spider.allowed_domains = list(spider.seed.hosts)
        with Archive(crawler.settings.get("PROVNEWS_DB")) as archive:
            spider.known = archive.known_urls(spider.seed.id)
        spider.links = LinkExtractor(unique=True)
        logger.info("%s: %d articles already archived", spider.seed.id, len(spider.known))
        return spider

    async def start(self) -> Any:
        for url in self.seed.start_urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)
        for url in self.seed.feeds + self.seed.sitemaps:
            yield scrapy.Request(url, callback=self.parse_feed, dont_filter=True)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """An RSS/Atom feed or a sitemap named by the seed: follow the pages it lists."""
        if not isinstance(response, TextResponse):
            return
        response.selector.remove_namespaces()
        for href in response.xpath(FEED_LINKS).getall():
            url = normalize_url(response.urljoin(href.strip()))
            if url not in self.known and same_site(url, self.seed.hosts):
                callback = self.parse_feed if href.strip().endswith((".xml", ".xml.gz")) else self.parse
                yield scrapy.Request(url, callback=callback)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        if not isinstance(response, TextResponse) or b"html" not in _content_type(response):
            return
        item = self.article_from(response)
        if item is not None:
            yield item
        for link in self.links.extract_links(response):
            url = normalize_url(link.url)
            if url in self.known or not same_site(url, self.seed.hosts):
                continue
            yield response.follow(url, callback=self.parse)

    def article_from(self, response: TextResponse) -> ArticlePage | None:
        content_type = _content_type(response).decode("latin-1")
        article = extract_article(response.body, normalize_url(response.url), content_type)
        if article is None:
            return None
        canonical = self.canonical_url(response)
        if canonical != article.url:
            article = replace(article, url=canonical)
        self.known.add(article.url)
        self.known.add(normalize_url(response.url))
        headers = {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        page = FetchedPage(
            url=response.url,
            status=response.status,
            body=response.body,
            headers=headers,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        return ArticlePage(site=self.seed.id, page=page, article=article)

    def canonical_url(self, response: TextResponse) -> str:
        """``rel=canonical`` or ``og:url`` when on the same site, else the normalised URL."""
        for href in (
            response.xpath("//link[@rel='canonical']/@href").get(),
            response.xpath("//meta[@property='og:url']/@content").get(),
        ):
            if href:
                url = normalize_url(response.urljoin(href.strip()))
                if same_site(url, self.seed.hosts):
                    return url
        return normalize_url(response.url)


def _content_type(response: Response) -> bytes:
    return (response.headers.get(b"Content-Type") or b"text/html").lower()
