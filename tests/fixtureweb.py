"""A fixture web: four Vietnamese provincial news sites, each on day 1 and day 2, with gold answers.

Each site has its own template family, as provincial bodies run them, and its articles
written from the sentence pools of ``tests/fixtures/web/corpus.toml`` with a fixed seed,
dated relative to a ``today`` (Vietnam time):

- ``agency`` — the agency portal of the seed (the templates of ``seeds/mirror``): listing
  ``?page=N``, articles ``/tin-tuc-su-kien/hoat-dong-dang-uy-khoi/<slug>-<id>.html``.
- ``newspaper`` — a provincial newspaper: ``/<slug>-<7 digits>.html``, category listings
  ``/thoi-su/trang-N.html`` with "next" links, RSS ``/rss/home.rss``, a sitemap index
  (news sitemap + gzipped sitemap), JSON-LD NewsArticle, uppercase bylines, tag and
  author pages.
- ``sharepoint`` — a SharePoint portal: ``/Pages/chi-tiet-tin.aspx?ItemID=N``, listings
  ``?Page=N`` and ``&cur=N``, layout tables, ASP.NET noise, no ``rel=canonical``, and links
  with session ids (``&sid=…``, ``;jsessionid=…``) that change on every hop (a trap).
- ``wordpress`` — a district WordPress site: ``/YYYY/MM/DD/slug/``, ``/category/tin-tuc/page/N/``,
  an endless calendar (any ``/YYYY/MM/`` answers), ``?s=`` search, ``utm_*`` links, print
  and no-trailing-slash variants, RSS/Atom feeds and a sitemap.

Day 1 is the site at noon yesterday; day 2 the same evening: new articles on top of the
first listing, one article edited, one deleted (404 or 410). :func:`fixture_sites` builds
the sites, :class:`FixtureWeb` serves them with :class:`~scheduler.mirror.MirrorServer`, and
:func:`write_minimal_seeds` writes the seeds a crawler gets (name, start URL, no delay).
"""

from __future__ import annotations

import base64
import bisect
import calendar
import copy
import functools
import gzip
import hashlib
import html as html_lib
import json
import random
import re
import sqlite3
import string
import tomllib
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from scheduler.mirror import GeneratedPages, MirrorServer, Page, Renderer, build_pages, load_site

VN = timezone(timedelta(hours=7))
WEB_DIR = Path(__file__).resolve().parent / "fixtures" / "web"
MIRROR_DIR = Path(__file__).resolve().parent.parent / "seeds" / "mirror"
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
GZIP = "application/x-gzip"  # what nginx and IIS send for a static .xml.gz: the gzip file itself, no Content-Encoding
WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


# ----------------------------------------------------------------- public records


@dataclass(frozen=True)
class GoldArticle:
    """What the archive must hold for one article of a fixture site."""

    path: str  # canonical path (with its query on SharePoint)
    title: str
    published: str  # ISO 8601 in Vietnam time; the date alone where the page shows no time
    source: str | None
    author: str | None
    text: str  # body paragraphs joined by "\n", NFC


@dataclass(frozen=True)
class FixtureSite:
    """One site of the fixture web in its two states, and the answers a crawl must give."""

    id: str  # the seed id
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
    renderers: tuple[Renderer, Renderer] = field(repr=False, compare=False)
    golds: tuple[tuple[GoldArticle, ...], tuple[GoldArticle, ...]] = field(repr=False, compare=False)

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


def vietnam_today() -> date:
    """Today's date in Vietnam, the natural ``today`` of :func:`fixture_sites`."""
    return datetime.now(VN).date()


def fixture_sites(today: date, count: int | None = None, sites: int = 4) -> list[FixtureSite]:
    """The four sites, their articles dated relative to ``today`` (deterministic for a given day).

    For benchmarks: ``count`` sets every site's number of day-1 articles (default: its
    ``count`` in sites.toml; at least 6). The corpus holds a few hundred distinct titles
    and paragraphs, so with ``count`` given a title already taken comes back as
    ``… (đợt 2)`` and two articles may share a paragraph (never a title, slug or URL).
    ``sites`` other than 4 cycles over the layouts, the second round named ``agency-2``,
    ``newspaper-2``, … and written with random seeds of their own (``sites=5`` adds a
    second agency portal).
    """
    if count is not None and count < 6:
        raise ValueError(f"count must be at least 6 (recent, edited and deleted articles), not {count}")
    corpus, configs, used = _corpus(), _configs(), set[str]()
    layouts = (_Agency, _Newspaper, _SharePoint, _WordPress)
    made = []
    for index in range(sites):
        layout_class = layouts[index % len(layouts)]
        rounds = index // len(layouts)
        site_id = layout_class.id if rounds == 0 else f"{layout_class.id}-{rounds + 1}"
        cfg = configs[layout_class.id] if count is None else {**configs[layout_class.id], "count": count}
        layout = layout_class(cfg, site_id)
        states = _make_states(site_id, layout.cfg, corpus, today, used, unlimited=count is not None)
        made.append(layout.fixture_site(states, today))
    return made


