"""A template family of the zoo: how one CMS renders a site's stories, and what a crawl must find.

A family is a :class:`Family` subclass in ``tests/zoo/families/<name>.py`` with its data
and templates in ``tests/fixtures/zoo/<name>/``: ``site.toml`` (who the site is, what it
writes about, how many articles; ``[variant.<v>]`` tables override it per variant) and
the Jinja templates its ``render`` uses (``tests/fixtures/zoo/common/`` holds the feed and
sitemap templates every family may use). A family has at least two variants: the same
CMS as two bodies run it (another version, other settings, another encoding). Nothing
else needs to change for a family to be served, crawled and scored.

The helpers here are what families share: rendering a template into a :class:`Page`,
listing chunks and pagers, "related" and "most read" stories, tags.
"""

from __future__ import annotations

import bisect
import functools
import tomllib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any, ClassVar

from jinja2 import Environment, FileSystemLoader

from scheduler.demo.mirror import Page, Renderer
from zoo.stories import ZOO_DIR, SiteState, States, Story, nfc, slugify

HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
GZIP = "application/x-gzip"  # what nginx and IIS send for a static .xml.gz: the gzip file itself, no Content-Encoding
WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


@dataclass(frozen=True)
class GoldArticle:
    """What the archive must hold for one article of a zoo site."""

    path: str  # canonical path (with its query where the CMS keys articles by one)
    title: str
    published: str  # ISO 8601 in Vietnam time; the date alone where the page shows no time
    source: str | None
    author: str | None
    text: str  # body paragraphs joined by "\n", NFC


@dataclass(frozen=True)
class FixtureSite:
    """One zoo site in its two states, and the answers a crawl must give."""

    id: str  # the seed id
    family: str  # the family's name
    variant: str
    name: str
    today: date
    home_path: str  # the start URL's path
    listing_paths: tuple[str, ...]  # first pages of the paginated listings; new articles top the first one
    new_paths: tuple[str, ...]  # articles added on day 2
    edited_path: str  # edited on day 2, same URL
    edit_signalled: bool  # the edit moves a sitemap <lastmod> / feed <updated> (else only the page changes)
    deleted_path: str  # answers deleted_status on day 2, gone from listings, feeds and sitemaps
    deleted_status: int
    disallowed_prefixes: tuple[str, ...]  # robots-disallowed and linked from pages: never to be requested
    trap_patterns: tuple[str, ...]  # regexes (re.search on path + query) of trap URLs, to count their requests
    non_article_paths: tuple[str, ...]  # pages that exist and must never be archived
    feed_paths: tuple[str, ...]  # feeds and sitemaps the site offers (discoverable, not required)
    stable_old_pages: bool  # day 2 leaves month-old articles byte for byte (same ETag, Last-Modified): False
    # where a "latest posts" sidebar changes every page, though their text stays the same
    origin: str = ""  # where the family's page structure comes from
    renderers: tuple[Renderer, Renderer] = field(default=(), repr=False, compare=False)  # type: ignore[assignment]
    golds: tuple[tuple[GoldArticle, ...], tuple[GoldArticle, ...]] = field(default=((), ()), repr=False, compare=False)

    def render(self, day: int) -> Renderer:
        """The site on ``day`` (1 or 2), for ``MirrorServer(render=...)`` or ``replace_site``.

        On day 2 every page whose bytes changed is Last-Modified at the moment the renderer runs.
        """
        return self.renderers[_day_index(day)]

    def gold(self, day: int) -> list[GoldArticle]:
        """The articles the site holds on ``day``, newest first."""
        return list(self.golds[_day_index(day)])


def _day_index(day: int) -> int:
    if day not in (1, 2):
        raise ValueError(f"day must be 1 or 2, not {day!r}")
    return day - 1


