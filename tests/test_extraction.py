"""The extraction core on the seed page and the mirror: every field as a reader expects."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import datetime

import pytest
from conftest import MIRROR_DIR, article_path, seed_paragraphs

from crawler.extraction import decode_html, extract_article
from scheduler.mirror import render_site

BASE = "http://127.0.0.1:8765"
SEED_TITLE = "Hội nghị chuyên đề nâng cao hiệu quả công tác dân vận tại Đảng ủy khối các cơ quan tỉnh"
CATEGORY = "Hoạt động Đảng ủy Khối các cơ quan tỉnh Lạng Sơn"
SPLIT_CAPTION = (
    "Đồng chí Giáp Thị Bắc, Ủy viên Ban thường vụ Tỉnh ủy,Trưởng ban Dân vận Tỉnh ủy phát biểu chỉ đạo tại hội nghị"
)


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


def bag_f1(got: str, gold: str) -> float:
    g, w = words(got), words(gold)
    common = sum((g & w).values())
    if not common:
        return 0.0
    precision, recall = common / sum(g.values()), common / sum(w.values())
    return 2 * precision * recall / (precision + recall)


@pytest.fixture(scope="module")
def pages() -> dict:
    return render_site(MIRROR_DIR, BASE)


@pytest.fixture(scope="module")
def seed_article(pages: dict, mirror_data: dict):
    seed = next(a for a in mirror_data["articles"] if a["title"] == SEED_TITLE)
    path = article_path(mirror_data, seed)
    article = extract_article(pages[path].body, BASE + path, pages[path].content_type)
    assert article is not None
    return article


def test_seed_title_date_and_source(seed_article) -> None:
    assert seed_article.title == SEED_TITLE
    assert seed_article.published == "2022-08-23T16:13:00+07:00"
    assert seed_article.source == "Baolangson.vn"


def test_seed_text_is_the_five_paragraphs_in_order(seed_article) -> None:
    gold = seed_paragraphs()
    assert len(gold) == 5
    assert bag_f1(seed_article.text, "\n".join(gold)) >= 0.98
    assert seed_article.text.split("\n") == gold
    assert unicodedata.is_normalized("NFC", seed_article.text)


def test_seed_text_holds_no_boilerplate(seed_article, mirror_data: dict) -> None:
    text = seed_article.text
    for unwanted in (
        CATEGORY,
        "Nguồn",
        "Baolangson.vn",
        "Tin liên quan",
        "Trang chủ",
        "Liên hệ",
        "Bản quyền",
        "Văn bản mới",
        "In bài viết",
        "Chia sẻ",
        "Đại diện Văn phòng Đoàn ĐBQH",
    ):
        assert unwanted not in text
    for caption in seed_article.captions:
        assert caption not in text
    others = [a["title"] for a in mirror_data["articles"] if a["title"] != SEED_TITLE]
    assert not [title for title in others if title in text]


def test_seed_captions_kept_apart_with_split_word_repaired(seed_article) -> None:
    assert len(seed_article.captions) == 3
    assert seed_article.captions[0] == "Đồng chí Bí thư Đảng ủy Khối các cơ quan tỉnh phát biểu khai mạc hội nghị"
    assert seed_article.captions[2] == SPLIT_CAPTION


def test_every_mirror_article_extracts_right(pages: dict, mirror_data: dict) -> None:
    for item in mirror_data["articles"]:
        path = article_path(mirror_data, item)
        article = extract_article(pages[path].body, BASE + path)
        assert article is not None, path
        assert article.title == item["title"]
        expected = datetime.strptime(item["published"], "%d-%m-%Y %H:%M").strftime("%Y-%m-%dT%H:%M:00+07:00")
        assert article.published == expected, path
        assert article.source == item.get("source"), path
        gold = "\n".join(block["p"] for block in item["blocks"] if "p" in block)
        assert bag_f1(article.text, gold) >= 0.97, path
        captions = [b.get("caption") for b in item["blocks"] if b.get("caption")]
        assert [c for c in captions if c in article.text] == []


def test_home_listing_and_static_pages_are_not_articles(pages: dict, mirror_data: dict) -> None:
    article_paths = {article_path(mirror_data, a) for a in mirror_data["articles"]}
    others = [p for p, page in pages.items() if p not in article_paths and "html" in page.content_type]
    assert len(others) >= 6
    for path in others:
        assert extract_article(pages[path].body, BASE + path) is None, path


def test_encodings_end_as_nfc() -> None:
    nfc = "Lạng Sơn"
    assert decode_html("<p>Lạng Sơn</p>".encode(), "text/html; charset=iso-8859-1") == f"<p>{nfc}</p>"
    assert decode_html(b'<meta charset="windows-1258"><p>La\xf2ng S\xf5n</p>').endswith(f"<p>{nfc}</p>")
    nfd = unicodedata.normalize("NFD", nfc)
    assert decode_html(f"<p>{nfd}</p>".encode(), "text/html; charset=utf-8") == f"<p>{nfc}</p>"
