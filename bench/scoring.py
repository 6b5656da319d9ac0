"""Scoring an extractor against gold files: field accuracy and the benchmark's text F1.

Shared by ``bench/extraction.py`` (which prints the numbers) and ``tests/test_gold.py``
(which holds the floor). The gold corpus lives in ``tests/fixtures/extraction/<template>/``:
each ``<page>.html`` has a hand-written ``<page>.json`` (url, title, published,
published_from, updated, author, source, text, captions, and the related titles and
comments that must never reach the text), and optionally a ``<page>.headers`` file with
the HTTP headers it is served with (``Content-Type: text/html; charset=ISO-8859-1``).

Text is scored as the public article-extraction benchmark scores it
(scrapinghub/article-extraction-benchmark): the text is cut into ``\\w+`` tokens, then
into 4-token shingles; per page, true and false positives and false negatives are
counted over the shingles and normalised to sum to 1; precision and recall are averaged
over the pages, and F1 is the harmonic mean of the two means. ``page_f1`` is the same
count read as one page's own F1, whose mean over the corpus the gold test holds.
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.records import Article

FIELDS = ("title", "published", "published_from", "updated", "author", "source", "captions")
SHINGLE = 4
_TOKEN = re.compile(r"\w+")

Extractor = Callable[[bytes, str, "str | None"], "Article | None"]
Counts = tuple[float, float, float]


@dataclass(frozen=True)
class GoldPage:
    """One page of the gold corpus and what a careful reader says it holds."""

    template: str
    name: str
    body: bytes
    content_type: str | None
    gold: dict[str, Any]

    @property
    def url(self) -> str:
        return str(self.gold["url"])


@dataclass(frozen=True)
class PageScore:
    """How one extraction compares with its gold file."""

    page: GoldPage
    article: Article | None
    fields: dict[str, bool]
    counts: Counts
    text_f1: float
    leaks: tuple[str, ...] = ()


@dataclass(frozen=True)
class CorpusScore:
    """Per-field accuracy, text precision/recall/F1 and leaks over a corpus."""

    pages: tuple[PageScore, ...]
    accuracy: dict[str, float] = field(default_factory=dict)
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    mean_text_f1: float = 0.0

    @property
    def leaking(self) -> list[PageScore]:
        return [p for p in self.pages if p.leaks]


def load_gold(folder: Path) -> list[GoldPage]:
    """Every ``<template>/<page>.html`` with its ``.json`` gold (and ``.headers``), sorted."""
    pages = []
    for gold_path in sorted(folder.glob("*/*.json")):
        html_path = gold_path.with_suffix(".html")
        headers_path = gold_path.with_suffix(".headers")
        content_type = None
        if headers_path.exists():
            for line in headers_path.read_text(encoding="utf-8").splitlines():
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-type":
                    content_type = value.strip()
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        pages.append(GoldPage(gold_path.parent.name, gold_path.stem, html_path.read_bytes(), content_type, gold))
    return pages


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """The n-token shingles of ``text`` (NFC), counted; a short text is one shingle."""
    tokens = _TOKEN.findall(unicodedata.normalize("NFC", text or ""))
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_counts(true: str, pred: str, n: int = SHINGLE) -> Counts:
    """(tp, fp, fn) over shingles, normalised to sum to 1 (all zero for two empty texts)."""
    gold, got = shingles(true, n), shingles(pred, n)
    tp = sum((gold & got).values())
    fp = sum((got - gold).values())
    fn = sum((gold - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def recall_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def page_f1(counts: Counts) -> float:
    """One page's F1 from its shingle counts."""
    p, r = precision_score(*counts), recall_score(*counts)
    return 2 * p * r / (p + r) if p + r else 0.0


def means(all_counts: Sequence[Counts]) -> tuple[float, float, float]:
    """(mean precision, mean recall, F1 of the two means), as the benchmark computes them."""
    ps = [precision_score(*c) for c in all_counts if c[0] + c[1] > 0]
    rs = [recall_score(*c) for c in all_counts if c[0] + c[2] > 0]
    precision = statistics.mean(ps) if ps else 0.0
    recall = statistics.mean(rs) if rs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score_page(page: GoldPage, article: Article | None) -> PageScore:
    """Compare one extraction with its gold file, field by field."""
    gold = page.gold
    got: dict[str, Any] = {name: getattr(article, name, None) for name in FIELDS}
    got["captions"] = list(article.captions) if article else None
    fields = {name: got[name] == gold.get(name) for name in FIELDS}
    text = article.text if article else ""
    counts = shingle_counts(gold["text"], text)
    forbidden = list(gold.get("captions", []))
    for values in gold.get("not_in_text", {}).values():
        forbidden.extend(values)
    leaks = tuple(item for item in forbidden if item and item in text)
    return PageScore(page, article, fields, counts, page_f1(counts), leaks)


def score_corpus(pages: Iterable[GoldPage], extract: Extractor) -> CorpusScore:
    """Run ``extract`` over every page and score the results."""
    scores = tuple(score_page(p, extract(p.body, p.url, p.content_type)) for p in pages)
    if not scores:
        return CorpusScore(scores)
    accuracy = {name: sum(s.fields[name] for s in scores) / len(scores) for name in FIELDS}
    precision, recall, f1 = means([s.counts for s in scores])
    mean_f1 = statistics.mean(s.text_f1 for s in scores)
    return CorpusScore(scores, accuracy, precision, recall, f1, mean_f1)
