"""The frontier's decisions: walk listings to their end once, then only while they bring
news; resume what was left pending; one URL a page; skip what is known; count what is skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.discover.frontier import BACKFILL, HEAD, Frontier, Visit, period_end, slash_twin
from crawler.seeds import parse_seed
from storage.records import CrawlState, KnownArticle, KnownListing, KnownUrl, PendingUrl

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SEED = parse_seed("x", {"name": "X", "start_urls": ["http://h.vn/"]})
H = "http://h.vn"
LISTING = H + "/tin?page={}"


def known(url: str, published: str = "2026-01-01", checked: datetime = NOW) -> KnownArticle:
    stamp = checked.isoformat()
    return KnownArticle(1, url, published, stamp, stamp)


def frontier(
    urls: dict[str, KnownUrl] | None = None,
    articles: dict[str, KnownArticle] | None = None,
    listings: dict[str, KnownListing] | None = None,
    pending: tuple[PendingUrl, ...] = (),
) -> Frontier:
    return Frontier(SEED, CrawlState(articles or {}, {}, urls or {}, listings or {}, pending), NOW)


def follow(f: Frontier, visit: Visit, url: str, links: list[tuple[str, str]], *, article: bool) -> list[Visit]:
    """What the spider does with a fetched page's links."""
    return f.links(visit, url, f.read_links(url, links), article=article)


