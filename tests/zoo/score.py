"""How well a crawl of a zoo site did, from the archive it wrote and the requests its server saw.

An archived row is matched to a gold article by its URL (as the gold keys it, or the
same but for case, session ids and tracking parameters), else by its title and first
paragraph (a page archived under another of its URLs is still found). Then:

- recall: gold articles matched; precision: archived rows that match a gold article;
- duplicates: gold articles matched by more than one row; ``non_articles``: archived rows
  that match none (a listing, the home page, a contact page …);
- fields: title, published, author, source equal to the gold's; ``boilerplate``: texts
  holding a line that is not one of the article's paragraphs; ``incomplete``: texts
  missing one of them; bylines: right among the articles that print one;
- requests: all the server answered; ``article_urls``: distinct request targets that
  served an article page (an article fetched under two URLs counts twice), per matched
  article the "distinct URLs fetched per archived article".
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from scheduler.demo.mirror import RequestRecord, find_page
from zoo.family import FixtureSite, GoldArticle

FIELDS = ("title", "published", "author", "source")
SESSION_OR_TRACKING = ("utm_", "fbclid", "sid", "phpsessid", "jsessionid")


@dataclass
class SiteScore:
    """The score of one crawl of one zoo site against its gold (see the module docstring)."""

    site: str
    family: str
    variant: str
    gold: int
    archived: int = 0
    matched: int = 0
    duplicates: int = 0
    non_articles: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    wrong: Counter[str] = field(default_factory=Counter)
    wrong_examples: dict[str, str] = field(default_factory=dict)
    boilerplate: int = 0
    incomplete: int = 0
    bylines_printed: int = 0
    bylines_right: int = 0
    requests: int = 0
    article_urls: int = 0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return (self.archived - len(self.non_articles)) / self.archived if self.archived else 1.0

    @property
    def urls_per_article(self) -> float:
        return self.article_urls / self.matched if self.matched else 0.0

    @property
    def requests_per_article(self) -> float:
        return self.requests / self.matched if self.matched else 0.0

    @property
    def byline_share(self) -> float:
        return self.bylines_right / self.bylines_printed if self.bylines_printed else 1.0

    @property
    def boilerplate_share(self) -> float:
        return self.boilerplate / self.matched if self.matched else 0.0


def loose_target(target: str) -> str:
    """A request target or path without session ids and tracking parameters, case folded."""
    parts = urlsplit(target)
    path = parts.path.split(";", 1)[0]
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(SESSION_OR_TRACKING)
    ]
    return (path + ("?" + urlencode(query) if query else "")).casefold()


def _key(title: str, text: str) -> tuple[str, str]:
    return " ".join(title.split()), " ".join(text.split("\n", 1)[0].split())[:200]


def score_site(
    site: FixtureSite, base_url: str, db: Path, requests: Sequence[RequestRecord] = (), day: int = 1
) -> SiteScore:
    """Score the archive ``db`` and the server log ``requests`` of ``site`` served at ``base_url``."""
    golds = site.gold(day)
    score = SiteScore(site.id, site.family, site.variant, len(golds))
    by_path = {loose_target(g.path): g for g in golds}
    by_content = {_key(g.title, g.text): g for g in golds}
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(
        "select url, title, published, author, source, text from articles where site = ?", [site.id]
    ).fetchall()
    conn.close()
    score.archived = len(rows)
    found: Counter[str] = Counter()
    for row in rows:
        parts = urlsplit(row["url"])
        gold = by_path.get(loose_target(parts.path + ("?" + parts.query if parts.query else "")))
        gold = gold or by_content.get(_key(row["title"] or "", row["text"] or ""))
        if gold is None:
            score.non_articles.append(row["url"])
            continue
        found[gold.path] += 1
        if found[gold.path] == 1:
            _score_fields(score, gold, row)
    score.matched = len(found)
    score.duplicates = sum(1 for count in found.values() if count > 1)
    score.missed = [g.path for g in golds if g.path not in found]
    score.requests = len(requests)
    score.article_urls = len(_article_targets(site, base_url, requests, day))
    return score


def _score_fields(score: SiteScore, gold: GoldArticle, row: sqlite3.Row) -> None:
    for name in FIELDS:
        if (row[name] or None) != getattr(gold, name):
            score.wrong[name] += 1
            score.wrong_examples.setdefault(name, f"{gold.path}: {row[name]!r}, gold {getattr(gold, name)!r}")
    lines = [line for line in (row["text"] or "").split("\n") if line.strip()]
    paragraphs = set(gold.text.split("\n"))
    if any(line not in paragraphs for line in lines):
        score.boilerplate += 1
        extra = next(line for line in lines if line not in paragraphs)
        score.wrong_examples.setdefault("boilerplate", f"{gold.path}: {extra[:120]!r}")
    if not paragraphs <= set(lines):
        score.incomplete += 1
        score.wrong_examples.setdefault("incomplete", f"{gold.path}: {len(lines)} lines, gold {len(paragraphs)}")
    if gold.author:
        score.bylines_printed += 1
        score.bylines_right += row["author"] == gold.author


def _article_targets(site: FixtureSite, base_url: str, requests: Sequence[RequestRecord], day: int) -> set[str]:
    """The distinct request targets that were answered with one of the site's article pages."""
    pages, _ = site.render(day)(base_url)
    gold_paths = {g.path for g in site.gold(day)}
    digests = {hashlib.sha256(pages[p].body).digest() for p in gold_paths if p in pages}
    loose = {loose_target(p) for p in gold_paths}
    targets = set()
    for record in requests:
        if record.status not in (200, 304):
            continue
        page = find_page(pages, record.path)
        if (page is not None and hashlib.sha256(page.body).digest() in digests) or loose_target(record.path) in loose:
            targets.add(record.path)
    return targets


def fetches_per_article(
    site: FixtureSite, base_url: str, requests: Sequence[RequestRecord], day: int = 1
) -> Counter[str]:
    """How many times each gold article (by its path) was served with a 200, under any of
    its URLs (the served page's bytes tell which article it was)."""
    pages, _ = site.render(day)(base_url)
    by_digest = {hashlib.sha256(pages[g.path].body).digest(): g.path for g in site.gold(day) if g.path in pages}
    fetches: Counter[str] = Counter()
    for record in requests:
        page = find_page(pages, record.path) if record.status == 200 else None
        path = by_digest.get(hashlib.sha256(page.body).digest()) if page is not None else None
        if path is not None:
            fetches[path] += 1
    return fetches
