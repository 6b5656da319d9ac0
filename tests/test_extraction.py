"""The extraction core on the seed page and the mirror: every field as a reader expects."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import datetime

import pytest
from conftest import MIRROR_DIR, article_path, seed_paragraphs

from crawler.extract.article import decode_html, extract_article
from crawler.extract.bylines import author_of, person_or_none, source_of
from crawler.extract.headline import strip_site_name
from scheduler.demo.mirror import render_site

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


# -- the rules one by one, on small pages --------------------------------------------

BODY = [
    "Ngày 14/3, Ủy ban nhân dân huyện Cao Lộc tổ chức hội nghị triển khai kế hoạch phát triển kinh tế – xã hội "
    "năm 2024 với sự tham dự của lãnh đạo các phòng, ban và Chủ tịch Ủy ban nhân dân các xã, thị trấn.",
    "Hội nghị đã thảo luận các giải pháp thúc đẩy sản xuất nông nghiệp hàng hóa, thu hút đầu tư vào cụm công "
    "nghiệp và đẩy nhanh tiến độ giải phóng mặt bằng các dự án giao thông trọng điểm trên địa bàn huyện.",
]
TITLE = "Cao Lộc triển khai kế hoạch phát triển kinh tế – xã hội năm 2024"


def page(meta_line: str = "", *, tail: str = "", head: str = "", wrap: str = "{}") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in BODY)
    content = f'<div class="content">{body}{tail}</div>'
    article = f'<div class="detail"><h1>{TITLE}</h1><div class="meta">{meta_line}</div>{content}</div>'
    return (
        f'<html lang="vi"><head><meta charset="utf-8"><title>{TITLE} - Cổng thông tin điện tử huyện Cao Lộc</title>'
        f'<meta property="og:type" content="article">{head}</head><body>'
        f'<div class="top">Thứ Năm, 12/12/2024</div>{wrap.format(article)}'
        '<div class="footer"><p>Cổng thông tin điện tử huyện Cao Lộc</p></div></body></html>'
    ).encode()


def test_an_undated_page_is_null_never_today_nor_a_date_in_the_body() -> None:
    article = extract_article(page(), "https://caoloc.langson.gov.vn/tin-tuc/ke-hoach-2024.html")
    assert article is not None
    assert (article.published, article.published_from) == (None, None)
    assert article.title == TITLE


def test_an_update_date_is_the_article_s_date_only_when_it_is_the_only_date() -> None:
    # some CMSs label every article's one date "Cập nhật": it is the article's date
    article = extract_article(page("Cập nhật: 15/03/2024 10:20"), "https://h/tin.html")
    assert article is not None
    assert (article.published, article.updated) == ("2024-03-15T10:20:00+07:00", None)
    # beside a publication date it stays an update
    article = extract_article(page("Ngày đăng: 14/03/2024 | Cập nhật: 15/03/2024 10:20"), "https://h/tin.html")
    assert article is not None
    assert (article.published, article.updated) == ("2024-03-14", "2024-03-15T10:20:00+07:00")


def test_a_date_above_the_headline_in_its_own_block_counts() -> None:
    html = page().replace(
        b'<div class="detail"><h1>',
        '<div class="detail"><div class="date">Thứ Năm, 14/03/2024 17:05</div><h1>'.encode(),
    )
    article = extract_article(html, "https://h/tin.html")
    assert article is not None and article.published == "2024-03-14T17:05:00+07:00"


def test_a_page_inside_an_aspnet_form_is_read() -> None:
    wrap = (
        '<form id="aspnetForm" method="post"><input type="hidden" name="__VIEWSTATE" value="x">{}<form></form></form>'
    )
    article = extract_article(page("Ngày đăng: 14/03/2024", wrap=wrap), "https://h/Pages/tin.aspx?ItemID=1")
    assert article is not None
    assert article.text.split("\n") == BODY
    assert article.published == "2024-03-14"


def test_a_source_line_and_a_byline_are_cut_from_the_text() -> None:
    tail = '<p style="text-align:right"><strong>HOÀNG NGA</strong></p><p><em>(Theo Báo Lạng Sơn)</em></p>'
    article = extract_article(page("14/03/2024 08:00", tail=tail), "https://h/tin.html")
    assert article is not None
    assert (article.author, article.source, article.text.split("\n")) == ("HOÀNG NGA", "Báo Lạng Sơn", BODY)


def test_layout_tables_are_read_as_text_and_data_tables_kept() -> None:
    table = "<table><tr><th>Xã</th><th>Số hộ</th></tr><tr><td>Hợp Thành</td><td>112</td></tr></table>"
    article = extract_article(page("14/03/2024", tail=table, wrap="<table><tr><td>{}</td></tr></table>"), "https://h/t")
    assert article is not None
    assert article.text.split("\n")[:2] == BODY
    assert "Hợp Thành" in article.text and "112" in article.text


def test_a_word_split_across_inline_elements_stays_whole() -> None:
    tail = (
        "<p>Đồng chí Phó Chủ tịch U<span>BND</span> huyện nhấn mạnh yêu cầu tập trung chỉ đạo quyết liệt, "
        "Ủ<b>y</b> ban nhân dân các xã chủ động triển khai.</p>"
    )
    article = extract_article(page("14/03/2024", tail=tail), "https://h/t")
    assert article is not None
    assert "Phó Chủ tịch UBND huyện" in article.text and "Ủy ban nhân dân các xã" in article.text


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Khai mạc Lễ hội Na - Báo Lạng Sơn", "Khai mạc Lễ hội Na"),
        ("Trang thông tin điện tử huyện Văn Lãng - Khai mạc Lễ hội Lồng tồng", "Khai mạc Lễ hội Lồng tồng"),
        ("Kiên cố hóa kênh mương - Tin tức - Sở Nông nghiệp và Phát triển nông thôn", "Kiên cố hóa kênh mương"),
        (
            "Bầu cử trưởng thôn nhiệm kỳ 2021 – 2024 | Cổng TTĐT huyện Chi Lăng",
            "Bầu cử trưởng thôn nhiệm kỳ 2021 – 2024",
        ),
        ("Lạng Sơn: Hội nghị xúc tiến đầu tư - baolangson.vn", "Lạng Sơn: Hội nghị xúc tiến đầu tư"),
        ("Hội nghị tổng kết năm 2023 - Kết quả nổi bật", "Hội nghị tổng kết năm 2023 - Kết quả nổi bật"),
    ],
)
def test_titles_lose_the_site_name_only(title: str, expected: str) -> None:
    assert strip_site_name(title, {"Báo Lạng Sơn"}) == expected


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("ĐẶNG DŨNG", "ĐẶNG DŨNG"),
        ("MINH NGỌC - THU TRANG", "MINH NGỌC - THU TRANG"),
        ("Tác giả: Lê Thu Hà", "Lê Thu Hà"),
        ("Bài và ảnh: Lương Thị Hồng", "Lương Thị Hồng"),
        ("PV", "PV"),
        ("Nhóm PV", "Nhóm PV"),
        ("(H.T - M.L)", "H.T - M.L"),
        ("(Hoàng Tuấn - Thu Trang)", "Hoàng Tuấn - Thu Trang"),
        ("(Theo TTXVN)", None),
        ("Theo kế hoạch, huyện sẽ tổ chức hội nghị.", None),
        ("Hội nghị diễn ra trong hai ngày.", None),
        ("UBND TỈNH LẠNG SƠN 2024", None),
    ],
)
def test_bylines(line: str, author: str | None) -> None:
    assert author_of(line) == author


@pytest.mark.parametrize(
    ("line", "source"),
    [
        ("Nguồn: Baolangson.vn", "Baolangson.vn"),
        ("Nguồn tin: Phòng Nội vụ huyện", "Phòng Nội vụ huyện"),
        ("Theo TTXVN", "TTXVN"),
        ("(Theo Cổng TTĐT tỉnh)", "Cổng TTĐT tỉnh"),
        ("Theo baochinhphu.vn", "baochinhphu.vn"),
        ("Theo báo cáo của Sở Tư pháp, năm 2022 có 412 vụ việc.", None),
        ("Theo kế hoạch.", None),
        ("Nguồn vốn được bố trí từ ngân sách tỉnh.", None),
        ("Nguồn ảnh: Internet", None),
    ],
)
def test_source_lines(line: str, source: str | None) -> None:
    assert source_of(line) == source


def test_metadata_authors_must_be_people() -> None:
    assert [person_or_none(a) for a in ("admin", "Super User", "Viết bởi Administrator", "Báo Lạng Sơn")] == [None] * 4
    assert person_or_none("bởi Nguyễn Văn Hùng") == "Nguyễn Văn Hùng"


def test_charsets_that_lie_or_are_missing_end_as_nfc() -> None:
    nfc = "Lạng Sơn"
    cp1258 = b"La\xf2ng S\xf5n"
    meta = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
    assert decode_html(meta + b"<p>" + cp1258 + b"</p>", "text/html; charset=ISO-8859-1").endswith(f"<p>{nfc}</p>")
    assert decode_html(b"<p>" + cp1258 + b"</p>", "text/html") == f"<p>{nfc}</p>"
    assert decode_html(f"<p>{nfc}</p>".encode(), "text/html; charset=windows-1252") == f"<p>{nfc}</p>"
    assert decode_html(b'<?xml version="1.0" encoding="utf-8"?><p>a\x00b</p>') == "<p>ab</p>"
    utf16 = "\ufeff<p>Lạng Sơn</p>".encode("utf-16-le")
    assert decode_html(utf16, "text/html; charset=iso-8859-1") == f"<p>{nfc}</p>"


def listing(title: str, stories: int) -> bytes:
    items = "".join(
        f'<article class="story post tag-ocop"><h2><a href="/bai-{i}.html">{BODY[i % 2][:60]} số {i}</a></h2>'
        f'<span class="time">1{i}/03/2024 08:00</span><p class="sapo">{BODY[i % 2]}</p></article>'
        for i in range(stories)
    )
    return (
        f'<html lang="vi"><head><meta charset="utf-8"><title>{title} - Báo Lạng Sơn</title>'
        f'<meta property="og:type" content="website"></head>'
        f"<body><main><h1>{title}</h1>{items}</main></body></html>"
    ).encode()


def test_listings_of_story_titles_and_teasers_are_not_articles() -> None:
    assert extract_article(listing("Kinh tế - Xã hội", 4), "https://baolangson.vn/kinh-te") is None
    assert extract_article(listing("Từ khóa: OCOP", 1), "https://baolangson.vn/tag/ocop") is None
    assert extract_article(listing("Ngày: 14/03/2024", 2), "https://h/2024/03/14/") is None


def test_an_article_followed_by_story_titles_is_still_an_article() -> None:
    related = "".join(
        f'<div class="item"><h3><a href="/x-{i}.html">{BODY[0][:50]} {i}</a></h3></div>' for i in range(5)
    )
    article = extract_article(page("14/03/2024 08:00", tail=related), "https://h/tin.html")
    assert article is not None and article.text.split("\n") == BODY


def test_a_static_page_in_an_article_element_is_not_an_article() -> None:
    about = (
        '<html lang="vi"><head><meta charset="utf-8"><title>Giới thiệu - Huyện Văn Quan</title></head><body>'
        f'<article class="page type-page"><h1>Giới thiệu chung về huyện</h1><p>{BODY[0]}</p><p>{BODY[1]}</p></article>'
        "</body></html>"
    ).encode()
    assert extract_article(about, "https://vanquan.langson.gov.vn/gioi-thieu/") is None


def test_the_justext_fallback_reads_with_vietnamese_and_english_stop_words_only(monkeypatch) -> None:
    """trafilatura's jusText fallback, left alone, unites the stop words of 100 languages into a
    150,000-word tuple kept for good: some 35 MB in every worker. It must see ours, and the module
    global must be put back for other callers of trafilatura."""
    from trafilatura import external

    from crawler.extract.article import justext_stoplist, read_page

    seen = []
    try_justext = external.try_justext

    def spy(tree, url, language):  # noqa: ANN001, ANN202
        seen.append(external.JT_STOPLIST)
        return try_justext(tree, url, language)

    monkeypatch.setattr(external, "try_justext", spy)
    monkeypatch.setattr(external, "JT_STOPLIST", None)
    items = "".join(
        f'<li><a href="/tin/{i}.html">Tin số {i} về hoạt động của các cơ quan tỉnh</a></li>' for i in range(12)
    )
    page = f"<html><head><title>Trang chủ</title></head><body><ul>{items}</ul><p>Bản quyền.</p></body></html>"
    assert read_page(page.encode(), "http://h.vn/").reason  # a home page: the fallback was tried
    assert seen == [justext_stoplist()]
    assert {"của", "các", "the"} <= justext_stoplist() and len(justext_stoplist()) < 1000
    assert external.JT_STOPLIST is None


def test_normalize_space_collapses_every_unicode_space_and_drops_invisibles() -> None:
    import random

    from crawler.extract.text import normalize_space

    spaces = [c for c in map(chr, range(0x3001)) if c.isspace()]  # all of them lie below U+3001
    assert {"\u00a0", "\u2002", "\u202f", "\u3000", "\x1c", "\u2028"} <= set(spaces)
    invisible = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
    alphabet = [*spaces, *invisible, "a", "Đ", "ả", "e\u0301", "\u0301"]
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        expected = unicodedata.normalize("NFC", text)
        expected = "".join(c for c in expected if c not in invisible)
        expected = re.sub(r"\s+", " ", expected).strip()
        assert normalize_space(text) == expected, repr(text)
    assert normalize_space(" Đa\u0309ng\u00a0 u\u0309y\u200b ") == "Đảng ủy"