class FixtureWeb:
    """The fixture sites served on 127.0.0.1, one :class:`MirrorServer` each, starting on day 1.

    ``web.url("wordpress", "/feed/")`` gives a URL, ``web.servers["wordpress"].requests`` the
    request log, ``web.switch_to_day(2)`` moves every site to day 2 at the same address.
    """

    def __init__(self, sites: Sequence[FixtureSite]) -> None:
        self.sites = {site.id: site for site in sites}
        self.servers: dict[str, MirrorServer] = {}
        self.day = 1

    def start(self) -> FixtureWeb:
        try:
            for site in self.sites.values():
                self.servers[site.id] = MirrorServer(render=site.render(1), port=0).start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> FixtureWeb:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __iter__(self) -> Iterator[tuple[FixtureSite, MirrorServer]]:
        return ((site, self.servers[site.id]) for site in self.sites.values())

    def url(self, site_id: str, path: str = "/") -> str:
        return self.servers[site_id].url + path

    def switch_to_day(self, day: int) -> None:
        for site_id, server in self.servers.items():
            server.replace_site(self.sites[site_id].render(day))
        self.day = day

    def write_seeds(self, folder: Path) -> Path:
        """One seed per site, pointing at its server (see :func:`write_minimal_seeds`)."""
        return write_minimal_seeds(
            folder,
            {site.id: self.url(site.id, site.home_path) for site in self.sites.values()},
            {site.id: site.name for site in self.sites.values()},
        )


def write_minimal_seeds(folder: Path, start_urls: Mapping[str, str], names: Mapping[str, str]) -> Path:
    """A seeds folder with one ``<site id>.toml`` per site holding only ``name`` and ``start_urls``
    (the home page), plus ``download_delay = 0.0`` and ``autothrottle = false``: all a crawler gets."""
    folder.mkdir(parents=True, exist_ok=True)
    for site_id, url in start_urls.items():
        (folder / f"{site_id}.toml").write_text(
            f"name = {json.dumps(names[site_id], ensure_ascii=False)}\n"
            f"start_urls = [{json.dumps(url)}]\n"
            "download_delay = 0.0\nautothrottle = false\n",
            encoding="utf-8",
        )
    return folder


# ----------------------------------------------------------------- articles


@dataclass(frozen=True)
class Story:
    """An article as the fixture writes it (every site renders it its own way)."""

    id: int
    slug: str
    title: str
    published: datetime  # aware, Vietnam time
    modified: datetime
    paragraphs: tuple[str, ...]
    summary: str
    caption: str
    tags: tuple[str, ...]
    category: int
    source: str | None
    author: str | None

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(frozen=True)
class SiteState:
    day: int
    updated: datetime  # Last-Modified of the pages that are not articles
    stories: tuple[Story, ...]  # newest first
    gone: Story | None  # the story deleted on this day


@dataclass(frozen=True)
class _States:
    days: tuple[SiteState, SiteState]
    new: tuple[Story, ...]
    edited: Story  # as on day 2
    deleted: Story


@functools.cache
def _corpus() -> dict[str, Any]:
    return _nfc(tomllib.loads((WEB_DIR / "corpus.toml").read_text(encoding="utf-8")))


@functools.cache
def _configs() -> dict[str, Any]:
    return _nfc(tomllib.loads((WEB_DIR / "sites.toml").read_text(encoding="utf-8")))


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {_nfc(key): _nfc(item) for key, item in value.items()}
    return value


def _words(sentences: Sequence[str]) -> int:
    return sum(len(sentence.split()) for sentence in sentences)


class _Writer:
    """Writes articles from the corpus: one story of a topic, its sentences with slots filled."""

    def __init__(
        self, corpus: dict[str, Any], cfg: dict[str, Any], rng: random.Random, used: set[str], unlimited: bool
    ) -> None:
        self.rng = rng
        self.corpus = corpus
        self.topics = {topic["key"]: topic for topic in corpus["topics"]}
        self.pools: dict[str, list[str]] = {**corpus["pools"], **cfg.get("pools", {})}
        self.huyen: str | None = cfg.get("huyen")
        self.used = used  # paragraphs already written, on any site: no two articles share one
        # any number of articles: a title already taken gets " (đợt N)", and paragraphs may repeat
        self.unlimited = unlimited

    def slots(self, topic: dict[str, Any], when: datetime) -> dict[str, str]:
        """The slots fixed for one article: places, people, its date."""
        rng = self.rng
        places: dict[str, list[str]] = self.corpus["places"]
        huyen = self.huyen or rng.choice(sorted(places))
        xa, xa2 = rng.sample(places[huyen], 2)
        slots = {name: rng.choice(values) for name, values in sorted(self.pools.items())}
        deadline = when + timedelta(days=rng.randint(20, 45))
        year = when.year
        school = rng.choice(["Trường Tiểu học", "Trường THCS", "Trường Mầm non"])
        slots.update(
            huyen=huyen,
            xa=xa,
            xa2=xa2,
            xa_ten=xa.removeprefix("xã "),
            xa2_ten=xa2.removeprefix("xã "),
            field=topic["field"],
            Buoi="Sáng" if when.hour < 12 else "Chiều" if when.hour < 18 else "Tối",
            ngay=f"{when.day}/{when.month}",
            thang=str(when.month),
            nam=str(year),
            nam_truoc=str(year - 1),
            han=f"{deadline.day}/{deadline.month}",
            ky=rng.choice([f"6 tháng đầu năm {year}", f"9 tháng năm {year}", f"năm {year - 1}"]),
            truong=f"{school} {xa.removeprefix('xã ')}",
        )
        return slots

    def fill(self, template: str, slots: dict[str, str], drawn: dict[str, str] | None = None) -> str:
        """The template with its slots filled; numbers from ``drawn`` (shared) or drawn afresh."""
        values: dict[str, str] = {}
        for _, name, _, _ in string.Formatter().parse(template):
            if name is None or name in values:
                continue
            if name in slots:
                values[name] = slots[name]
            elif name in self.corpus["numbers"]:
                number = drawn.get(name) if drawn is not None else None
                values[name] = number or self._number(name)
                if drawn is not None:
                    drawn[name] = values[name]
            else:
                raise KeyError(f"corpus.toml: unknown slot {{{name}}} in {template[:50]!r}")
        text = template.format(**values)
        return text[0].upper() + text[1:]

    def _number(self, name: str) -> str:
        low, high, kind = self.corpus["numbers"][name]
        value = self.rng.randint(low, high)
        return f"{value:,}".replace(",", ".") if kind == "int" else f"{value // 10},{value % 10}"

    def article(self, topic_key: str, when: datetime, taken: set[str]) -> tuple[str, tuple[str, ...], str, str, dict]:
        """(title, paragraphs, summary, caption, slots) of a new article whose title's slug is not in ``taken``."""
        topic = self.topics[topic_key]
        for _ in range(100):
            slots = self.slots(topic, when)
            story = self.rng.choice(topic["stories"])
            drawn: dict[str, str] = {}
            title = self.fill(story["title"], slots, drawn)
            lead = self.fill(story["lead"], slots, drawn)
            paragraphs = self._paragraphs(topic, lead, slots)
            slug = _slugify(title)
            if self.unlimited and paragraphs is not None:
                if slug in taken:
                    title, slug = _next_round(title, taken)
            elif slug in taken or paragraphs is None or self.used.intersection(paragraphs):
                continue
            taken.add(slug)
            self.used.update(paragraphs)
            caption = self.fill(self.rng.choice(topic["captions"]), slots, drawn)
            summary = lead.split(". ")[0].rstrip(".") + "."
            return title, paragraphs, summary, caption, slots
        raise RuntimeError(f"corpus.toml: cannot write another distinct {topic_key} article")

    def _paragraphs(self, topic: dict[str, Any], lead: str, slots: dict[str, str]) -> tuple[str, ...] | None:
        """3 to 5 paragraphs of 40 to 100 words: the lead, topic and general sentences, a closing."""
        rng = self.rng
        general = self.corpus["general"]
        sentences = [self.fill(s, slots) for s in rng.sample(topic["body"], 5) + rng.sample(general["body"], 6)]
        rng.shuffle(sentences)
        closing = self.fill(rng.choice(general["closings"]), slots)
        queue = [lead, *sentences]
        count = rng.choice([3, 4, 5])
        paragraphs: list[str] = []
        for index in range(count):
            last = index == count - 1
            chosen: list[str] = []
            while queue and _words(chosen + ([closing] if last else [])) < 40:
                chosen.append(queue.pop(0))
            paragraphs.append(" ".join(chosen + ([closing] if last else [])))
        if all(40 <= len(p.split()) <= 100 for p in paragraphs) and len(paragraphs) == count:
            return tuple(paragraphs)
        return None


