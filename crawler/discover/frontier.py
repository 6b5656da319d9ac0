"""The crawl frontier of one run: which URL to fetch, and when, given what the archive holds.

The archive is the crawl state (no JOBDIR carried between runs). A run:

- reads the start pages, the feeds and the sitemaps, and resumes what an earlier run
  left pending (``pending``: URLs it had decided to fetch and did not reach, next pages
  of listings among them): a backfill cut by a timeout, ``max_pages``, a stop or a crash
  goes on where it stopped, and no article is fetched twice;
- walks every listing it meets **to its end** until that listing has been walked to its
  end once; after that, a walk from the listing's first page goes on only while pages
  bring something never seen before (after ``stop_after`` pages in a row with nothing
  new, it stops). A listing whose pages repeat stops there. Each listing's walk is kept
  (``listings``): pages read, walked to its end or not, why it stopped;
- follows the next page of a listing that leads to articles at no extra depth; the next
  page of one that leads to none is a step deeper (a made-up listing stops at ``max_depth``);
- fetches a known article only when a recheck is due (:mod:`crawler.discover.recheck`),
  and a known non-article page only when it is a listing linked from a start page, or
  once a month (contact, about); a date archive (``/2026/08/``) read after its period
  ended is not read again;
- takes every URL through the site's identity (:mod:`crawler.discover.identity`): one
  page, one URL; a link that differs from a known or requested URL only by a trailing
  slash is that URL;
- never follows traps (:mod:`crawler.discover.links`), and counts what it skipped and why.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from crawler.discover.identity import SiteIdentity
from crawler.discover.links import classify_link, is_calendar
from crawler.discover.listings import Pager, is_step_text, read_pager
from crawler.discover.recheck import parse_time, recheck_due
from crawler.discover.urls import HostRules, same_site
from crawler.seeds import Seed
from storage.records import CrawlState, KnownArticle, KnownHost, KnownListing, KnownUrl, PendingUrl

logger = logging.getLogger(__name__)

LISTING_MIN_ARTICLE_LINKS = 2
CHROME_MIN_PAGES = 10
OTHER_PAGE_REFETCH = timedelta(days=30)
DATE_ARCHIVE = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/(?:([0-3]?\d)/?)?$")
# a period ends at midnight of the site's day; a site's clock may be anywhere from UTC-12 to UTC+14
PERIOD_SLACK = timedelta(hours=14)
BACKFILL, HEAD = "backfill", "head"
HEADLINE_WORDS, HEADLINE_CHARS = 8, 40
SLUG_HYPHENS, SLUG_CHARS = 4, 25
STORY_ID = re.compile(r"\d{3,}")
YEAR = re.compile(r"(?:19|20)\d\d")


def _headline_key(text: str) -> str | None:
    """A link text long enough to be a story's headline, as a key (two links with the same
    headline lead to the same story)."""
    words = text.split()
    return " ".join(words).casefold() if len(words) >= HEADLINE_WORDS and len(text) >= HEADLINE_CHARS else None


def _slug_key(url: str) -> str | None:
    """A URL's last path segment when it is a story's long slug (``/8-tin-tuc/466-tuyen-duong-
    dien-hinh-dan-van-kheo.html`` and ``/tin-tuc/466-…`` are one story), as a key."""
    parts = urlsplit(url)
    last = parts.path.rstrip("/").rpartition("/")[2].lower()
    return f"{parts.netloc}/{last}" if last.count("-") >= SLUG_HYPHENS and len(last) >= SLUG_CHARS else None


def _story_ids(url: str) -> frozenset[str]:
    """The numbers of 3 digits or more in a URL's path and query but years (an article's
    id, as ``466`` in ``/tin-tuc/466-khai-mac.html`` or ``48370`` in ``?assetEntryId=48370``)."""
    parts = urlsplit(url)
    return frozenset(n for n in STORY_ID.findall(f"{parts.path}?{parts.query}") if not YEAR.fullmatch(n))


def _may_be_one_story(a: str, b: str) -> bool:
    """Two URLs with the same headline or slug are one story unless both carry ids and share
    none (a weekly "Lịch công tác tuần …" under a new id each week)."""
    ids_a, ids_b = _story_ids(a), _story_ids(b)
    return not (ids_a and ids_b) or bool(ids_a & ids_b)


def period_end(url: str) -> datetime | None:
    """When the period of a date archive ends (``/2026/08/`` → the end of August 2026, UTC,
    plus ``PERIOD_SLACK`` for the site's time zone), or None when ``url`` is not one."""
    match = DATE_ARCHIVE.search(urlsplit(url).path)
    if match is None or urlsplit(url).query:
        return None
    year, month, day = int(match[1]), int(match[2]), match[3]
    try:
        if day is None:
            start = datetime(year, month, calendar.monthrange(year, month)[1], tzinfo=UTC)
        else:
            start = datetime(year, month, int(day), tzinfo=UTC)
    except ValueError:  # the 31st of June
        return None
    return start + timedelta(days=1) + PERIOD_SLACK


def slash_twin(url: str) -> str | None:
    """``url`` with its trailing slash taken off or put on (``/a/`` ↔ ``/a``); None for a
    site's root and for file-like paths (``/a.html``)."""
    parts = urlsplit(url)
    path = parts.path
    if path in ("", "/"):
        return None
    if path.endswith("/"):
        twin = path.rstrip("/")
    elif "." in path.rsplit("/", 1)[-1]:
        return None
    else:
        twin = path + "/"
    return parts._replace(path=twin).geturl()


@dataclass(frozen=True)
class Visit:
    """Why a URL is fetched: what the spider carries from a link to its response.

    ``hops``: links followed from a start page; ``text``: the link's text; ``via``: the
    page it was found on; ``listing`` and ``page``: the listing it is a page of, and which;
    ``walk``: ``backfill`` (to the end) or ``head`` (while there is news); ``streak``: pages
    in a row of that walk with nothing new. ``url`` is the page's URL as the site is known
    (its key); ``fetch``, what is asked for: the URL as the link wrote it.
    """

    url: str
    hops: int = 1
    text: str = ""
    via: str | None = None
    listing: str | None = None
    page: int | None = None
    walk: str = BACKFILL
    streak: int = 0
    start: bool = False
    from_article: bool = False
    facet: bool = False  # a tag, author or date listing
    found_on: str | None = None  # the listing whose page linked here
    href: str = ""  # the URL to ask for: as linked (a server that says it ignores case may not)

    @property
    def fetch(self) -> str:
        return self.href or self.url

    def pending(self) -> PendingUrl:
        return PendingUrl(self.fetch, self.hops, self.text, self.via, self.listing, self.page, self.walk)


@dataclass(frozen=True)
class SeenLinks:
    """A page's links on the site, canonical, traps left out, each URL once with the first
    text that says something (an image's empty link, then its headline); its pager if it has
    one, read from every link and text (``« Trang trước`` and ``13`` to one page)."""

    links: tuple[tuple[str, str], ...]
    pager: Pager | None
    linked_as: dict[str, str] = field(default_factory=dict)  # canonical URL -> as the page wrote it


@dataclass
class ListingWalk:
    """One listing in this run: the pages read, where its walk stands."""

    listing: str
    first_url: str
    known: KnownListing | None
    pages: set[int] = field(default_factory=set)
    items: set[str] = field(default_factory=set)  # links its pages showed this run (a page repeating them: the end)
    end: int | None = None  # its last page, once read
    waiting: str | None = None  # its next page, requested and not read yet
    resumed: bool = False  # an earlier run's walk of it goes on from where it stopped
    stopped: str | None = None  # why a walk of it stopped short of the end

    def record(self, now: str, interrupted: str | None) -> KnownListing:
        known = self.known
        walked = known.walked_to_end if known is not None else None
        if self.end is not None and walked is None:
            walked = now
        stop = None if self.end is not None else (interrupted if self.waiting else self.stopped)
        pages = max([*self.pages, known.pages if known else 0])
        return KnownListing(self.listing, self.first_url, pages, walked, stop, now)


@dataclass
class Frontier:
    """Decisions about URLs for one crawl of one site (see the module docstring)."""

    seed: Seed
    state: CrawlState
    now: datetime
    stop_after: int = 1
    max_rechecks: int = 500
    identity: SiteIdentity = field(init=False)
    articles: set[str] = field(default_factory=set)
    requested: set[str] = field(default_factory=set)
    # requested from an article's page (related news, next/previous): such a request
    # says nothing of whether a listing page that also links there brings news
    from_articles: set[str] = field(default_factory=set)
    rechecked: set[str] = field(default_factory=set)  # canonical
    counted_news: set[str] = field(default_factory=set)  # news once a run, not on every page
    productive: set[str] = field(default_factory=set)  # listings that lead to articles
    walks: dict[str, ListingWalk] = field(default_factory=dict)
    start_links: set[str] = field(default_factory=set)
    start_pages: set[str] = field(default_factory=set)  # the start pages' URLs, redirects followed
    page_links: dict[str, tuple[int, frozenset[str], bool]] = field(default_factory=dict)
    xml_kinds: dict[str, tuple[int, str]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    led: Counter[str] = field(default_factory=Counter)  # new URLs requested from each page
    # a headline or slug -> the URLs followed (or archived) with it
    story_keys: dict[str, set[str]] = field(default_factory=dict)
    fetched: set[str] = field(default_factory=set)  # pages read this run (canonical)
    dropped: set[str] = field(default_factory=set)  # requests dropped as redundant (their pending rows go)
    archived: dict[str, str] = field(default_factory=dict)  # an article's canonical URL -> its URL in the archive
    _identity_version: int = 0

    def __post_init__(self) -> None:
        hosts = {h.host: HostRules(h.case_insensitive, frozenset(h.ignored)) for h in self.state.hosts.values()}
        self.identity = SiteIdentity(self.seed.hosts, hosts)
        self.articles = {self.canonical(u) for u in (*self.state.articles, *self.state.aliases)}
        self._known = {self.canonical(u): a for u, a in self.state.articles.items()}
        self._known.update(
            {
                self.canonical(u): self.state.articles[c]
                for u, c in self.state.aliases.items()
                if c in self.state.articles
            }
        )
        self._urls = {self.canonical(u): k for u, k in self.state.urls.items()}
        self.archived = {self.canonical(u): u for u in self.state.articles}
        self._remember_stories()
        self._identity_version = self.identity.version

    # -- URLs -------------------------------------------------------------------

    def canonical(self, url: str) -> str:
        """The URL as this site knows it (re-keys what the run holds when a rule was learned)."""
        found = self.identity.canonical(url)
        if self.identity.version != self._identity_version:
            self._rekey()
        return found

    def _rekey(self) -> None:
        self._identity_version = self.identity.version
        canon = self.identity.canonical
        self.articles = {canon(u) for u in self.articles}
        self.fetched = {canon(u) for u in self.fetched}
        self.requested = {canon(u) for u in self.requested}
        self.from_articles = {canon(u) for u in self.from_articles}
        self._known = {canon(u): a for u, a in self._known.items()}
        self._urls = {canon(u): k for u, k in self._urls.items()}
        self.archived = {canon(u): k for u, k in self.archived.items()}
        self.story_keys = {key: {canon(u) for u in urls} for key, urls in self.story_keys.items()}
        self._identity_version = self.identity.version

    def archive_url(self, key: str, written: str) -> str:
        """The URL the article known as ``key`` (canonical) is archived under: the one it
        already has, else ``written`` (a URL of it as the site wrote it) in its archived form."""
        found = self.archived.get(key)
        if found is None:
            found = self.archived[key] = self.identity.written(written)
        return found

    def fetched_already(self, url: str) -> bool:
        """A queued request whose URL, with what the site taught since it was made, names a
        page read this run (under another URL: a page is requested once)."""
        now = self.canonical(url)
        return now in self.fetched or (now in self.articles and now not in self.rechecked)

    def on_site(self, url: str) -> bool:
        return same_site(url, self.seed.hosts)

    # -- articles ---------------------------------------------------------------

    def is_article(self, url: str) -> bool:
        return url in self.articles

    def known(self, url: str) -> KnownArticle | None:
        return self._known.get(url)

    def add_article(self, *urls: str) -> None:
        self.articles.update(urls)

    def due_rechecks(self) -> list[KnownArticle]:
        """Known articles whose recheck is due by age, youngest first, at most ``max_rechecks``."""
        due = [a for a in self.state.articles.values() if recheck_due(a, self.now)]
        due.sort(key=lambda a: a.published or a.first_seen, reverse=True)
        if len(due) > self.max_rechecks:
            self.skipped["rechecks over the per-run limit"] += len(due) - self.max_rechecks
        return self.claim_rechecks(due[: self.max_rechecks])

    def recheck_if_changed(self, url: str, changed: str | None) -> KnownArticle | None:
        """A known article that a feed or sitemap says changed after the last check."""
        known = self.known(url)
        moment = parse_time(changed)
        if known is None or moment is None or not recheck_due(known, self.now, moment):
            return None
        return next(iter(self.claim_rechecks([known])), None)

    def claim_rechecks(self, articles: list[KnownArticle]) -> list[KnownArticle]:
        fresh = [a for a in articles if self.canonical(a.url) not in self.rechecked]
        self.rechecked.update(self.canonical(a.url) for a in fresh)
        return fresh

    # -- what to fetch ----------------------------------------------------------

    def resumed(self) -> list[Visit]:
        """What earlier runs left pending, to be fetched first: the backfill goes on."""
        visits = []
        for entry in self.state.pending:
            url = self.canonical(entry.url)
            if url in self.requested or (self.is_article(url) and self.known(url) is not None):
                continue
            if self._same_story(url, entry.text):  # left pending under two URLs by two pages
                self.dropped.add(entry.url)
                continue
            self.requested.add(url)
            visit = Visit(url, entry.hops, entry.text, entry.via, entry.listing, entry.page, entry.walk, href=entry.url)
            if entry.listing:
                walk = self._walk(entry.listing, entry.via or url)
                walk.waiting, walk.resumed = url, True
            visits.append(visit)
        if visits:
            logger.info("%s: resuming %d URLs left pending by an earlier run", self.seed.id, len(visits))
        return visits

    def read_links(self, page_url: str, links: Iterable[tuple[str, str]]) -> SeenLinks:
        """A fetched page's links as this site knows them (canonical, on the site, traps left
        out and counted), and its pager, if it is a page of a listing."""
        on_site: list[tuple[str, str]] = []
        texts: dict[str, str] = {}
        linked_as: dict[str, str] = {}
        traps: set[str] = set()
        for raw, text in links:
            url = self.canonical(raw)
            if url in traps or not self.on_site(url):
                continue
            kind = classify_link(url, from_calendar=is_calendar(page_url))
            if kind.trap:
                traps.add(url)
                if url not in self.requested:
                    self.skipped[kind.trap] += 1
                continue
            on_site.append((url, text))
            linked_as.setdefault(url, raw)
            if not texts.get(url, "").strip():
                texts[url] = text
        return SeenLinks(tuple(texts.items()), read_pager(page_url, on_site), linked_as)

    def not_an_article(
        self, visit: Visit, page_url: str, seen: SeenLinks, canonicals: Iterable[str] = ()
    ) -> str | None:
        """Why a page the extraction read as an article is none, by what the crawl knows of
        it: a start page (a home page, under any of its URLs), a page of a listing (it has a
        pager, or was reached as a listing's next page), a tag, author or date listing."""
        if visit.start:
            self.start_pages.add(page_url)
            return "a start page"
        if page_url in self.start_pages or any(self.canonical(url) in self.start_pages for url in canonicals):
            return "a start page"
        if visit.listing is not None or (seen.pager is not None and seen.pager.numbered):
            return "a page of a listing"
        kind = classify_link(page_url)
        if kind.facet or kind.calendar:
            return "a tag, author or date listing"
        return None

    def links(self, visit: Visit, page_url: str, seen: SeenLinks, *, article: bool) -> list[Visit]:
        """The visits to make from a fetched page (``article``: it was archived as one)."""
        on_site = seen.links
        pager = None if article else seen.pager
        pager_links = pager.links if pager is not None else frozenset()
        walk = self._walk_for(visit, page_url, pager) if pager is not None else None
        if walk is None and visit.listing and visit.page and not article:
            # the last page of a walk, showing no pager: its "« Trang trước" is the pager's
            pager_links = frozenset(url for url, text in on_site if is_step_text(text))
            walk = self._walk(visit.listing, visit.via or page_url)
            walk.pages.add(visit.page)
            walk.end = visit.page
            if walk.waiting == page_url:
                walk.waiting = None
        urls = [url for url, _ in on_site if url not in pager_links]
        news = None
        if not article:
            news = self.unseen(urls, visit.start)
            self.page_seen(page_url, 200, urls, start=visit.start, listing=walk.listing if walk else None)
        visits = []
        if walk is not None and pager is not None:
            following = self._next_page(visit, walk, pager, urls, news or 0)
            if following is not None:
                visits.append(replace(following, href=seen.linked_as.get(following.url, "")))
        for url, text in on_site:
            if url in pager_links:
                continue
            follow = self._worth_following(url, text, page_url, visit, article, walk.listing if walk else None)
            if follow is not None:
                visits.append(replace(follow, href=seen.linked_as.get(url, "")))
        if visit.start:
            self.start_links.update(urls)
        return visits

    def _worth_following(
        self, url: str, text: str, page_url: str, visit: Visit, article: bool, listing: str | None
    ) -> Visit | None:
        if url in self.requested or self.is_article(url):
            return None
        if (twin := slash_twin(url)) and (twin in self.requested or self.is_article(twin)):
            self.skipped["the same URL but for a trailing slash"] += 1
            return None
        kind = classify_link(url, from_calendar=is_calendar(page_url))
        if not self._worth_fetching(url, visit.start and not kind.facet):
            return None
        if visit.hops + 1 > self.seed.max_depth:
            self.skipped["deeper than max_depth"] += 1
            return None
        if self._same_story(url, text):
            return None
        self.requested.add(url)
        self.led[page_url] += 1
        if article:
            self.from_articles.add(url)
        return Visit(
            url,
            visit.hops + 1,
            " ".join(text.split())[:300],
            page_url,
            facet=kind.facet or kind.calendar,
            from_article=article,
            found_on=listing,
        )

    def _same_story(self, url: str, text: str) -> bool:
        """A link to a story already requested or archived under another URL: the same
        headline or the same long slug (a home page's box, a category's other path, a
        sitemap's bare URL, a back-link variant left pending by an earlier run), and no id
        that tells them apart: one page, one fetch. Else the link's keys are remembered."""
        keys = [key for key in (_headline_key(text), _slug_key(url)) if key]
        for key in keys:
            if any(other != url and _may_be_one_story(url, other) for other in self.story_keys.get(key, ())):
                self.skipped["links to a story already requested under another URL (same headline or slug)"] += 1
                return True
        for key in keys:
            self.story_keys.setdefault(key, set()).add(url)
        return False

    def _remember_stories(self) -> None:
        """The archived articles' slugs and headlines, as story keys."""
        for url, article in self.state.articles.items():
            canonical = self.canonical(url)
            for key in (_headline_key(article.title or ""), _slug_key(canonical)):
                if key:
                    self.story_keys.setdefault(key, set()).add(canonical)

    def _walk_for(self, visit: Visit, page_url: str, pager: Pager) -> ListingWalk:
        listing = visit.listing or pager.listing
        walk = self._walk(listing, page_url if pager.current == 1 else (visit.via or page_url))
        walk.pages.add(visit.page or pager.current)
        if walk.waiting == page_url:
            walk.waiting = None
        return walk

    def _walk(self, listing: str, first_url: str) -> ListingWalk:
        walk = self.walks.get(listing)
        if walk is None:
            walk = self.walks[listing] = ListingWalk(listing, first_url, self.state.listings.get(listing))
        return walk

    def _next_page(self, visit: Visit, walk: ListingWalk, pager: Pager, urls: list[str], news: int) -> Visit | None:
        """The next page of ``walk``'s listing, when its walk goes on (see the module docstring)."""
        current = visit.page or pager.current
        fresh = [u for u in urls if u not in walk.items]
        walk.items.update(urls)
        if pager.next_url is None:
            walk.end = current
            return None
        url = pager.next_url
        if url in self.requested:
            return None
        mode = visit.walk if visit.listing else self._mode(walk, visit.facet)
        streak = 0 if news else visit.streak + 1
        if not fresh and current > 1:
            walk.stopped = "its pages repeat"
            self.skipped["listing pages that repeat the page before"] += 1
            return None
        if mode == HEAD and streak >= self.stop_after:
            walk.stopped = "nothing new"
            self.skipped["pagination: nothing new on the pages before"] += 1
            return None
        deeper = 0 if walk.listing in self.productive else 1
        if visit.hops + deeper > self.seed.max_depth:
            walk.stopped = "max_depth"
            self.skipped["pagination deeper than max_depth (a listing that led to no article)"] += 1
            return None
        self.requested.add(url)
        walk.waiting = url
        return Visit(
            url, visit.hops + deeper, "", visit.url, walk.listing, current + 1, mode, streak, facet=visit.facet
        )

    def _mode(self, walk: ListingWalk, facet: bool) -> str:
        """A walk from a listing's first page: to the end until it was walked to its end once
        (or while its earlier walk resumes from where it stopped), then while it has news.
        Tag, author and date listings (other views of articles the categories list) are
        walked while they have news."""
        known = walk.known
        if not facet and (known is None or (known.walked_to_end is None and not walk.resumed)):
            return BACKFILL
        return HEAD

    def follow_listed(self, url: str, changed: str | None, title: str = "") -> Visit | None:
        """A page a feed or sitemap lists (not a known article): fetched unless it is
        remembered and neither changed since (by the listed date) nor due by age."""
        if url in self.requested or self.is_article(url):
            return None
        trap = classify_link(url).trap
        if trap:
            self.skipped[trap] += 1
            return None
        if self._same_story(url, title):
            return None
        memory = self._urls.get(url)
        if memory is not None:
            moment, fetched = parse_time(changed), parse_time(memory.last_fetched)
            changed_since = memory.kind != "other" and moment is not None and (fetched is None or moment > fetched)
            if not changed_since and not self._worth_fetching(url, from_start=False):
                self.skipped["listed pages unchanged since the last run"] += 1
                return None
        self.requested.add(url)
        return Visit(url, 1)

    def _worth_fetching(self, url: str, from_start: bool) -> bool:
        memory = self._urls.get(url)
        if memory is None:
            return True
        if memory.kind == "listing":
            if from_start and self._closed_period(url, memory):
                self.skipped["date archives of a period over when last read"] += 1
                return False
            return from_start
        if memory.kind in ("feed", "sitemap"):
            return False
        fetched = parse_time(memory.last_fetched)
        return fetched is None or self.now - fetched >= OTHER_PAGE_REFETCH

    @staticmethod
    def _closed_period(url: str, memory: KnownUrl) -> bool:
        end, fetched = period_end(url), parse_time(memory.last_fetched)
        return end is not None and fetched is not None and fetched >= end

    # -- news -------------------------------------------------------------------

    def _seen(self, url: str) -> bool:
        return url in self.articles or url in self._urls or (url in self.requested and url not in self.from_articles)

    def unseen(self, links: list[str], start: bool = False) -> int:
        """How many links point at URLs never seen before: not archived, not remembered, not
        requested in this run from a page that is not an article (links only articles led to
        so far, e.g. as related news, are still news to a listing), not counted as news by an
        earlier page of this run, not the same but for a trailing slash. Pager links are left
        out by the caller."""
        if start:
            return 0
        fresh = [
            url
            for url in links
            if not self._seen(url)
            and not ((twin := slash_twin(url)) and self._seen(twin))
            and url not in self.counted_news
        ]
        self.counted_news.update(fresh)
        return len(fresh)

    # -- memory -------------------------------------------------------------------

    def found_article_from(self, listing: str | None) -> None:
        """An article was found by a link on a page of ``listing``."""
        if listing:
            self.productive.add(listing)

    def page_seen(
        self, url: str, status: int, links: list[str], *, start: bool = False, listing: str | None = None
    ) -> None:
        """A fetched page that is not an article, with the same-site links it holds. A page
        linking to articles that no start page links to (not the site's "most read" chrome)
        makes its listing productive, as an article found from it does."""
        self.page_links[url] = (status, frozenset(links), listing is not None)
        if start or listing is None:
            return
        articles = sum(1 for link in links if self.is_article(link) and link not in self.start_links)
        if articles >= LISTING_MIN_ARTICLE_LINKS:
            self.productive.add(listing)

    def xml_seen(self, url: str, status: int, kind: str) -> None:
        """A fetched feed or sitemap (``kind``), or ``missing`` when it answered 404/410."""
        self.xml_kinds[url] = (status, kind)

    def sitemap_unchanged(self, url: str, changed: str | None) -> bool:
        """A sitemap whose index says it has not changed since it was last read."""
        memory = self._urls.get(url)
        fetched = parse_time(memory.last_fetched) if memory and memory.kind == "sitemap" else None
        moment = parse_time(changed)
        if fetched is None or moment is None or moment > fetched:
            return False
        self.skipped["sitemaps unchanged since the last run"] += 1
        return True

    def recently_missing(self, url: str) -> bool:
        """A URL that answered 404 not long ago (e.g. a site without /sitemap.xml)."""
        memory = self._urls.get(url)
        fetched = parse_time(memory.last_fetched) if memory and memory.kind == "missing" else None
        return fetched is not None and self.now - fetched < OTHER_PAGE_REFETCH

    def _chrome_links(self) -> set[str]:
        """Links on more than half of the pages seen (menus, sidebars), when there are enough pages to tell."""
        if len(self.page_links) < CHROME_MIN_PAGES:
            return set()
        counts = Counter(link for _, links, _ in self.page_links.values() for link in links)
        return {link for link, count in counts.items() if count > len(self.page_links) / 2}

    def remembered(self) -> list[KnownUrl]:
        """What each non-article page turned out to be, once the run's articles are known.

        A page is a ``listing`` when it has a pager, links to articles beyond the site's chrome
        (the links found on most pages, such as a "most read" sidebar), or led this run to new
        pages (a run cut short may not have reached them), else ``other``.
        """
        now = self.now.isoformat(timespec="seconds")
        remembered = []
        chrome = self._chrome_links()
        for url, (status, links, paged) in self.page_links.items():
            count = sum(1 for link in links if link in self.articles and link not in chrome)
            # a page whose links a cut-short run requested but did not reach is a listing too
            led = self.led[url] >= LISTING_MIN_ARTICLE_LINKS
            kind = "listing" if paged or led or count >= LISTING_MIN_ARTICLE_LINKS else "other"
            known = self._urls.get(url)
            if kind == "other" and known is not None and known.kind == "listing" and not chrome:
                kind, count = "listing", max(count, known.article_links)  # too few pages this run to judge
            remembered.append(KnownUrl(url, kind, now, status, count))
        remembered.extend(KnownUrl(url, kind, now, status) for url, (status, kind) in self.xml_kinds.items())
        return remembered

    def listings(self, interrupted: str | None) -> list[KnownListing]:
        """Every listing walked this run, as the next run must know it; ``interrupted``: why
        the run ended early (its listings with a next page requested and not read stopped there)."""
        now = self.now.isoformat(timespec="seconds")
        return [walk.record(now, interrupted) for walk in self.walks.values()]

    def hosts(self) -> list[KnownHost]:
        """The URL rules of the site's hosts, as learned so far."""
        return [
            KnownHost(host, rules.case_insensitive, tuple(sorted(rules.ignored)))
            for host, rules in sorted(self.identity.rules.items())
        ]
