"""One parse per page (crawler/pages.py): the links Scrapy's LinkExtractor finds, the
canonical URL, the feeds and the article, all from one tree."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from scrapy.http import HtmlResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from zoo import fixture_sites

from crawler.discover.urls import normalize_url
from crawler.extract.article import extract_article
from crawler.extract.page import IGNORED_EXTENSIONS as OURS
from crawler.extract.page import read_html_page

BASE = "http://127.0.0.1:8000"


def fixture_pages() -> Iterator[tuple[str, str, bytes, str]]:
    """Every HTML page of the four fixture sites on day 1: (site, url, body, content type)."""
    for site in fixture_sites(date(2026, 11, 28)):
        pages, _ = site.render(1)(BASE)
        for path, page in sorted(pages.items()):
            if "html" in page.content_type:
                yield site.id, BASE + path, page.body, page.content_type


PAGES = list(fixture_pages())


def test_the_ignored_extensions_are_scrapys() -> None:
    assert set(IGNORED_EXTENSIONS) == OURS


def test_there_are_pages_of_every_kind_to_compare() -> None:
    assert len(PAGES) > 150 and {site for site, *_ in PAGES} == {"agency", "newspaper", "sharepoint", "wordpress"}


@pytest.mark.parametrize("site", ["agency", "newspaper", "sharepoint", "wordpress"])
def test_links_are_the_ones_scrapys_link_extractor_finds(site: str) -> None:
    extractor = LinkExtractor(unique=True)
    compared = 0
    for _, url, body, content_type in (page for page in PAGES if page[0] == site):
        response = HtmlResponse(url, body=body, headers={"Content-Type": content_type})
        theirs = []
        for link in extractor.extract_links(response):
            normalized = normalize_url(link.url)
            if normalized not in theirs:
                theirs.append(normalized)
        ours = list(dict.fromkeys(link for link, _ in read_html_page(body, url, content_type).links))
        assert ours == theirs, url
        compared += len(ours)
    assert compared > 100


def test_link_texts_canonical_and_feeds_come_from_the_same_parse() -> None:
    body = (
        '<html><head><base href="http://127.0.0.1:8000/tin/">'
        '<link rel="canonical" href="/bai-1.html?utm_source=x">'
        '<meta property="og:url" content="http://127.0.0.1:8000/og.html">'
        '<link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        '<link rel="alternate" type="text/html" hreflang="en" href="/en/">'
        "</head><body><a href=' bai-2.html#top '>Bài <b>hai</b></a><a href='x.pdf'>PDF</a>"
        "<a href='mailto:a@b.vn'>thư</a><a href='javascript:void(0)'>js</a>"
        "<map><area href='/vung.html'></map><a href='bai-2.html'>again</a></body></html>"
    ).encode()
    read = read_html_page(body, f"{BASE}/tin/trang.html", "text/html; charset=utf-8")
    assert read.links == (
        (f"{BASE}/tin/bai-2.html", "Bài hai"),
        (f"{BASE}/vung.html", ""),
        (f"{BASE}/tin/bai-2.html", "again"),  # each (URL, text) once: a pager's "»" and "4" to one page
    )
    assert read.canonicals == (f"{BASE}/bai-1.html", f"{BASE}/og.html")
    assert read.feeds == (f"{BASE}/rss.xml",)


def test_script_links_and_image_steps_of_a_pager_are_links() -> None:
    body = (
        "<html><body><table class='ms-bottompaging'><tr><td class='ms-paging'>1 - 6</td><td>"
        '<a onclick="javascript:RefreshPageTo(event, &quot;/tin/Pages/cd.aspx?Paged=TRUE&amp;p_ID=25'
        '&amp;PageFirstRow=7&quot;);javascript:return false;" href="javascript:">'
        "<img src='/_layouts/15/images/next.gif' alt='Trang kế tiếp'></a></td></tr></table>"
        "<a href='#' onclick=\"window.location.href='/tin/trang-3.html'\"><img src='3.gif' alt='3'></a>"
        "<a href='/bai-1.html'><img src='anh.jpg' alt='Ảnh minh họa'></a>"
        "<a href='javascript:void(0)' onclick='share()'>Chia sẻ</a></body></html>"
    ).encode()
    read = read_html_page(body, f"{BASE}/tin/Pages/cd.aspx", "text/html; charset=utf-8")
    assert read.links == (
        (f"{BASE}/tin/Pages/cd.aspx?Paged=TRUE&p_ID=25&PageFirstRow=7", "Trang kế tiếp"),
        (f"{BASE}/tin/trang-3.html", "3"),
        (f"{BASE}/bai-1.html", ""),  # an image's alt text is no headline
    )


def test_the_article_is_the_one_extract_article_reads() -> None:
    articles = [(url, body, ctype) for site, url, body, ctype in PAGES if site == "newspaper"][:40]
    for url, body, content_type in articles:
        expected = extract_article(body, url, content_type)
        reading = read_html_page(body, url, content_type).reading
        assert (reading.article if reading.reason is None else None) == expected, url


def test_bytes_that_are_not_html_read_as_nothing() -> None:
    read = read_html_page(b"", f"{BASE}/empty.html", "text/html")
    assert read.links == () and read.reading.article is None and read.reading.reason


def test_links_resolved_once_for_many_pages_still_resolve_against_each_page() -> None:
    page = (
        b"<html><body><a href='/tin-tuc/'>Tin</a><a href='//cdn.vn/a'>cdn</a><a href='bai.html'>bai</a></body></html>"
    )
    based = page.replace(b"<body>", b"<head><base href='https://khac.vn/goc/'></head><body>")
    for url, body, expected in (
        ("http://a.vn/x/1.html", page, ["http://a.vn/tin-tuc/", "http://cdn.vn/a", "http://a.vn/x/bai.html"]),
        ("https://b.vn/y/2.html", page, ["https://b.vn/tin-tuc/", "https://cdn.vn/a", "https://b.vn/y/bai.html"]),
        (
            "http://a.vn/z/3.html",
            based,
            ["https://khac.vn/tin-tuc/", "https://cdn.vn/a", "https://khac.vn/goc/bai.html"],
        ),
        ("http://a.vn/x/4.html", page, ["http://a.vn/tin-tuc/", "http://cdn.vn/a", "http://a.vn/x/bai.html"]),
    ):
        assert [link for link, _ in read_html_page(body, url, "text/html").links] == expected, url