def _next_round(title: str, taken: set[str]) -> tuple[str, str]:
    """``title (đợt N)`` and its slug, for the first N from 2 whose slug is not taken."""
    for number in range(2, 1_000_000):
        numbered = f"{title} (đợt {number})"
        slug = _slugify(numbered)
        if slug not in taken:
            return numbered, slug
    raise RuntimeError(f"no free round left for {title!r}")


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in ascii_text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _at(today: date, days_back: int, hour: int, minute: int) -> datetime:
    return datetime.combine(today - timedelta(days=days_back), time(hour, minute), tzinfo=VN)


def _timeline(today: date, count: int, rng: random.Random) -> list[datetime]:
    """Publication times of the day-1 articles, oldest first: a handful in the last 3 days,
    the rest 2 to 12 months back, one in three of those on a day of month <= 12."""
    recent = [_at(today, 3, 9, 30), _at(today, 2, 8, 10), _at(today, 2, 15, 5), _at(today, 1, 7, 45)]
    recent.append(_at(today, 1, 10, 20))
    older: set[datetime] = set()
    while len(older) < count - len(recent):
        day = today - timedelta(days=rng.randint(95, 350))
        if len(older) % 3 == 0:
            day = day.replace(day=rng.randint(1, 12))
        older.add(datetime.combine(day, time(rng.randint(7, 17), rng.randrange(0, 60, 5)), tzinfo=VN))
    return sorted(older) + recent


def _make_states(
    site_id: str, cfg: dict[str, Any], corpus: dict[str, Any], today: date, used: set[str], unlimited: bool = False
) -> _States:
    rng = random.Random(f"provnews-fixtureweb-{site_id}")
    writer = _Writer(corpus, cfg, rng, used, unlimited)
    times = _timeline(today, cfg["count"], rng)
    new_times = [_at(today, 1, 15, 30), _at(today, 1, 17, 45), _at(today, 1, 20, 10), _at(today, 1, 21, 30)]
    categories = cfg.get("categories") or [{"topics": cfg["topics"]}]
    every_topic = rng.sample([t for c in categories for t in c["topics"]], sum(len(c["topics"]) for c in categories))
    stories: list[Story] = []
    slots_of: dict[int, dict[str, str]] = {}
    next_id, taken = int(cfg["first_id"]), set[str]()
    for index, when in enumerate(times + new_times[: cfg["new"]]):
        topics = categories[0]["topics"] if index >= len(times) - 5 else every_topic  # recent ones top listing 1
        topic_key = topics[index % len(topics)]
        title, paragraphs, summary, caption, slots = writer.article(topic_key, when, taken)
        next_id += rng.randint(3, 17)
        source = rng.choice(cfg["sources"]) or None
        author = None if source and cfg.get("byline_or_source") else rng.choice(cfg["authors"]) or None
        topic = writer.topics[topic_key]
        category = next(i for i, c in enumerate(categories) if topic_key in c["topics"])
        story = Story(
            id=next_id,
            slug=_slugify(title),
            title=title,
            published=when,
            modified=when,
            paragraphs=paragraphs,
            summary=summary,
            caption=caption,
            tags=tuple(topic["tags"]),
            category=category,
            source=source,
            author=author,
        )
        stories.append(story)
        slots_of[story.id] = slots
    day1, new = stories[: len(times)], stories[len(times) :]
    original, deleted = day1[-3], day1[-2]  # published 2 days and 1 day before today
    edit = corpus["edit"]
    edited = replace(
        original,
        title=original.title + (edit["title_suffix"] if cfg["edit_title"] else ""),
        paragraphs=(*original.paragraphs, writer.fill(edit["paragraph"], slots_of[original.id])),
        modified=_at(today, 1, 22, 15),
    )
    day2 = [edited if s.id == original.id else s for s in day1 if s.id != deleted.id] + new

    def newest_first(items: list[Story]) -> tuple[Story, ...]:
        return tuple(sorted(items, key=lambda s: (s.published, s.id), reverse=True))

    states = (
        SiteState(1, _at(today, 1, 12, 0), newest_first(day1), None),
        SiteState(2, _at(today, 1, 23, 0), newest_first(day2), deleted),
    )
    return _States(states, tuple(new), edited, deleted)


