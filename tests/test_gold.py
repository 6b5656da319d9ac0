"""The gold corpus holds the floor: Vietnamese pages of seven CMS templates, checked by hand.

``tests/fixtures/extraction/<template>/<page>.html`` (+ ``.headers`` where the HTTP
charset matters) and the hand-written ``<page>.json`` next to it. ``bench/extraction.py``
prints the same scores in full.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from bench.scoring import GoldPage, load_gold, score_corpus, score_page, shingle_counts
from crawler.extract.article import extract_article

PROJECT = Path(__file__).parent.parent
CORPUS = Path(__file__).parent / "fixtures" / "extraction"
PAGES = load_gold(CORPUS)


def by(predicate) -> list[GoldPage]:
    return [p for p in PAGES if predicate(p)]


def test_the_corpus_is_forty_pages_of_six_templates_or_more() -> None:
    assert len(PAGES) >= 40
    templates = {p.template for p in PAGES}
    assert {"portal", "newspaper", "sharepoint", "liferay", "wordpress"} <= templates
    assert len(templates) >= 6
    for page in PAGES:
        assert set(page.gold) >= {"url", "title", "published", "author", "source", "text", "captions"}, page.name
        assert unicodedata.is_normalized("NFC", page.gold["text"]), page.name
        assert len(set(page.gold["text"].split("\n"))) == len(page.gold["text"].split("\n")), page.name


def test_the_corpus_covers_every_case_of_the_issue() -> None:
    published_from = {p.gold["published_from"] for p in PAGES}
    assert {"page", "datePublished", "article:published_time", "time", "url"} <= published_from
    assert by(lambda p: p.gold["published"] is None), "an undated page"
    assert by(lambda p: p.gold["updated"] is not None), "pages with both dates"
    assert by(lambda p: p.gold["published"] and "T" not in p.gold["published"]), "a date without a time"
    days = [p.gold["published"] for p in PAGES if p.gold["published"]]
    assert sum(1 for d in days if int(d[8:10]) <= 12) >= 5, "day <= 12: day and month could be swapped"
    assert by(lambda p: not unicodedata.is_normalized("NFC", p.body.decode("utf-8", "replace"))), "NFD text"
    assert by(lambda p: b"windows-1258" in p.body and not _utf8(p.body)), "a windows-1258 page"
    assert by(lambda p: "8859-1" in (p.content_type or "") and _utf8(p.body)), "a header that lies"
    assert by(lambda p: p.content_type == "text/html" and b"charset" not in p.body.lower()), "no charset at all"
    authors = [p.gold["author"] or "" for p in PAGES]
    assert any(a.isupper() and len(a.split()) >= 2 for a in authors), "uppercase byline"
    assert {"PV", "Nhóm PV"} <= set(authors)
    assert any(" - " in a and "." in a for a in authors), "(… - …) initials"
    assert any(p.gold["author"] is None for p in PAGES)
    sources = {p.gold["source"] for p in PAGES}
    assert len(sources - {None}) >= 8
    assert by(lambda p: p.gold["not_in_text"]["comments"]), "pages with readers' comments"
    assert by(lambda p: len(p.gold["captions"]) >= 2)


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("page", PAGES, ids=[f"{p.template}/{p.name}" for p in PAGES])
def test_every_page_gets_its_title_and_date_and_leaks_nothing(page: GoldPage) -> None:
    article = extract_article(page.body, page.url, page.content_type)
    assert article is not None
    score = score_page(page, article)
    assert article.title == page.gold["title"]
    assert (article.published, article.published_from) == (page.gold["published"], page.gold["published_from"])
    assert score.leaks == (), "a related title, caption or comment in the text"
    assert unicodedata.is_normalized("NFC", article.text) and unicodedata.is_normalized("NFC", article.title)
    assert "\u00a0" not in article.text and "  " not in article.text


def test_the_floor() -> None:
    score = score_corpus(PAGES, extract_article)
    assert score.accuracy["published"] == 1.0
    assert score.accuracy["title"] == 1.0
    assert score.accuracy["author"] >= 0.95
    assert score.accuracy["source"] >= 0.95
    assert score.mean_text_f1 >= 0.95
    assert score.leaking == []


def test_the_metric_is_the_benchmarks() -> None:
    assert shingle_counts("một hai ba bốn năm", "một hai ba bốn năm") == (1.0, 0.0, 0.0)
    tp, fp, fn = shingle_counts("một hai ba bốn năm sáu", "một hai ba bốn")
    assert (tp, fp, fn) == (1 / 3, 0.0, 2 / 3)
    assert shingle_counts("", "") == (0.0, 0.0, 0.0)


def test_the_scoring_script_prints_the_corpus_scores() -> None:
    result = subprocess.run(
        [sys.executable, "bench/extraction.py", "--no-benchmark"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert f"Gold corpus: {len(PAGES)} pages" in result.stdout
    for field in ("title", "published", "author", "source", "captions"):
        assert field in result.stdout
    assert "mean per-page F1" in result.stdout
