"""The generic site spider: from a seed's start URLs to every article of the site.

``scrapy crawl site -a site=langson-mirror`` works as well as ``provnews crawl``.
Link decisions live in :class:`crawler.discover.frontier.Frontier`; this module is the Scrapy
glue: requests, responses, feeds and sitemaps, conditional rechecks, items.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip

from crawler.discover.frontier import Frontier
from crawler.discover.recheck import conditional_headers
from crawler.discover.urls import normalize_url, same_site
from crawler.items import AliasFound, ArticleGone, ArticleNotModified, ArticlePage, PageUnread
from crawler.pool import ExtractionFailed, ExtractionPool, shared_pool, worker_count
from crawler.seeds import Seed, load_seed
from storage.archive import Archive
from storage.records import FetchedPage, KnownArticle

if TYPE_CHECKING:
    from crawler.extract.page import PageRead

logger = logging.getLogger(__name__)

SEED_SETTINGS = {
    "DOWNLOAD_DELAY": "download_delay",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "concurrent_requests_per_host",
    "ROBOTSTXT_OBEY": "obey_robots",
    "AUTOTHROTTLE_ENABLED": "autothrottle",
    "CLOSESPIDER_PAGECOUNT": "max_pages",
}
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
GONE_STATUSES = (404, 410)


class SiteSpider(scrapy.Spider):
    """Crawl one site of ``seeds/``, named by ``-a site=ID``."""

    name = "site"
    seed: Seed
    frontier: Frontier
    pool: ExtractionPool
    allowed_domains: list[str]
    pending_aliases: dict[str, set[str]]
    start_pages_read: int = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        site_id = kwargs.get("site") or getattr(spider, "site", None)
        if not site_id:
            raise ValueError("name the site to crawl: scrapy crawl site -a site=ID")
        spider.seed = load_seed(Path(crawler.settings.get("PROVNEWS_SEEDS")) / f"{site_id}.toml")
        for setting, field in SEED_SETTINGS.items():
            crawler.settings.set(setting, getattr(spider.seed, field), priority="spider")
        spider.allowed_domains = list(spider.seed.hosts)
        with Archive(crawler.settings.get("PROVNEWS_DB")) as archive:
            state = archive.crawl_state(spider.seed.id)
        spider.frontier = Frontier(
            spider.seed, state, datetime.now(UTC), stop_after=crawler.settings.getint("PROVNEWS_STOP_AFTER_KNOWN", 1)
        )
        settings = crawler.settings
        spider.pool = shared_pool(
            worker_count(settings.get("PROVNEWS_EXTRACT_WORKERS")),
            settings.getfloat("PROVNEWS_EXTRACT_TIMEOUT"),
            settings.getint("PROVNEWS_EXTRACT_WORKER_MAX_RSS_MB"),
        )
        spider.pending_aliases = {}
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        logger.info("%s: %d articles already archived", spider.seed.id, len(state.articles))
        return spider

    async def start(self) -> AsyncIterator[Any]:
        self.pool.start()  # the workers import while robots.txt and the first pages download
        for url in self.seed.start_urls:
            self.frontier.requested.add(normalize_url(url))
            yield scrapy.Request(url, callback=self.parse, dont_filter=True, meta={"start": True, "hops": 0})
        for url in self.seed.feeds + self.seed.sitemaps:
            yield self.xml_request(url)
        if not self.crawler.settings.getbool("ROBOTSTXT_OBEY"):
            yield self.xml_request(urljoin(self.seed.home_url, "/sitemap.xml"), optional=True)
        for article in self.frontier.due_rechecks():
            yield self.recheck_request(article)

    # -- robots.txt, feeds and sitemaps -----------------------------------------

    def robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Sitemaps named by robots.txt (else ``/sitemap.xml``), and its Crawl-delay."""
        parser = getattr(robotparser, "rp", None)
        sitemaps = [url for url in getattr(parser, "sitemaps", ()) or () if same_site(url, self.seed.hosts)]
        home = normalize_url(f"{urlsplit(request.url).scheme}://{urlsplit(request.url).netloc}/sitemap.xml")
        if not sitemaps and self.frontier.recently_missing(home):
            self.frontier.skipped["no /sitemap.xml last time"] += 1
        for url in sitemaps or ([] if self.frontier.recently_missing(home) else [home]):
            if normalize_url(url) not in self.frontier.requested:
                self.crawler.engine.crawl(self.xml_request(url, optional=not sitemaps))
        delay = parser.crawl_delay(self.crawler.settings.get("USER_AGENT")) if parser else None
        if delay:
            self.honour_crawl_delay(float(delay), request)

    def honour_crawl_delay(self, delay: float, request: scrapy.Request) -> None:
        delay = min(delay, 60.0)
        slot_key = urlsplit(request.url).hostname or ""
        slot = self.crawler.engine.downloader.slots.get(slot_key)
        if slot is not None and slot.delay < delay:
            slot.delay, slot.jitter = delay, 0.0
        if getattr(self, "download_delay", 0) < delay:
            self.download_delay = delay
        logger.info("%s: robots.txt asks for %.1f s between requests: honoured", self.seed.id, delay)

    def xml_request(self, url: str, optional: bool = False) -> scrapy.Request:
        self.frontier.requested.add(normalize_url(url))
        meta: dict[str, Any] = {"xml": True}
        if optional:
            meta["handle_httpstatus_list"] = list(GONE_STATUSES)
        return scrapy.Request(url, callback=self.parse_xml, meta=meta)

    def parse_xml(self, response: Response) -> Iterator[Any]:
        """An RSS/Atom feed, a sitemap or a sitemap index: fetch what is new or changed."""
        source = normalize_url(response.url)
        if response.status != 200:
            self.frontier.xml_seen(source, response.status, "missing")
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
        root = etree.fromstring(body, parser=XML_PARSER) if body.strip() else None
        if root is None:
            return
        kind = "sitemap" if etree.QName(root).localname in ("urlset", "sitemapindex") else "feed"
        self.frontier.xml_seen(source, response.status, kind)
        for url, changed, is_sitemap in _xml_entries(root, response.url):
            url = normalize_url(url)
            if not same_site(url, self.seed.hosts):
                continue
            if is_sitemap:
                if url not in self.frontier.requested and not self.frontier.sitemap_unchanged(url, changed):
                    yield self.xml_request(url)
                continue
            known = self.frontier.known(url)
            if known is not None:
                article = self.frontier.recheck_if_changed(url, changed)
                if article is not None:
                    yield self.recheck_request(article)
            elif self.frontier.follow_listed(url, changed):
                yield scrapy.Request(url, callback=self.parse, meta={"hops": 1})

    # -- pages ------------------------------------------------------------------

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        if response.meta.get("start"):
            self.start_pages_read += 1
        if not isinstance(response, TextResponse) or b"html" not in _content_type(response):
            return
        read = await self.read_page(response)
        if isinstance(read, PageUnread):
            yield read
            return
        for url in read.feeds:
            if url not in self.frontier.requested and same_site(url, self.seed.hosts):
                yield self.xml_request(url)
        items = list(self.article_items(response, read))
        for item in items:
            yield item
        links = [(url, text) for url, text in read.links if same_site(url, self.seed.hosts)]
        source = normalize_url(response.url)
        streak = None
        if not items:
            self.frontier.page_seen(
                source, response.status, [url for url, _ in links], start=bool(response.meta.get("start"))
            )
            unseen = self.frontier.unseen([url for url, _ in links], source)
            streak = 0 if unseen else response.meta.get("streak", 0) + 1
        hops = response.meta.get("hops", 0)
        start, article = bool(response.meta.get("start")), bool(items)
        for url, text in links:
            # the next page of a listing that leads to articles is no deeper than the page before
            # (the stop rule bounds it); of one that leads to none, one step deeper
            deeper = self.frontier.pagination_depth(source) if self.frontier.is_pagination(url, text, source) else 1
            if hops + deeper > self.seed.max_depth and not self.frontier.is_article(url):
                continue
            if self.frontier.follow(url, text, source, from_start=start, new_streak=streak, from_article=article):
                meta = {"hops": hops + deeper, "streak": streak or 0}
                if not article:
                    meta["listing"] = source
                yield scrapy.Request(url, callback=self.parse, meta=meta)

    async def read_page(self, response: TextResponse) -> PageRead | PageUnread:
        """The page read in the extraction pool, or, when it cannot be, its raw page to keep, marked."""
        try:
            return await self.pool.read(response.body, response.url, _content_type(response).decode("latin-1"))
        except ExtractionFailed as error:
            logger.warning("%s: %s: %s; the raw page is kept", self.seed.id, response.url, error)
            return PageUnread(self.seed.id, _fetched_page(response), str(error))

    def article_items(self, response: TextResponse, read: PageRead, rechecked: bool = False) -> Iterator[Any]:
        """The article on this page (under its canonical URL) and the aliases found for it."""
        fetched = normalize_url(response.url)
        canonical = next((url for url in read.canonicals if same_site(url, self.seed.hosts)), fetched)
        if canonical != fetched and not rechecked:
            self.frontier.add_article(fetched)
            if self.frontier.is_article(canonical) or canonical in self.frontier.requested:
                yield from self.alias(fetched, canonical)
                return
            self.pending_aliases.setdefault(canonical, set()).add(fetched)
            self.frontier.requested.add(canonical)
            meta: dict[str, Any] = {key: response.meta[key] for key in ("hops", "listing") if key in response.meta}
            yield scrapy.Request(canonical, callback=self.parse, meta={"hops": 1, **meta})
            return
        reading = read.reading
        if reading.article is None or reading.reason:
            logger.debug("%s: not an article: %s", response.url, reading.reason)
            return
        self.frontier.add_article(canonical, fetched)
        if listing := response.meta.get("listing"):
            self.frontier.found_article_from(listing)
        article = replace(reading.article, url=canonical)
        yield ArticlePage(self.seed.id, _fetched_page(response), article, rechecked=rechecked)
        for alias in sorted(self.pending_aliases.pop(canonical, ())):
            yield AliasFound(self.seed.id, alias, canonical)

    def alias(self, url: str, canonical: str) -> Iterator[AliasFound]:
        if self.frontier.is_article(canonical):
            yield AliasFound(self.seed.id, url, canonical)
        else:
            self.pending_aliases.setdefault(canonical, set()).add(url)

    # -- rechecks ---------------------------------------------------------------

    def recheck_request(self, article: KnownArticle) -> scrapy.Request:
        meta = {"handle_httpstatus_list": [304, *GONE_STATUSES], "recheck": article.url, "hops": 1}
        headers = conditional_headers(article)
        return scrapy.Request(article.url, callback=self.parse_recheck, headers=headers, meta=meta, dont_filter=True)

    async def parse_recheck(self, response: Response) -> AsyncIterator[Any]:
        url = response.meta["recheck"]
        if response.status == 304:
            yield ArticleNotModified(self.seed.id, url)
        elif response.status in GONE_STATUSES:
            yield ArticleGone(self.seed.id, url, response.status)
        elif isinstance(response, TextResponse):
            read = await self.read_page(response)
            items = [read] if isinstance(read, PageUnread) else list(self.article_items(response, read, True))
            if not items:
                logger.warning("%s: %s no longer reads as an article; the archived version is kept", self.seed.id, url)
                self.frontier.skipped["rechecks that no longer read as articles"] += 1
            for item in items:
                yield item

    def closed(self, reason: str) -> None:
        """Remember what each non-article page was, for the next run."""
        remembered = self.frontier.remembered()
        if remembered:
            with Archive(self.crawler.settings.get("PROVNEWS_DB")) as archive:
                archive.remember_urls(self.seed.id, remembered)