class Family(ABC):
    """A site's template family: its URLs, its pages for a state, and what it promises a crawler.

    Subclasses set ``name`` (the folder of their data and templates), ``variants`` and
    ``origin``, and implement ``path``, ``listings``, ``non_articles`` and ``render``.
    ``self.variant`` tells a variant's code apart; ``self.cfg`` is the variant's data.
    """

    name: ClassVar[str] = ""
    variants: ClassVar[tuple[str, ...]] = ("a", "b")
    origin: ClassVar[str] = ""  # the real sites and public page sources the structure follows
    held_out: ClassVar[bool] = False  # written after the rules were settled, scored once before any change
    home_path = "/"
    disallowed: tuple[str, ...] = ()
    traps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    stable_old_pages = True

    def __init__(self, variant: str, site_id: str = "", cfg: dict[str, Any] | None = None) -> None:
        if variant not in self.variants:
            raise ValueError(f"{self.name}: no variant {variant!r} (has {', '.join(self.variants)})")
        self.variant = variant
        self.cfg = cfg if cfg is not None else family_config(self.name, variant)
        self.site_id = site_id or f"{self.name}-{variant}"
        self.env = environment(self.name)

    # -- what a family defines ----------------------------------------------------

    @abstractmethod
    def path(self, story: Story) -> str:
        """The article's canonical path (and query), as the archive must key it."""

    def published(self, story: Story) -> str:
        """The publication date the page shows: with its time, or the day alone."""
        return story.published.isoformat()

    @abstractmethod
    def listings(self) -> tuple[str, ...]:
        """The first pages of the site's paginated listings."""

    @abstractmethod
    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        """Pages that exist and must never be archived as articles."""

    @abstractmethod
    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        """Every page of the site in ``state`` by path (a ``GeneratedPages`` for pages made
        on request), and the page served for unknown paths."""

    # -- what the zoo does with it ----------------------------------------------------

    def gold(self, story: Story) -> GoldArticle:
        return GoldArticle(self.path(story), story.title, self.published(story), story.source, story.author, story.text)

    def fixture_site(self, states: States, today: date) -> FixtureSite:
        day1, day2 = states.days
        return FixtureSite(
            id=self.site_id,
            family=self.name,
            variant=self.variant,
            name=self.cfg["name"],
            today=today,
            home_path=self.home_path,
            listing_paths=self.listings(),
            new_paths=tuple(self.path(s) for s in states.new),
            edited_path=self.path(states.edited),
            edit_signalled=bool(self.feeds),
            deleted_path=self.path(states.deleted),
            deleted_status=int(self.cfg["deleted_status"]),
            disallowed_prefixes=self.disallowed,
            trap_patterns=self.traps,
            non_article_paths=self.non_articles(day1),
            feed_paths=self.feeds,
            stable_old_pages=self.stable_old_pages,
            origin=self.origin,
            renderers=(functools.partial(self.render, day1), functools.partial(self._render_later, day1, day2)),
            golds=(tuple(map(self.gold, day1.stories)), tuple(map(self.gold, day2.stories))),
        )

    def _render_later(self, before: SiteState, after: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        """``after`` as served once the site has changed: a page whose bytes differ from ``before`` is
        Last-Modified now, on the real clock (the site's own dates are yesterday's, earlier than a crawl
        of ``before`` may have run), so no client gets a 304 for a page that changed since it looked."""
        pages, not_found = self.render(after, base_url)
        old = self.render(before, base_url)[0]
        now = datetime.now(UTC).replace(microsecond=0)
        for path, page in list(pages.items()):
            if page.status == 200 and (path not in old or old[path].body != page.body):
                pages[path] = replace(page, last_modified=max(page.last_modified, now))
        return pages, not_found

    def html_maker(self, pages: dict[str, Page], common: dict[str, Any]) -> Callable[..., None]:
        """A function adding one HTML page rendered from a template to ``pages``."""

        def add(path: str, template: str, modified: datetime, **context: Any) -> None:
            if path in pages:
                raise ValueError(f"{self.name}: two pages render to {path}")
            body = self.env.get_template(template).render(common, path=path, **context)
            pages[path] = make_page(body, HTML, modified)

        return add

    def gone_page(self, state: SiteState, pages: dict[str, Page], template: str, common: dict[str, Any]) -> None:
        """On day 2 the deleted article answers its status (410 with a page; 404 is the default)."""
        if state.gone is not None and self.cfg["deleted_status"] == 410:
            body = self.env.get_template(template).render(common, path=self.path(state.gone))
            pages[self.path(state.gone)] = make_page(body, HTML, state.updated, status=410)


@functools.cache
def _family_data(name: str) -> dict[str, Any]:
    return nfc(tomllib.loads((ZOO_DIR / name / "site.toml").read_text(encoding="utf-8")))


def family_config(name: str, variant: str) -> dict[str, Any]:
    """A family's ``site.toml`` with the ``[variant.<variant>]`` table laid over it."""
    data = dict(_family_data(name))
    overrides = data.pop("variant", {}).get(variant, {})
    return {**data, **overrides}


@functools.cache
def environment(name: str) -> Environment:
    """The Jinja environment of a family: its own templates, then the common ones."""
    env = Environment(loader=FileSystemLoader([ZOO_DIR / name, ZOO_DIR / "common"]), autoescape=True)
    env.filters.update(
        dmy=lambda d: d.strftime("%d/%m/%Y"),
        dmyhm=lambda d: d.strftime("%d/%m/%Y %H:%M"),
        weekday=lambda d: f"{WEEKDAYS[d.weekday()]}, {d:%d/%m/%Y %H:%M}",
        iso=lambda d: d.isoformat(),
        rfc822=lambda d: format_datetime(d),
        slug=slugify,
        excerpt=lambda text: " ".join(text.split()[:35]) + " […]",
    )
    return env


def make_page(body: str | bytes, content_type: str, modified: datetime, **extra: Any) -> Page:
    """A page served with ``content_type``, Last-Modified ``modified``; ``extra``: status, headers."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Page(data, content_type, modified.astimezone(UTC), **extra)


def split(items: Sequence[Story], size: int) -> list[Sequence[Story]]:
    """The pages of a listing of ``size`` items each (one empty page for no items)."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def paged(first: str, pattern: str, number: int) -> str:
    """The path of page ``number`` of a listing: ``first``, then ``pattern`` with ``{n}``."""
    return first if number == 1 else pattern.format(n=number)


def nearest(story: Story, stories: Sequence[Story], count: int, same_category: bool = True) -> list[Story]:
    """The ``count`` other stories nearest in date (of the same category), newest first."""

    def wanted(other: Story) -> bool:
        return other.id != story.id and (not same_category or other.category == story.category)

    at = bisect.bisect_left(stories, _newest_first(story), key=_newest_first)
    if at < len(stories) and stories[at] is story:  # newest first, as sites hold them: only the neighbours
        others = [*_walk(stories, at, -1, count, wanted), *_walk(stories, at, 1, count, wanted)]
    else:
        others = [s for s in stories if wanted(s)]
    others.sort(key=lambda s: (abs((s.published - story.published).total_seconds()), -s.id))
    return sorted(others[:count], key=lambda s: (s.published, s.id), reverse=True)


def _newest_first(story: Story) -> tuple[float, int]:
    return -story.published.timestamp(), -story.id


def _walk(stories: Sequence[Story], at: int, step: int, count: int, wanted: Callable[[Story], bool]) -> list[Story]:
    """The first ``count`` wanted stories from ``at`` on in one direction, and any more published at the
    same moment as the last of them (ties are broken by id, so they are candidates too)."""
    found: list[Story] = []
    index = at + step
    while 0 <= index < len(stories):
        other = stories[index]
        if wanted(other):
            if len(found) >= count and other.published != found[-1].published:
                break
            found.append(other)
        index += step
    return found


def spread(stories: Sequence[Story], count: int, salt: int = 0) -> list[Story]:
    """``count`` stories spread over the whole site (a "most read" box): every ``len / count``-th
    from an offset that depends on ``salt``, so that they sit on every page of a listing."""
    if not stories or count <= 0:
        return []
    step = max(1, len(stories) // count)
    return [stories[(salt + i * step) % len(stories)] for i in range(min(count, len(stories)))]


def tags(stories: Sequence[Story]) -> dict[str, tuple[str, list[Story]]]:
    """Tag slug -> (tag, its stories newest first)."""
    index: dict[str, tuple[str, list[Story]]] = {}
    for story in stories:
        for tag in story.tags:
            index.setdefault(slugify(tag), (tag, []))[1].append(story)
    return dict(sorted(index.items()))
