"""Discovery rules: canonical URLs, pagination, traps, the frontier and the recheck policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.discover.frontier import Frontier, page_number, period_end, slash_twin
from crawler.discover.links import classify_link, is_calendar
from crawler.discover.recheck import conditional_headers, recheck_due, recheck_interval
from crawler.discover.urls import normalize_url, same_site
from crawler.seeds import parse_seed
from storage.records import CrawlState, KnownArticle, KnownUrl

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SEED = parse_seed("x", {"name": "X", "start_urls": ["http://h.vn/"]})


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("HTTP://H.VN:80/a/b.html?utm_source=fb&utm_medium=x#top", "http://h.vn/a/b.html"),
        ("http://h.vn/a/b.html;jsessionid=ABC123?fbclid=1", "http://h.vn/a/b.html"),
        ("https://h.vn:443/Pages/x.aspx?ItemID=12&PHPSESSID=9&sid=4", "https://h.vn/Pages/x.aspx?ItemID=12"),
        ("http://h.vn/list?cat=2&page=3", "http://h.vn/list?cat=2&page=3"),
        ("http://h.vn:8080/", "http://h.vn:8080/"),
    ],
)
def test_normalized_urls(url: str, normal: str) -> None:
    assert normalize_url(url) == normal


def test_same_site_checks_scheme_and_host() -> None:
    assert same_site("http://h.vn/a", ("h.vn",))
    assert same_site("https://sub.h.vn/a", ("h.vn",))
    assert not same_site("http://evil.vn/h.vn", ("h.vn",))
    assert not same_site("ftp://h.vn/a", ("h.vn",))
    assert not same_site("http://hh.vn/", ("h.vn",))


@pytest.mark.parametrize(
    ("url", "text", "pagination"),
    [
        ("http://h/tin?page=2", "", True),
        ("http://h/list.aspx?Page=3", "", True),
        ("http://h/x?cat=1&cur=4", "", True),
        ("http://h/category/x/page/3/", "", True),
        ("http://h/tin/trang-2.html", "", True),
        ("http://h/a/b", "Trang sau »", True),
        ("http://h/a/b", "Next", True),
        ("http://h/2024/05/03/khanh-thanh-cau/", "", False),
        ("http://h/Pages/chi-tiet.aspx?ItemID=12", "", False),
    ],
)
def test_pagination_styles(url: str, text: str, pagination: bool) -> None:
    assert classify_link(url, text).pagination is pagination


@pytest.mark.parametrize(
    ("url", "trap"),
    [
        ("http://h/tim-kiem?q=x", "search"),
        ("http://h/?s=dan+van", "search"),
        ("http://h/a/a/a/b", "repeated path segment"),
        ("http://h/" + "/".join(f"d{i}" for i in range(25)), "path depth"),
        ("http://h/uploads/anh.jpg", "file"),
        ("http://h/van-ban/quyet-dinh.pdf", "file"),
    ],
)
def test_traps(url: str, trap: str) -> None:
    assert classify_link(url).trap == trap


def test_calendar_pages_are_followed_only_from_non_calendar_pages() -> None:
    assert is_calendar("http://h/2024/05/") and is_calendar("http://h/?m=202405")
    assert classify_link("http://h/2024/04/").trap is None
    assert classify_link("http://h/2024/04/", from_calendar=True).trap == "calendar"


def test_page_numbers() -> None:
    assert page_number("http://h/tin") == 1
    assert page_number("http://h/tin?page=4") == 4
    assert page_number("http://h/category/x/page/7/") == 7
    assert page_number("http://h/tin/trang-3.html") == 3


def known(url: str, published: str, checked: datetime, **kw: str) -> KnownArticle:
    stamp = checked.isoformat()
    return KnownArticle(1, url, published, stamp, stamp, **kw)


def test_recheck_policy_young_often_old_rarely() -> None:
    assert recheck_interval(timedelta(hours=5)) == timedelta(hours=3)
    assert recheck_interval(timedelta(days=400)) == timedelta(days=90)
    young = known("http://h/a", (NOW - timedelta(days=1)).isoformat(), NOW - timedelta(hours=4))
    old = known("http://h/b", "2022-08-23T16:13:00+07:00", NOW - timedelta(days=10))
    assert recheck_due(young, NOW)
    assert not recheck_due(old, NOW)
    assert recheck_due(old, NOW, changed_at=NOW - timedelta(days=1))
    assert not recheck_due(old, NOW, changed_at=NOW - timedelta(days=20))


def test_conditional_headers_use_validators_or_the_last_check() -> None:
    with_validators = known(
        "http://h/a", "2022-08-23", NOW, etag='"abc"', last_modified="Tue, 23 Aug 2022 09:13:00 GMT"
    )
    assert conditional_headers(with_validators) == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Tue, 23 Aug 2022 09:13:00 GMT",
    }
    assert conditional_headers(known("http://h/a", "2022-08-23", NOW)) == {
        "If-Modified-Since": "Sat, 28 Nov 2026 12:00:00 GMT",
    }


def frontier(urls: dict[str, KnownUrl] | None = None, articles: dict[str, KnownArticle] | None = None) -> Frontier:
    return Frontier(SEED, CrawlState(articles or {}, {}, urls or {}), NOW)


def test_frontier_walks_pagination_only_while_pages_bring_something_new() -> None:
    f = frontier()
    assert f.follow("http://h.vn/tin?page=2", "2", "http://h.vn/tin", from_start=False, new_streak=0)
    assert not f.follow("http://h.vn/tin?page=3", "3", "http://h.vn/tin", from_start=False, new_streak=0)
    assert not f.follow("http://h.vn/tin?page=4", "4", "http://h.vn/tin?page=3", from_start=False, new_streak=1)
    assert f.skipped["pagination: nothing new on the pages before"] == 1


def test_frontier_skips_known_articles_and_known_non_listings() -> None:
    recent = (NOW - timedelta(days=1)).isoformat()
    urls = {
        "http://h.vn/lien-he.html": KnownUrl("http://h.vn/lien-he.html", "other", recent),
        "http://h.vn/tin": KnownUrl("http://h.vn/tin", "listing", recent, 200, 8),
    }
    article = known("http://h.vn/a-1.html", "2022-01-01", NOW)
    f = frontier(urls, {article.url: article})
    assert not f.follow("http://h.vn/a-1.html", "", "http://h.vn/", from_start=True, new_streak=0)
    assert not f.follow("http://h.vn/lien-he.html", "", "http://h.vn/", from_start=True, new_streak=0)
    assert f.follow("http://h.vn/tin", "", "http://h.vn/", from_start=True, new_streak=0)
    assert not frontier(urls).follow("http://h.vn/tin", "", "http://h.vn/x", from_start=False, new_streak=0)
    assert not f.follow("http://other.vn/x", "", "http://h.vn/", from_start=True, new_streak=0)
    assert f.unseen(["http://h.vn/a-1.html", "http://h.vn/tin", "http://h.vn/new-2.html"]) == 1


def test_frontier_remembers_listings_and_other_pages() -> None:
    f = frontier()
    f.add_article("http://h.vn/a-1.html", "http://h.vn/a-2.html")
    f.page_seen("http://h.vn/tin", 200, ["http://h.vn/a-1.html", "http://h.vn/a-2.html", "http://h.vn/lien-he.html"])
    f.page_seen("http://h.vn/lien-he.html", 200, ["http://h.vn/tin"])
    kinds = {u.url: (u.kind, u.article_links) for u in f.remembered()}
    assert kinds == {"http://h.vn/tin": ("listing", 2), "http://h.vn/lien-he.html": ("other", 0)}


def test_links_first_followed_from_articles_are_still_news_to_a_listing() -> None:
    f = frontier()
    assert f.follow(
        "http://h.vn/a-7.html",
        "Bài liên quan",
        "http://h.vn/a-1.html",
        from_start=False,
        new_streak=0,
        from_article=True,
    )
    assert f.follow("http://h.vn/lien-he.html", "Liên hệ", "http://h.vn/", from_start=True, new_streak=0)
    # a listing page linking to them: the related-news link is news, the menu link is not
    assert f.unseen(["http://h.vn/a-7.html", "http://h.vn/lien-he.html"]) == 1
    assert f.is_pagination("http://h.vn/tin?page=9", "9", "http://h.vn/tin?page=8")
    assert not f.is_pagination("http://h.vn/a-7.html", "Bài", "http://h.vn/tin")


def test_a_listing_that_grew_by_a_page_is_no_news() -> None:
    f = frontier({"http://h.vn/tin?page=2": KnownUrl("http://h.vn/tin?page=2", "listing", NOW.isoformat(), 200, 10)})
    # every page of a grown listing links to its new last page: that alone is not news
    assert f.unseen(["http://h.vn/tin?page=2", "http://h.vn/tin?page=126"], "http://h.vn/tin?page=3") == 0
    assert f.unseen(["http://h.vn/tin?page=126", "http://h.vn/bai-moi.html"], "http://h.vn/tin?page=3") == 1
    # a listing whose articles are numbered like its pages: those are news
    listing, article = "http://h.vn/Pages/tin-tuc.aspx?Page=3", "http://h.vn/Pages/chi-tiet-tin.aspx?ItemID=2437"
    assert f.unseen([article], listing) == 1


def test_a_link_that_differs_only_by_a_trailing_slash_is_the_same_page() -> None:
    article = known("http://h.vn/2026/11/27/bai-cu/", "2026-11-27", NOW)
    f = frontier(articles={article.url: article})
    assert f.follow("http://h.vn/2026/11/28/bai-moi/", "Bài mới", "http://h.vn/", from_start=True, new_streak=0)
    # the previous/next links of WordPress articles drop the slash
    nav = {"source": "http://h.vn/2026/11/28/bai-moi/", "from_start": False, "new_streak": None, "from_article": True}
    assert not f.follow("http://h.vn/2026/11/27/bai-cu", "Bài trước", **nav)
    assert not f.follow("http://h.vn/2026/11/28/bai-moi", "Bài sau", **nav)
    assert f.skipped["the same URL but for a trailing slash"] == 2
    assert f.unseen(["http://h.vn/2026/11/27/bai-cu", "http://h.vn/2026/11/28/bai-moi"], "http://h.vn/tin") == 0
    # files and the root have no twin
    assert slash_twin("http://h.vn/a.html") is None and slash_twin("http://h.vn/") is None
    assert slash_twin("http://h.vn/tin?page=2") == "http://h.vn/tin/?page=2"


def test_a_date_archive_read_after_its_period_ended_is_not_read_again() -> None:
    read_yesterday = (NOW - timedelta(days=1)).isoformat()
    read_in_august = "2026-08-20T10:00:00+07:00"
    urls = {
        url: KnownUrl(url, "listing", fetched, 200, 10)
        for url, fetched in (
            ("http://h.vn/2026/08/", read_yesterday),  # August was over when it was read
            ("http://h.vn/2026/07/", read_in_august),
            ("http://h.vn/2026/09/", read_in_august),  # read before September ended: may have grown
            ("http://h.vn/2026/11/", read_yesterday),  # this month
            ("http://h.vn/2026/11/27/", read_yesterday),  # yesterday, read before its end (+14 h)
            ("http://h.vn/2026/11/20/", read_yesterday),
        )
    }
    f = frontier(urls)
    followed = {u for u in urls if f.follow(u, "Tháng", "http://h.vn/", from_start=True, new_streak=0)}
    assert followed == {"http://h.vn/2026/09/", "http://h.vn/2026/11/", "http://h.vn/2026/11/27/"}
    assert f.skipped["date archives of a period over when last read"] == 3
    assert period_end("http://h.vn/2026/02/") == datetime(2026, 3, 1, 14, tzinfo=UTC)
    assert period_end("http://h.vn/2026/02/31/") is None and period_end("http://h.vn/tin/2026") is None


def test_a_link_counts_as_news_once_per_run() -> None:
    f = frontier()
    # /wp-admin/ on every page, never fetched (robots.txt): news to the first listing page only
    assert f.unseen(["http://h.vn/wp-admin/", "http://h.vn/bai-1.html"], "http://h.vn/tin") == 2
    assert f.unseen(["http://h.vn/wp-admin/", "http://h.vn/bai-1.html"], "http://h.vn/tin/page/2/") == 0
    assert f.unseen(["http://h.vn/wp-admin/", "http://h.vn/bai-2.html"], "http://h.vn/tin/page/3/") == 1


def test_only_a_listing_that_leads_to_articles_is_walked_at_no_extra_depth() -> None:
    articles = {u: known(u, "2026-11-01", NOW) for u in (f"http://h.vn/a-{n}.html" for n in range(1, 7))}
    f = frontier(articles=articles)
    f.page_seen("http://h.vn/", 200, ["http://h.vn/a-5.html", "http://h.vn/a-6.html"], start=True)  # "most read"
    # a made-up listing linking only to the site's chrome and to new pages: each page a step deeper
    f.page_seen("http://h.vn/lich?p=3", 200, ["http://h.vn/a-5.html", "http://h.vn/a-6.html", "http://h.vn/x-3"])
    assert f.pagination_depth("http://h.vn/lich?p=3") == 1
    # a listing of known articles (read in an earlier run, or first met in a sitemap)
    f.page_seen("http://h.vn/tin?page=40", 200, ["http://h.vn/a-1.html", "http://h.vn/a-2.html"])
    assert f.pagination_depth("http://h.vn/tin?page=41") == 0
    # a listing on which a new article was found
    assert f.pagination_depth("http://h.vn/su-kien/trang-2.html") == 1
    f.found_article_from("http://h.vn/su-kien/trang-2.html")
    assert f.pagination_depth("http://h.vn/su-kien/trang-3.html") == 0