def _xml_entries(root: Any, base: str) -> Iterator[tuple[str, str | None, bool]]:
    """``(url, date of last change, is a sitemap)`` for each entry of a feed or sitemap."""
    for node in root.iter():
        tag = etree.QName(node).localname if isinstance(node.tag, str) else ""
        if tag in ("url", "sitemap"):
            loc = _child_text(node, "loc")
            changed = _child_text(node, "lastmod") or _child_text(node, "publication_date")
            if loc:
                yield urljoin(base, loc), changed, tag == "sitemap"
        elif tag in ("item", "entry"):
            link = _child_text(node, "link") or _atom_link(node)
            changed = _child_text(node, "updated") or _child_text(node, "pubDate") or _child_text(node, "published")
            if link:
                yield urljoin(base, link), _rfc822_to_iso(changed), False


def _child_text(node: Any, name: str) -> str | None:
    for child in node.iter():
        if isinstance(child.tag, str) and etree.QName(child).localname == name and child is not node:
            text = (child.text or "").strip()
            if text:
                return text
    return None


def _atom_link(node: Any) -> str | None:
    for child in node:
        if isinstance(child.tag, str) and etree.QName(child).localname == "link" and child.get("href"):
            if child.get("rel") in (None, "alternate"):
                return str(child.get("href"))
    return None


def _rfc822_to_iso(value: str | None) -> str | None:
    """RSS dates are RFC 822 ("Tue, 23 Aug 2022 09:13:00 GMT"); Atom's are ISO already."""
    if not value or value[:4].isdigit():
        return value
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError):
        return None


def _fetched_page(response: Response) -> FetchedPage:
    headers = {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
    return FetchedPage(response.url, response.status, response.body, headers, _now())


def _content_type(response: Response) -> bytes:
    return (response.headers.get(b"Content-Type") or b"text/html").lower()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