def listing_page(n: int, last: int, items: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """Page ``n`` of /tin (``last`` pages) linking to ``items`` and its pager."""
    url = H + ("/tin" if n == 1 else f"/tin?page={n}")
    pager = [(H + ("/tin" if k == 1 else f"/tin?page={k}"), str(k)) for k in range(1, last + 1) if k != n]
    return url, [(H + item, item.strip("/")) for item in items] + pager


def walk(f: Frontier, pages: int, items_of: dict[int, list[str]], first: Visit | None = None) -> list[int]:
    """Follow /tin from page 1 the way the spider does; the page numbers read."""
    read, visit = [], first or Visit(H + "/tin", hops=1, via=H + "/")
    while visit is not None:
        n = visit.page or 1
        read.append(n)
        url, links = listing_page(n, pages, items_of.get(n, []))
        following = [v for v in follow(f, visit, url, links, article=False) if v.listing]
        visit = following[0] if following else None
    return read


def test_a_first_crawl_walks_a_listing_to_its_end_though_its_pages_show_nothing_new() -> None:
    f = frontier()
    # pages 2-5 link only to articles met already (most-read box, related news, an aggregate listing)
    met = ["/a-1.html", "/a-2.html", "/a-3.html"]
    follow(f, Visit(H + "/", hops=0, start=True), H + "/", [(H + u, "Bài") for u in met], article=False)
    items = {1: ["/a-9.html"], 2: met[:1], 3: met[1:2], 4: met[2:], 5: ["/a-1.html", "/a-2.html"]}
    assert walk(f, 5, items) == [1, 2, 3, 4, 5]
    assert f.walks[LISTING].end == 5


def test_a_last_page_that_shows_no_pager_ends_the_walk() -> None:
    f = frontier()
    url, links = H + "/tin", [(H + "/a-1.html", "Bài 1"), (H + "/tin?page=2", "Xem tiếp »")]
    f.requested.add(url)
    (page_2,) = [v for v in follow(f, Visit(url, hops=1), url, links, article=False) if v.listing]
    # page 2, the last, shows its items and a way back, no pager
    last = [(H + "/a-2.html", "Bài 2"), (H + "/tin?page=1", "« Trang trước")]
    visits = follow(f, page_2, page_2.url, last, article=False)
    assert [v.url for v in visits] == [H + "/a-2.html"]  # the way back is no new listing
    (record,) = f.listings(interrupted=None)
    assert (record.pages, record.walked_to_end) == (2, NOW.isoformat(timespec="seconds"))


def test_once_walked_to_its_end_a_listing_is_walked_only_while_it_shows_something_new() -> None:
    done = {LISTING: KnownListing(LISTING, H + "/tin", 5, "2026-11-20T00:00:00+00:00")}
    articles = {H + f"/a-{n}.html": known(H + f"/a-{n}.html") for n in range(1, 10)}
    f = frontier(articles=articles, listings=done)
    items = {1: ["/moi-1.html", "/a-1.html"], 2: ["/a-2.html"], 3: ["/a-3.html"]}
    assert walk(f, 5, items) == [1, 2]
    assert f.skipped["pagination: nothing new on the pages before"] == 1
    assert f.walks[LISTING].stopped == "nothing new"


def test_pages_that_repeat_end_a_walk() -> None:
    f = frontier()
    assert walk(f, 9, {n: ["/a-1.html", "/a-2.html"] for n in range(1, 10)}) == [1, 2]
    assert f.walks[LISTING].stopped == "its pages repeat"


def test_a_walk_cut_short_is_resumed_where_it_stopped() -> None:
    state_listing = {LISTING: KnownListing(LISTING, H + "/tin", 3, None, "max_pages")}
    pending = (PendingUrl(H + "/tin?page=4", 3, "", H + "/tin?page=3", LISTING, 4, BACKFILL),)
    f = frontier(listings=state_listing, pending=pending)
    (resumed,) = f.resumed()
    assert (resumed.url, resumed.page, resumed.walk) == (H + "/tin?page=4", 4, BACKFILL)
    assert walk(f, 6, {n: [f"/a-{n}.html"] for n in range(1, 7)}, first=resumed) == [4, 5, 6]
    # the walk from the first page meanwhile is a head walk: it stops at the first page with nothing new
    assert f._mode(f.walks[LISTING], facet=False) == HEAD
    (record,) = f.listings(interrupted=None)
    assert record.walked_to_end == NOW.isoformat(timespec="seconds") and record.stop_reason is None


def test_a_listing_still_waiting_for_its_next_page_records_why_it_stopped() -> None:
    f = frontier()
    url, links = listing_page(1, 3, ["/a-1.html"])
    follow(f, Visit(url, hops=1), url, links, article=False)
    (record,) = f.listings(interrupted="max_pages")
    assert (record.pages, record.walked_to_end, record.stop_reason) == (1, None, "max_pages")


def test_resumed_urls_skip_what_was_archived_meanwhile() -> None:
    pending = (PendingUrl(H + "/a-1.html"), PendingUrl(H + "/a-2.html"))
    f = frontier(articles={H + "/a-1.html": known(H + "/a-1.html")}, pending=pending)
    assert [v.url for v in f.resumed()] == [H + "/a-2.html"]


def test_known_articles_and_known_non_listings_are_not_fetched_again() -> None:
    recent = (NOW - timedelta(days=1)).isoformat()
    urls = {
        H + "/lien-he.html": KnownUrl(H + "/lien-he.html", "other", recent),
        H + "/tin": KnownUrl(H + "/tin", "listing", recent, 200, 8),
    }
    f = frontier(urls, {H + "/a-1.html": known(H + "/a-1.html")})
    start = Visit(H + "/", hops=0, start=True)
    links = [(H + "/a-1.html", "A"), (H + "/lien-he.html", "Liên hệ"), (H + "/tin", "Tin"), ("http://o.vn/x", "X")]
    assert [v.url for v in follow(f, start, H + "/", links, article=False)] == [H + "/tin"]
    # a known listing linked from another page than a start page is not read again
    g = frontier(urls)
    assert follow(g, Visit(H + "/x", hops=1), H + "/x", [(H + "/tin", "Tin")], article=False) == []


def test_links_first_followed_from_articles_are_still_news_to_a_listing() -> None:
    f = frontier()
    article = Visit(H + "/a-1.html", hops=2)
    follow(f, article, H + "/a-1.html", [(H + "/a-7.html", "Bài liên quan")], article=True)
    follow(f, Visit(H + "/", hops=0, start=True), H + "/", [(H + "/lien-he.html", "Liên hệ")], article=False)
    assert f.unseen([H + "/a-7.html", H + "/lien-he.html"]) == 1


def test_a_link_counts_as_news_once_per_run() -> None:
    f = frontier()
    assert f.unseen([H + "/wp-admin/", H + "/bai-1.html"]) == 2
    assert f.unseen([H + "/wp-admin/", H + "/bai-1.html"]) == 0
    assert f.unseen([H + "/wp-admin/", H + "/bai-2.html"]) == 1


def test_a_link_that_differs_only_by_a_trailing_slash_is_the_same_page() -> None:
    f = frontier(articles={H + "/2026/11/27/bai-cu/": known(H + "/2026/11/27/bai-cu/")})
    page = H + "/2026/11/28/bai-moi/"
    nav = [(H + "/2026/11/27/bai-cu", "Bài trước"), (page.rstrip("/"), "Bài sau")]
    f.requested.add(page)
    assert follow(f, Visit(page, hops=1), page, nav, article=True) == []
    assert f.skipped["the same URL but for a trailing slash"] == 2
    assert slash_twin(H + "/a.html") is None and slash_twin(H + "/") is None
    assert slash_twin(H + "/tin?page=2") == H + "/tin/?page=2"


def test_a_date_archive_read_after_its_period_ended_is_not_read_again() -> None:
    read_yesterday = (NOW - timedelta(days=1)).isoformat()
    read_in_august = "2026-08-20T10:00:00+07:00"
    urls = {
        url: KnownUrl(url, "listing", fetched, 200, 10)
        for url, fetched in (
            (H + "/2026/08/", read_yesterday),  # August was over when it was read
            (H + "/2026/07/", read_in_august),
            (H + "/2026/09/", read_in_august),  # read before September ended: may have grown
            (H + "/2026/11/", read_yesterday),  # this month
            (H + "/2026/11/27/", read_yesterday),  # yesterday, read before its end (+14 h)
            (H + "/2026/11/20/", read_yesterday),
        )
    }
    f = frontier(urls)
    links = [(url, "Tháng") for url in urls]
    followed = {v.url for v in follow(f, Visit(H + "/", hops=0, start=True), H + "/", links, article=False)}
    assert followed == {H + "/2026/09/", H + "/2026/11/", H + "/2026/11/27/"}
    assert f.skipped["date archives of a period over when last read"] == 3
    assert period_end(H + "/2026/02/") == datetime(2026, 3, 1, 14, tzinfo=UTC)
    assert period_end(H + "/2026/02/31/") is None and period_end(H + "/tin/2026") is None


def test_only_a_listing_that_leads_to_articles_is_walked_at_no_extra_depth() -> None:
    f = frontier()
    url, links = listing_page(1, 20, ["/x-1"])
    following = [v for v in follow(f, Visit(url, hops=7), url, links, article=False) if v.listing]
    assert [v.hops for v in following] == [8]  # led to no article: a step deeper, and max_depth is 8
    url, links = listing_page(2, 20, ["/x-2"])
    assert [v for v in follow(f, following[0], url, links, article=False) if v.listing] == []
    assert f.walks[LISTING].stopped == "max_depth"
    g = frontier()
    g.found_article_from(LISTING)
    url, links = listing_page(1, 20, ["/a-1.html"])
    assert [v.hops for v in follow(g, Visit(url, hops=7), url, links, article=False) if v.listing] == [7]


def test_pages_remembered_as_listings_or_other_pages() -> None:
    f = frontier()
    f.add_article(H + "/a-1.html", H + "/a-2.html")
    url, links = listing_page(1, 3, ["/moi-1.html", "/moi-2.html"])
    follow(f, Visit(url, hops=1), url, links, article=False)  # a pager, and new pages it led to
    contact = [(H + "/tin", "Tin")]
    follow(f, Visit(H + "/lien-he.html", hops=1), H + "/lien-he.html", contact, article=False)
    f.page_seen(H + "/tong-hop", 200, [H + "/a-1.html", H + "/a-2.html"])
    kinds = {u.url: u.kind for u in f.remembered()}
    assert kinds == {H + "/tin": "listing", H + "/lien-he.html": "other", H + "/tong-hop": "listing"}


def test_one_story_is_fetched_once_whatever_its_url_but_stories_with_their_own_ids_are_not_one() -> None:
    slug = "/web/x/-/kiem-tra-cong-tac-cai-cach-hanh-chinh-tai-huyen"
    # archived by an earlier run; a variant of its URL was left pending (a back-link parameter)
    pending = (PendingUrl(H + slug + "?assetEntryId=48370&redirect=%2Fweb%2Fx", 2, "", H + "/"),)
    f = frontier(articles={H + slug: known(H + slug)}, pending=pending)
    assert f.resumed() == []
    weekly = "Lịch công tác tuần của Thường trực Tỉnh ủy Lạng Sơn"
    links = [(H + "/tin/466-lich-cong-tac.html", weekly), (H + "/tin/472-lich-cong-tac.html", weekly)]
    links += [(H + "/moi/khai-mac-hoi-nghi-ban-chap-hanh-dang-bo-tinh.html", "Khai mạc")]
    links += [(H + "/tin/khai-mac-hoi-nghi-ban-chap-hanh-dang-bo-tinh.html", "Khai mạc")]
    visits = follow(f, Visit(H + "/tin", hops=1), H + "/tin", links, article=False)
    assert [v.url for v in visits] == [u for u, _ in links[:3]]
