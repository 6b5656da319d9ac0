"""Pagers read from the pager itself: a listing's pages, its identity, its next page."""

from __future__ import annotations

import pytest

from crawler.discover.listings import read_pager

H = "http://h.vn"
PAGERS = [
    # (page, its links, (listing, this page's number, next page)): URLs relative to H
    (
        "/tin-tuc",
        [("/tin-tuc?page=2", "2"), ("/tin-tuc?page=3", "3"), ("/tin-tuc?page=2", "Trang sau »")],
        ("/tin-tuc?page={}", 1, "/tin-tuc?page=2"),
    ),
    (
        "/tin-tuc?page=3",
        [("/tin-tuc", "1"), ("/tin-tuc?page=2", "2"), ("/tin-tuc?page=4", "4"), ("/tin-tuc?page=4", "»")],
        ("/tin-tuc?page={}", 3, "/tin-tuc?page=4"),
    ),
    # page 1 written with its number (by a menu): the same listing
    (
        "/tin-tuc?page=1",
        [("/tin-tuc?page=2", "2"), ("/tin-tuc?page=3", "3")],
        ("/tin-tuc?page={}", 1, "/tin-tuc?page=2"),
    ),
    (
        "/thoi-su",
        [("/thoi-su/trang-2.html", "2"), ("/thoi-su/trang-3.html", "3")],
        ("/thoi-su/trang-{}.html", 1, "/thoi-su/trang-2.html"),
    ),
    (
        "/category/x/page/2/",
        [("/category/x/", "1"), ("/category/x/page/3/", "3")],
        ("/category/x/page/{}/", 2, "/category/x/page/3/"),
    ),
    # an offset, whatever the parameter is called (Joomla's ?start=)
    (
        "/tin-tuc.html",
        [("/tin-tuc.html?start=10", "2"), ("/tin-tuc.html?start=20", "3")],
        ("/tin-tuc.html?start={}", 1, "/tin-tuc.html?start=10"),
    ),
    (
        "/tin-tuc.html?start=20",
        [("/tin-tuc.html?start=0", "1"), ("/tin-tuc.html?start=10", "2"), ("/tin-tuc.html?start=30", "4")],
        ("/tin-tuc.html?start={}", 3, "/tin-tuc.html?start=30"),
    ),
    # zero-based pages (Drupal)
    ("/tin-tuc", [("/tin-tuc?page=1", "2"), ("/tin-tuc?page=2", "3")], ("/tin-tuc?page={}", 1, "/tin-tuc?page=1")),
    # a category id is part of the listing's identity
    (
        "/ds.aspx?CatID=12",
        [("/ds.aspx?CatID=12&cur=2", "2"), ("/ds.aspx?CatID=12&cur=3", "3")],
        ("/ds.aspx?CatID=12&cur={}", 1, "/ds.aspx?CatID=12&cur=2"),
    ),
    # a portlet's pager: page 1 carries none of its parameters
    (
        "/web/guest/tin",
        [
            ("/web/guest/tin?p_p_id=101_INSTANCE_ab&_101_INSTANCE_ab_cur=2", "2"),
            ("/web/guest/tin?p_p_id=101_INSTANCE_ab&_101_INSTANCE_ab_cur=3", "3"),
        ],
        (
            "/web/guest/tin?p_p_id=101_INSTANCE_ab&_101_INSTANCE_ab_cur={}",
            1,
            "/web/guest/tin?p_p_id=101_INSTANCE_ab&_101_INSTANCE_ab_cur=2",
        ),
    ),
    # a lone "next" link
    ("/x", [("/x?page=2", "Trang sau")], ("/x?page={}", 1, "/x?page=2")),
    ("/tin/p2", [("/tin/p3", "Tiếp »")], ("/tin/p{}", 2, "/tin/p3")),
    # one numbered link under a date archive: the page number is the last run, not the month
    (
        "/2026/02/",
        [("/2026/02/page/2/", "2"), ("/2026/02/page/2/", "»")],
        ("/2026/02/page/{}/", 1, "/2026/02/page/2/"),
    ),
    # a SharePoint list view: page 1 has no number; its next page is the first row's, after a
    # cursor (the last item shown) that is no part of the listing
    (
        "/Pages/cd.aspx",
        [
            (
                "/Pages/cd.aspx?Paged=TRUE&p_StartDate=20260812+06%3A25%3A00&p_ID=2515&PageFirstRow=7&View=%7B5E1A%7D",
                "Trang kế tiếp",
            )
        ],
        (
            "/Pages/cd.aspx?PageFirstRow={}",
            1,
            "/Pages/cd.aspx?Paged=TRUE&p_StartDate=20260812+06%3A25%3A00&p_ID=2515&PageFirstRow=7&View=%7B5E1A%7D",
        ),
    ),
    # a "see more" that loads the next page of this listing (an opaque cursor)
    ("/tin-moi", [("/tin-moi?after=AbXq", "Xem thêm")], ("/tin-moi", 1, "/tin-moi?after=AbXq")),
    # a window pager whose neighbours are also its step links (one URL, two texts each)
    (
        "/tin?page=14",
        [
            ("/tin?page=13", "« Trang trước"),
            ("/tin", "1"),
            ("/tin?page=12", "12"),
            ("/tin?page=13", "13"),
            ("/tin?page=15", "15"),
            ("/tin?page=15", "Trang sau »"),
        ],
        ("/tin?page={}", 14, "/tin?page=15"),
    ),
]