# ----------------------------------------------------------------- rendering helpers


@functools.cache
def _environment(site_id: str) -> Environment:
    env = Environment(loader=FileSystemLoader([WEB_DIR / site_id, WEB_DIR / "common"]), autoescape=True)
    env.filters.update(
        dmy=lambda d: d.strftime("%d/%m/%Y"),
        dmyhm=lambda d: d.strftime("%d/%m/%Y %H:%M"),
        weekday=lambda d: f"{WEEKDAYS[d.weekday()]}, {d:%d/%m/%Y %H:%M}",
        iso=lambda d: d.isoformat(),
        rfc822=lambda d: format_datetime(d),
        slug=_slugify,
        excerpt=lambda text: " ".join(text.split()[:35]) + " […]",
    )
    return env


def _page(body: str | bytes, content_type: str, modified: datetime, **extra: Any) -> Page:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Page(data, content_type, modified.astimezone(UTC), **extra)


def _chunks(items: Sequence[Story], size: int) -> list[Sequence[Story]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _nearest(story: Story, stories: Sequence[Story], count: int, same_category: bool = True) -> list[Story]:
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


def _tags(stories: Sequence[Story]) -> dict[str, tuple[str, list[Story]]]:
    """Tag slug -> (tag, its stories newest first)."""
    index: dict[str, tuple[str, list[Story]]] = {}
    for story in stories:
        for tag in story.tags:
            index.setdefault(_slugify(tag), (tag, []))[1].append(story)
    return dict(sorted(index.items()))


def _paged(first: str, pattern: str, number: int) -> str:
    return first if number == 1 else pattern.format(n=number)


class _Layout:
    """A site's template family: its URLs, its pages for a state, and what it promises a crawler."""

    id = ""
    home_path = "/"
    disallowed: tuple[str, ...] = ()
    traps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    stable_old_pages = True

    def __init__(self, cfg: dict[str, Any], site_id: str = "") -> None:
        self.cfg = cfg
        self.site_id = site_id or self.id  # the seed id; ``id`` names the layout (its templates)
        self.env = _environment(self.id)

    def path(self, story: Story) -> str:
        raise NotImplementedError

    def published(self, story: Story) -> str:
        return story.published.isoformat()

    def listings(self) -> tuple[str, ...]:
        raise NotImplementedError

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        raise NotImplementedError

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        raise NotImplementedError

    def gold(self, story: Story) -> GoldArticle:
        return GoldArticle(self.path(story), story.title, self.published(story), story.source, story.author, story.text)

    def fixture_site(self, states: _States, today: date) -> FixtureSite:
        day1, day2 = states.days
        return FixtureSite(
            id=self.site_id,
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
                raise ValueError(f"{self.id}: two pages render to {path}")
            body = self.env.get_template(template).render(common, path=path, **context)
            pages[path] = _page(body, HTML, modified)

        return add

    def gone_page(self, state: SiteState, pages: dict[str, Page], template: str, common: dict[str, Any]) -> None:
        """On day 2 the deleted article answers its status (410 with a page; 404 is the default)."""
        if state.gone is not None and self.cfg["deleted_status"] == 410:
            body = self.env.get_template(template).render(common, path=self.path(state.gone))
            pages[self.path(state.gone)] = _page(body, HTML, state.updated, status=410)


# ----------------------------------------------------------------- agency (seeds/mirror templates)


class _Agency(_Layout):
    id = "agency"
    disallowed = ("/tim-kiem",)

    def __init__(self, cfg: dict[str, Any], site_id: str = "") -> None:
        super().__init__(cfg, site_id)
        self.data = load_site(MIRROR_DIR)
        self.site = self.data["site"]

    def path(self, story: Story) -> str:
        return str(self.site["article_path"]).format(slug=story.slug, id=story.id)

    def listings(self) -> tuple[str, ...]:
        return (self.site["category_path"],)

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        category = self.site["category_path"]
        return ("/", category, f"{category}?page=2", f"{category}?page=3", "/gioi-thieu.html", "/lien-he.html")

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        data = copy.deepcopy(self.data)
        site = data["site"]
        site["updated"] = state.updated
        site["menu"].append({"label": "Tìm kiếm", "path": site["search_path"]})  # a linked, disallowed path
        data["articles"] = [self._article(story) for story in state.stories]
        return build_pages(data, MIRROR_DIR / "templates", base_url)

    def _article(self, story: Story) -> dict[str, Any]:
        fmt = self.site["date_format"]
        image = {"image": f"/uploads/{story.published:%Y/%m}/{story.slug}-1.jpg", "caption": story.caption}
        blocks = [{"p": story.paragraphs[0]}, image, *({"p": p} for p in story.paragraphs[1:])]
        article = {
            "id": story.id,
            "slug": story.slug,
            "title": story.title,
            "published": story.published.strftime(fmt),
            "summary": story.summary,
            "blocks": blocks,
        }
        if story.modified != story.published:
            article["modified"] = story.modified.strftime(fmt)
        if story.source:
            article["source"] = story.source
        return article


# ----------------------------------------------------------------- newspaper


class _Newspaper(_Layout):
    id = "newspaper"
    per_page = 6
    disallowed = ("/tim-kiem",)
    feeds = ("/rss/home.rss", "/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/articles.xml.gz")

    def path(self, story: Story) -> str:
        return f"/{story.slug}-{story.id}.html"

    def listings(self) -> tuple[str, ...]:
        return tuple(c["first"] for c in self.cfg["categories"])

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        tag = next(iter(_tags(state.stories)))
        author = _slugify(next(s.author for s in state.stories if s.author))
        return ("/", "/thoi-su", "/thoi-su/trang-2.html", f"/tag/{tag}", f"/tac-gia/{author}", "/lien-he.html")

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        base = base_url.rstrip("/")
        pages: dict[str, Page] = {}
        stories = state.stories
        categories = [dict(c, path=c["first"]) for c in self.cfg["categories"]]
        authors = sorted({s.author for s in stories if s.author})
        common: dict[str, Any] = {
            "site": self.cfg,
            "base": base,
            "categories": categories,
            "authors": [(name, f"/tac-gia/{_slugify(name)}") for name in authors],
            "tags": [(tag, f"/tag/{slug}") for slug, (tag, _) in _tags(stories).items()],
            "most_read": [s for s in stories if s.published < state.updated - timedelta(days=30)][3:8],
            "url_of": self.path,
        }
        add = self.html_maker(pages, common)
        add("/", "home.html", state.updated, latest=stories[:10], blocks=self._blocks(categories, stories))
        for index, category in enumerate(categories):
            self._listing(
                add,
                category["first"],
                category["page"],
                category["name"],
                [s for s in stories if s.category == index],
                state.updated,
            )
        for slug, (tag, tagged) in _tags(stories).items():
            add(f"/tag/{slug}", "listing.html", state.updated, heading=f"Từ khóa: {tag}", items=tagged, pager=[])
        for name in authors:
            written = [s for s in stories if s.author == name]
            add(
                f"/tac-gia/{_slugify(name)}",
                "listing.html",
                state.updated,
                heading=f"Tác giả: {name}",
                items=written,
                pager=[],
            )
        for story in stories:
            related = _nearest(story, stories, 4)
            add(
                self.path(story),
                "article.html",
                story.modified,
                story=story,
                related=related,
                category=categories[story.category],
                jsonld=self._jsonld(story, base),
            )
        for path, title in (("/gioi-thieu.html", "Giới thiệu"), ("/lien-he.html", "Liên hệ"), ("/rss.html", "RSS")):
            add(path, "page.html", state.updated, title=title)
        add("/tim-kiem", "page.html", state.updated, title="Tìm kiếm")
        self._feeds(pages, state, base)
        self.gone_page(state, pages, "gone.html", common)
        not_found = self.env.get_template("404.html").render(common, path="")
        return pages, _page(not_found, HTML, state.updated)

    def _blocks(self, categories: list[dict[str, Any]], stories: Sequence[Story]) -> list[tuple[dict, list[Story]]]:
        return [(c, [s for s in stories if s.category == i][:4]) for i, c in enumerate(categories)]

    def _listing(
        self, add: Callable[..., None], first: str, pattern: str, heading: str, items: list[Story], updated: datetime
    ) -> None:
        chunks = _chunks(items, self.per_page)
        pager = [(n, _paged(first, pattern, n)) for n in range(1, len(chunks) + 1)]
        for number, chunk in enumerate(chunks, start=1):
            add(
                _paged(first, pattern, number),
                "listing.html",
                updated,
                heading=heading,
                items=chunk,
                pager=pager,
                page_number=number,
                next_path=pager[number][1] if number < len(chunks) else None,
                prev_path=pager[number - 2][1] if number > 1 else None,
            )

    def _jsonld(self, story: Story, base: str) -> Markup:
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": base + self.path(story)},
            "headline": story.title,
            "description": story.summary,
            "image": [f"{base}/uploads/{story.published:%Y/%m}/{story.slug}.jpg"],
            "datePublished": story.published.isoformat(),
            "dateModified": story.modified.isoformat(),
            "publisher": {"@type": "Organization", "name": self.cfg["name"], "logo": base + "/images/logo.png"},
        }
        if story.author:
            data["author"] = {"@type": "Person", "name": story.author}
        return Markup(json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/"))

    def _feeds(self, pages: dict[str, Page], state: SiteState, base: str) -> None:
        env, updated, stories = self.env, state.updated, state.stories
        robots = f"User-agent: *\nDisallow: /tim-kiem\nDisallow: /admin/\n\nSitemap: {base}/sitemap.xml\n"
        pages["/robots.txt"] = _page(robots, TEXT, updated)
        items = [{"story": s, "link": base + self.path(s)} for s in stories[:20]]
        rss = env.get_template("rss.xml").render(
            title=self.cfg["name"], link=base + "/", items=items, updated=updated, self_url=base + "/rss/home.rss"
        )
        pages["/rss/home.rss"] = _page(rss, RSS, updated)
        sitemaps = [f"{base}/sitemaps/news.xml", f"{base}/sitemaps/articles.xml.gz", f"{base}/sitemaps/categories.xml"]
        index = env.get_template("sitemapindex.xml").render(sitemaps=sitemaps, lastmod=updated)
        pages["/sitemap.xml"] = _page(index, XML, updated)
        recent = [s for s in stories if s.published >= updated - timedelta(hours=48)]
        news = [(base + self.path(s), s.modified, s) for s in recent]
        pages["/sitemaps/news.xml"] = _page(
            env.get_template("urlset.xml").render(urls=news, news=self.cfg), XML, updated
        )
        every = [(base + self.path(s), s.modified, None) for s in stories]
        body = env.get_template("urlset.xml").render(urls=every).encode("utf-8")
        pages["/sitemaps/articles.xml.gz"] = _page(gzip.compress(body, mtime=0), GZIP, updated)
        listings = [(base + path, updated, None) for path in ("/", *self.listings())]
        pages["/sitemaps/categories.xml"] = _page(env.get_template("urlset.xml").render(urls=listings), XML, updated)


# ----------------------------------------------------------------- SharePoint


SESSION = "__SESSION_ID__"  # placeholder in rendered pages, replaced by a session id per request


def _session_id(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:24]


class _SharePoint(_Layout):
    id = "sharepoint"
    stable_old_pages = False  # "Tin mới cập nhật" on every page
    home_path = "/"  # redirects to /Pages/default.aspx
    per_page = 5
    disallowed = ("/_layouts/",)
    traps = (r"[?&]sid=", r";jsessionid=")

    def path(self, story: Story) -> str:
        return f"/Pages/chi-tiet-tin.aspx?ItemID={story.id}"

    def published(self, story: Story) -> str:
        return story.published.date().isoformat()  # the portal shows the date only

    def listings(self) -> tuple[str, ...]:
        return tuple(c["first"] for c in self.cfg["categories"])

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        first, second = self.cfg["categories"]
        return (
            "/Pages/default.aspx",
            first["first"],
            first["page"].format(n=2),
            second["first"],
            second["page"].format(n=3),
            "/Pages/gioi-thieu.aspx",
            "/Pages/lien-he.aspx",
        )

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        base = base_url.rstrip("/")
        templates: dict[str, Page] = {}  # HTML with the session placeholder
        stories = state.stories
        categories = self.cfg["categories"]
        common: dict[str, Any] = {
            "site": self.cfg,
            "base": base,
            "categories": categories,
            "session": SESSION,
            "latest": stories[:6],
            "url_of": self.path,
        }
        add = self.html_maker(templates, common)

        def page(path: str, template: str, modified: datetime, **context: Any) -> None:
            add(path, template, modified, viewstate=self._viewstate(path), **context)

        page("/Pages/default.aspx", "home.html", state.updated, blocks=self._blocks(stories))
        for index, category in enumerate(categories):
            chunks = _chunks([s for s in stories if s.category == index], self.per_page)
            pager = [(n, _paged(category["first"], category["page"], n)) for n in range(1, len(chunks) + 1)]
            for number, chunk in enumerate(chunks, start=1):
                page(
                    pager[number - 1][1],
                    "listing.html",
                    state.updated,
                    category=category,
                    items=chunk,
                    pager=pager,
                    page_number=number,
                )
        for story in stories:
            page(
                self.path(story),
                "article.html",
                story.modified,
                story=story,
                category=categories[story.category],
                related=_nearest(story, stories, 3),
                others=_nearest(story, stories, 5, same_category=False),
            )
        for path, title in (("/Pages/gioi-thieu.aspx", "Giới thiệu"), ("/Pages/lien-he.aspx", "Liên hệ")):
            page(path, "page.html", state.updated, title=title)
        page("/_layouts/15/osssearchresults.aspx", "page.html", state.updated, title="Kết quả tìm kiếm")
        page("/_layouts/15/Authenticate.aspx", "page.html", state.updated, title="Đăng nhập")
        pages = {path: self._with_session(p, _session_id(self.id, path)) for path, p in templates.items()}
        pages["/"] = _page(
            "<html><body>Object moved</body></html>",
            HTML,
            state.updated,
            status=302,
            headers=(("Location", base + "/Pages/default.aspx"),),
        )
        robots = "User-agent: *\nDisallow: /_layouts/\nDisallow: /_vti_bin/\nDisallow: /_catalogs/\n"
        pages["/robots.txt"] = _page(robots, TEXT, state.updated)
        not_found = self.env.get_template("404.html").render(common, path="/404", viewstate=self._viewstate("/404"))
        return GeneratedPages(pages, functools.partial(self._session_page, templates)), _page(
            not_found.replace(SESSION, _session_id("404")), HTML, state.updated
        )

    def _blocks(self, stories: Sequence[Story]) -> list[tuple[dict[str, Any], list[Story]]]:
        return [(c, [s for s in stories if s.category == i][:5]) for i, c in enumerate(self.cfg["categories"])]

    @staticmethod
    def _with_session(page: Page, session: str) -> Page:
        return replace(page, body=page.body.replace(SESSION.encode(), session.encode()))

    def _session_page(self, templates: dict[str, Page], target: str) -> Page | None:
        """A page asked for with a session id: the same page, its links carrying a new session id."""
        parts = urlsplit(target)
        path, _, params = parts.path.partition(";")
        session = params.partition("=")[2] if params.lower().startswith("jsessionid=") else None
        kept = []
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            if name.lower() == "sid":
                session = value
            else:
                kept.append((name, value))
        key = path + ("?" + urlencode(kept) if kept else "")
        if session is None or key not in templates:
            return None
        return self._with_session(templates[key], _session_id(session, key))

    @staticmethod
    def _viewstate(path: str) -> str:
        seed = hashlib.sha256(path.encode("utf-8")).digest()
        return "/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIBD2QWBAIBD2QWAgIBD2QW" + base64.b64encode(seed * 24).decode()


# ----------------------------------------------------------------- WordPress


class _WordPress(_Layout):
    id = "wordpress"
    stable_old_pages = False  # the "Bài viết mới" widget on every page
    per_page = 10
    disallowed = ("/wp-admin/",)
    traps = (r"^/\d{4}/\d{2}/(\?.*)?$", r"[?&]s=")
    feeds = ("/feed/", "/feed/atom/", "/wp-sitemap.xml", "/wp-sitemap-posts-post-1.xml")
    logins = {"Nguyễn Thu Hà": "thuha", "Hoàng Văn Minh": "vanminh", "Lương Thị Thảo": "thaoluong"}
    searches = ("nông thôn mới", "chuyển đổi số", "học bổng", "du lịch")

    def path(self, story: Story) -> str:
        return f"/{story.published:%Y/%m/%d}/{story.slug}/"

    def listings(self) -> tuple[str, ...]:
        return ("/category/tin-tuc/",)

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        story = state.stories[-1]
        return (
            "/",
            "/category/tin-tuc/",
            "/category/tin-tuc/page/2/",
            f"/tag/{_slugify(story.tags[0])}/",
            f"/author/{self.logins[str(story.author)]}/",
            f"/{story.published:%Y/%m/%d}/",
            f"/{story.published:%Y/%m}/",
            "/gioi-thieu/",
            "/lien-he/",
            "/wp-login.php",
        )

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        base = base_url.rstrip("/")
        pages: dict[str, Page] = {}
        stories, updated = state.stories, state.updated
        common = self._common(state, base)
        add = self.html_maker(pages, common)
        add("/", "home.html", updated, latest=stories[:5])
        self._archive(add, "/category/tin-tuc/", "Chuyên mục: Tin tức", stories, state)
        for slug, (tag, tagged) in _tags(stories).items():
            self._archive(add, f"/tag/{slug}/", f"Thẻ: {tag}", tagged, state)
        for name, login in self.logins.items():
            self._archive(add, f"/author/{login}/", f"Tác giả: {name}", [s for s in stories if s.author == name], state)
        for day in sorted({s.published.date() for s in stories}):
            dated = [s for s in stories if s.published.date() == day]
            self._archive(add, f"/{day:%Y/%m/%d}/", f"Ngày: {day:%d/%m/%Y}", dated, state)
        for index, story in enumerate(stories):
            self._article(pages, add, story, stories, index)
        for path, title in (("/gioi-thieu/", "Giới thiệu"), ("/lien-he/", "Liên hệ"), ("/wp-login.php", "Đăng nhập")):
            add(path, "page.html", updated, title=title)
        pages["/wp-admin/"] = _page("", HTML, updated, status=302, headers=(("Location", base + "/wp-login.php"),))
        self._feeds(pages, state, base)
        self.gone_page(state, pages, "gone.html", common)
        generate = functools.partial(self._generated, state, common)
        not_found = self.env.get_template("404.html").render(common, path="/404")
        return GeneratedPages(pages, generate), _page(not_found, HTML, updated)

    def _common(self, state: SiteState, base: str) -> dict[str, Any]:
        months = sorted({(s.published.year, s.published.month) for s in state.stories}, reverse=True)
        utm = "?utm_source=trang-chu&utm_medium=widget&utm_campaign=tin-noi-bat"
        featured = [(s, self.path(s) + utm) for s in state.stories[8:13]]
        now = state.updated.date()
        return {
            "site": self.cfg,
            "base": base,
            "url_of": self.path,
            "recent": state.stories[:5],
            "calendar": self._calendar(state.stories, now.year, now.month),
            "featured": featured,
            "months": months,
            "logins": self.logins,
            "count": len(state.stories),
            "searches": [(term, "/?s=" + quote_plus(term)) for term in self.searches],
        }

    def _article(
        self, pages: dict[str, Page], add: Callable[..., None], story: Story, stories: Sequence[Story], index: int
    ) -> None:
        path = self.path(story)
        newer = stories[index - 1] if index > 0 else None
        older = stories[index + 1] if index + 1 < len(stories) else None
        add(
            path,
            "article.html",
            story.modified,
            story=story,
            related=_nearest(story, stories, 3),
            newer=newer,
            older=older,
            tags=[(t, _slugify(t)) for t in story.tags],
            calendar=self._calendar(stories, story.published.year, story.published.month),
        )
        pages[path.rstrip("/")] = pages[path]  # the same page without its trailing slash
        add(path + "?print=1", "print.html", story.modified, story=story)

    def _archive(
        self, add: Callable[..., None], first: str, heading: str, items: Sequence[Story], state: SiteState
    ) -> None:
        chunks = _chunks(items, self.per_page)
        for number, chunk in enumerate(chunks, start=1):
            add(
                _paged(first, first + "page/{n}/", number),
                "archive.html",
                state.updated,
                heading=heading,
                items=chunk,
                page_number=number,
                page_count=len(chunks),
                pages=[(n, _paged(first, first + "page/{n}/", n)) for n in range(1, len(chunks) + 1)],
            )

    def _calendar(self, stories: Sequence[Story], year: int, month: int) -> dict[str, Any]:
        """The calendar widget of a month: days with posts linked, and the months either side, forever."""
        days = {s.published.day for s in stories if (s.published.year, s.published.month) == (year, month)}
        prev_year, prev_month = (year, month - 1) if month > 1 else (year - 1, 12)
        next_year, next_month = (year, month + 1) if month < 12 else (year + 1, 1)
        weeks = [
            [(d, f"/{year:04d}/{month:02d}/{d:02d}/" if d in days else None) for d in week]
            for week in calendar.monthcalendar(year, month)
        ]
        return {
            "caption": f"Tháng {month} {year}",
            "weeks": weeks,
            "prev": (f"« Th{prev_month}", f"/{prev_year:04d}/{prev_month:02d}/") if prev_year >= 1 else None,
            "next": (f"Th{next_month} »", f"/{next_year:04d}/{next_month:02d}/") if next_year <= 9999 else None,
        }

    def _generated(self, state: SiteState, common: dict[str, Any], target: str) -> Page | None:
        """Month archives (any month at all: the calendar trap) and search results (any term)."""
        parts = urlsplit(target)
        month = re.fullmatch(r"/(\d{4})/(\d{2})/", parts.path)
        if month and not parts.query and 1 <= int(month[1]) and 1 <= int(month[2]) <= 12:
            year, number = int(month[1]), int(month[2])
            items = [s for s in state.stories if (s.published.year, s.published.month) == (year, number)]
            heading = f"Tháng: Tháng {number} {year}"
            return self._listing_page(
                state, common, target, heading, items, self._calendar(state.stories, year, number)
            )
        search = re.fullmatch(r"/(?:page/(\d+)/)?", parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if search and set(query) == {"s"}:
            term = query["s"].strip().casefold()
            found = [s for s in state.stories if term in (s.title + "\n" + s.text).casefold()]
            chunks = _chunks(found, self.per_page)
            number = int(search[1] or 1)
            if number > len(chunks):
                return None
            pager = [
                (n, _paged("/", "/page/{n}/", n) + "?s=" + quote_plus(query["s"])) for n in range(1, len(chunks) + 1)
            ]
            return self._listing_page(
                state,
                common,
                target,
                f"Kết quả tìm kiếm cho: “{query['s']}”",
                chunks[number - 1],
                pager=pager,
                page_number=number,
            )
        return None

    def _listing_page(
        self,
        state: SiteState,
        common: dict[str, Any],
        path: str,
        heading: str,
        items: Sequence[Story],
        calendar_widget: dict[str, Any] | None = None,
        pager: list[tuple[int, str]] | None = None,
        page_number: int = 1,
    ) -> Page:
        pager = pager or [(1, path)]
        body = self.env.get_template("archive.html").render(
            common,
            path=path,
            heading=heading,
            items=items,
            page_number=page_number,
            page_count=len(pager),
            pages=pager,
            calendar=calendar_widget or common["calendar"],
            noindex=True,
        )
        return _page(body, HTML, state.updated)

    def _feeds(self, pages: dict[str, Page], state: SiteState, base: str) -> None:
        env, updated, stories = self.env, state.updated, state.stories
        robots = (
            f"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\nSitemap: {base}/wp-sitemap.xml\n"
        )
        pages["/robots.txt"] = _page(robots, TEXT, updated)
        items = [
            {
                "story": s,
                "link": base + self.path(s),
                "guid": f"{base}/?p={s.id}",
                "content": Markup("".join(f"<p>{html_lib.escape(p)}</p>\n" for p in s.paragraphs)),
                "content_html": "".join(f"<p>{p}</p>\n" for p in s.paragraphs),
            }
            for s in stories[:10]
        ]
        rss = env.get_template("rss.xml").render(
            title=self.cfg["name"],
            link=base + "/",
            items=items,
            updated=updated,
            self_url=base + "/feed/",
            category="Tin tức",
        )
        pages["/feed/"] = _page(rss, RSS, updated)
        newest = max(s.modified for s in stories)
        atom = env.get_template("atom.xml").render(site=self.cfg, base=base, items=items, updated=newest)
        pages["/feed/atom/"] = _page(atom, ATOM, updated)
        comments = env.get_template("rss.xml").render(
            title=f"Bình luận cho {self.cfg['name']}",
            link=base + "/",
            items=[],
            updated=updated,
            self_url=base + "/comments/feed/",
        )
        pages["/comments/feed/"] = _page(comments, RSS, updated)
        maps = ["posts-post-1", "posts-page-1", "taxonomies-category-1", "taxonomies-post_tag-1", "users-1"]
        index = env.get_template("sitemapindex.xml").render(sitemaps=[f"{base}/wp-sitemap-{m}.xml" for m in maps])
        pages["/wp-sitemap.xml"] = _page(index, XML, updated)
        urlsets = {
            "posts-post-1": [(base + self.path(s), s.modified, None) for s in stories],
            "posts-page-1": [(base + p, updated, None) for p in ("/gioi-thieu/", "/lien-he/")],
            "taxonomies-category-1": [(base + "/category/tin-tuc/", None, None)],
            "taxonomies-post_tag-1": [(f"{base}/tag/{slug}/", None, None) for slug in _tags(stories)],
            "users-1": [(f"{base}/author/{login}/", None, None) for login in self.logins.values()],
        }
        for name, urls in urlsets.items():
            pages[f"/wp-sitemap-{name}.xml"] = _page(env.get_template("urlset.xml").render(urls=urls), XML, updated)


def age_archive(db: Path, days: int) -> None:
    """Let ``days`` pass for the archive: every time it recorded moves back that much."""
    conn = sqlite3.connect(db)
    with conn:
        for table, columns in {
            "articles": ("first_seen", "last_checked", "last_changed"),
            "urls": ("first_seen", "last_fetched"),
        }.items():
            sets = ", ".join(f"{c} = strftime('%Y-%m-%dT%H:%M:%S+00:00', {c}, '-{days} days')" for c in columns)
            conn.execute(f"UPDATE {table} SET {sets}")
    conn.close()
