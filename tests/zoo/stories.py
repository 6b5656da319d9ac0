"""The articles of a zoo site: stories written from the corpus, and the site on day 1 and day 2.

Every family renders the same kind of stories its own way. A site's stories are written
from the sentence pools of ``tests/fixtures/zoo/corpus.toml`` with a fixed random seed
(the site id), dated relative to a ``today`` (Vietnam time): a handful in the last three
days, the rest two to twelve months back. Day 2 is the same evening: new stories on top
of the first listing, one story edited, one deleted.
"""

from __future__ import annotations

import functools
import random
import re
import string
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

VN = timezone(timedelta(hours=7))
ZOO_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "zoo"


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
class States:
    days: tuple[SiteState, SiteState]
    new: tuple[Story, ...]
    edited: Story  # as on day 2
    deleted: Story


@functools.cache
def corpus() -> dict[str, Any]:
    return nfc(tomllib.loads((ZOO_DIR / "corpus.toml").read_text(encoding="utf-8")))


def nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(item) for item in value]
    if isinstance(value, dict):
        return {nfc(key): nfc(item) for key, item in value.items()}
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
            slug = slugify(title)
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
        slug = slugify(numbered)
        if slug not in taken:
            return numbered, slug
    raise RuntimeError(f"no free round left for {title!r}")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in ascii_text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def at(today: date, days_back: int, hour: int, minute: int) -> datetime:
    return datetime.combine(today - timedelta(days=days_back), time(hour, minute), tzinfo=VN)


def _timeline(today: date, count: int, rng: random.Random) -> list[datetime]:
    """Publication times of the day-1 articles, oldest first: a handful in the last 3 days,
    the rest 2 to 12 months back, one in three of those on a day of month <= 12."""
    recent = [at(today, 3, 9, 30), at(today, 2, 8, 10), at(today, 2, 15, 5), at(today, 1, 7, 45)]
    recent.append(at(today, 1, 10, 20))
    older: set[datetime] = set()
    while len(older) < count - len(recent):
        day = today - timedelta(days=rng.randint(95, 350))
        if len(older) % 3 == 0:
            day = day.replace(day=rng.randint(1, 12))
        older.add(datetime.combine(day, time(rng.randint(7, 17), rng.randrange(0, 60, 5)), tzinfo=VN))
    return sorted(older) + recent


def make_states(
    site_id: str, cfg: dict[str, Any], corpus: dict[str, Any], today: date, used: set[str], unlimited: bool = False
) -> States:
    rng = random.Random(f"provnews-fixtureweb-{site_id}")
    writer = _Writer(corpus, cfg, rng, used, unlimited)
    times = _timeline(today, cfg["count"], rng)
    new_times = [at(today, 1, 15, 30), at(today, 1, 17, 45), at(today, 1, 20, 10), at(today, 1, 21, 30)]
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
            slug=slugify(title),
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
        modified=at(today, 1, 22, 15),
    )
    day2 = [edited if s.id == original.id else s for s in day1 if s.id != deleted.id] + new

    def newest_first(items: list[Story]) -> tuple[Story, ...]:
        return tuple(sorted(items, key=lambda s: (s.published, s.id), reverse=True))

    states = (
        SiteState(1, at(today, 1, 12, 0), newest_first(day1), None),
        SiteState(2, at(today, 1, 23, 0), newest_first(day2), deleted),
    )
    return States(states, tuple(new), edited, deleted)