@pytest.mark.parametrize(("page", "links", "expected"), PAGERS)
def test_the_pager_is_read_from_the_pager(page: str, links: list[tuple[str, str]], expected: tuple) -> None:
    pager = read_pager(H + page, [(H + url, text) for url, text in links])
    assert pager is not None
    assert (pager.listing, pager.current, pager.next_url) == (H + expected[0], expected[1], H + expected[2])


def test_the_last_page_has_no_next_page() -> None:
    pager = read_pager(H + "/tin-tuc?page=3", [(H + "/tin-tuc", "1"), (H + "/tin-tuc?page=2", "2")])
    assert pager is not None and pager.current == 3 and pager.next_url is None
    # a teaser's "Xem tiếp ›" on the last page is no next page
    teaser = (H + "/tin-tuc/ArtMID/645/ArticleID/2614/khai-mac", "Xem tiếp ›")
    pager = read_pager(
        H + "/tin-tuc/PageID/3", [teaser, (H + "/tin-tuc/PageID/2", "2"), (H + "/tin-tuc/PageID/1", "1")]
    )
    assert pager is not None and pager.current == 3 and pager.next_url is None


@pytest.mark.parametrize(
    ("page", "links"),
    [
        ("/", [("/?p=123", "Khai mạc hội nghị công tác dân vận năm 2026")]),  # a WordPress article
        ("/", [("/tin-tuc?page=1", "Tin tức"), ("/thong-bao?page=1", "Thông báo")]),  # menus
        ("/", [("/2024/05/03/", "3"), ("/2024/05/04/", "4"), ("/2024/05/15/", "15")]),  # a calendar widget
        ("/tin-tuc/bai-viet-12.html", [("/tin-tuc?page=2", "2"), ("/tin-tuc?page=3", "3")]),  # another listing's
        # a home page's boxes, each ending in "see more" to its section
        ("/Pages/TrangChu.aspx", [("/tin-tuc/Pages/tin.aspx", "Xem tiếp"), ("/tin-tuc/Pages/cd.aspx", "Xem tiếp")]),
        ("/", [("/tin-tuc", "Xem thêm »")]),
        # a date archive's teasers, each with a "Xem tiếp »" to its article
        ("/2026/12/", [("/2026/12/khai-mac-hoi-nghi/", "Xem tiếp »"), ("/2026/12/ban-giao-nha/", "Xem tiếp »")]),
        ("/2026/12/", [("/2026/12/khai-mac-hoi-nghi/", "Xem tiếp »")]),
    ],
)
def test_links_that_only_look_like_pagination_are_not_a_pager(page: str, links: list[tuple[str, str]]) -> None:
    assert read_pager(H + page, [(H + url, text) for url, text in links]) is None


@pytest.mark.parametrize("host", ["http://127.0.0.1:8080", "http://tinh2.gov.vn", "http://10.20.30.40"])
def test_a_hosts_digits_are_no_page_number(host: str) -> None:
    links = [(host + "/tin-tuc/trang-2", "Trang sau »"), (host + "/tin-tuc/trang-2", "2")]
    pager = read_pager(host + "/tin-tuc", links)
    assert pager is not None and pager.listing == host + "/tin-tuc/trang-{}" and pager.current == 1
    lone = read_pager(host + "/tin-tuc", [(host + "/tin-tuc?p=2", "Tiếp »")])
    assert lone is not None and lone.listing == host + "/tin-tuc?p={}"
