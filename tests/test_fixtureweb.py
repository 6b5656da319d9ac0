"""The fixture web itself (tests/zoo/): its sites, their gold answers, their two days, their traps."""

from __future__ import annotations

import gzip
import html as html_lib
import json
import re
import time as time_module
import unicodedata
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import deque
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from zoo import VN, FixtureSite, FixtureWeb, GoldArticle, fixture_sites, vietnam_today, write_minimal_seeds

from crawler.seeds import load_seeds
from scheduler.demo.mirror import Page, find_page

BASE = "http://fixture.test"
TODAY = date(2026, 11, 28)
SITE_IDS = ["agency", "newspaper", "sharepoint", "wordpress"]
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "atom": "http://www.w3.org/2005/Atom",
}
ARTICLE_SHAPES = {
    "agency": r"/tin-tuc-su-kien/hoat-dong-dang-uy-khoi/[a-z0-9-]+-\d+\.html",
    "newspaper": r"/[a-z0-9-]+-\d{7}\.html",
    "sharepoint": r"/Pages/chi-tiet-tin\.aspx\?ItemID=\d+",
    "wordpress": r"/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/",
}
NEXT_TEXTS = {"Trang sau »", "Trang sau ›", "Sau"}
MAIN_LIST = {  # where a listing's own items are, between these two markers (not the sidebars)
    "agency": ('<div class="list-news">', '<div class="pager">'),
    "newspaper": ('<h1 class="cat-title">', '<aside class="sidebar">'),
    "sharepoint": ('<div class="title-category">', '<div class="phantrang">'),
    "wordpress": ('<header class="page-header">', '<aside id="secondary"'),
}
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# ----------------------------------------------------------------- helpers


class Rendered:
    """One site on one day, rendered in process at BASE, answered the way MirrorServer answers."""

    def __init__(self, site: FixtureSite, day: int) -> None:
        self.site, self.day = site, day
        self.pages, self.not_found = site.render(day)(BASE)

    def get(self, target: str) -> tuple[int, Page]:
        """(status, page) for a path with query, following redirects on the site."""
        for _ in range(5):
            page = find_page(self.pages, target)
            if page is None:
                return 404, self.not_found
            if page.status in (301, 302):
                target = path_of(dict(page.headers)["Location"]) or "/"
                continue
            return page.status, page
        raise AssertionError(f"redirect loop at {target}")

    def html(self, target: str) -> str:
        status, page = self.get(target)
        assert status == 200, (self.site.id, target, status)
        return page.body.decode("utf-8")

    def robots(self) -> RobotFileParser:
        parser = RobotFileParser()
        parser.parse(self.html("/robots.txt").splitlines())
        return parser


class Links(HTMLParser):
    """<a href> with their text, <link rel=...> and the text of every <p>, <td> and <figcaption>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[str, str]] = []
        self.heads: list[dict[str, str]] = []
        self.blocks: list[str] = []
        self._href: str | None = None
        self._text: list[str] = []
        self._block: list[list[str]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in attr:
            self._href, self._text = attr["href"], []
        elif tag == "link":
            self.heads.append(attr)
        elif tag in ("p", "td", "figcaption"):
            self._block.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.anchors.append((self._href, "".join(self._text).strip()))
            self._href = None
        elif tag in ("p", "td", "figcaption") and self._block:
            self.blocks.append("".join(self._block.pop()).strip())

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)
        for block in self._block:
            block.append(data)

    def hrefs(self) -> list[str]:
        return [href for href, _ in self.anchors]

    def canonical(self) -> str | None:
        return next((link["href"] for link in self.heads if link.get("rel") == "canonical"), None)


def path_of(url: str, page_url: str = BASE + "/") -> str | None:
    """Path with query of a link on the fixture host, or None (other host, javascript:, mailto:...)."""
    absolute = urljoin(page_url, url)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(BASE).netloc:
        return None
    return (parts.path or "/") + ("?" + parts.query if parts.query else "")


def is_trap(site: FixtureSite, target: str) -> bool:
    return any(re.search(pattern, target) for pattern in site.trap_patterns)


def bfs(rendered: Rendered, limit: int = 1500) -> tuple[set[str], int]:
    """Paths reached from the home page by following <a> links, obeying robots.txt, skipping traps."""
    robots = rendered.robots()
    start = rendered.site.home_path
    seen, queue, fetched = {start}, deque([start]), 0
    while queue:
        target = queue.popleft()
        status, page = rendered.get(target)
        fetched += 1
        assert fetched <= limit, f"{rendered.site.id}: more than {limit} pages without traps"
        if status != 200 or not page.content_type.startswith("text/html"):
            continue
        for href in Links(page.body.decode("utf-8")).hrefs():
            found = path_of(href.split("#")[0], BASE + target)
            if found is None or found in seen or is_trap(rendered.site, found):
                continue
            if not robots.can_fetch("provnews", BASE + found):
                continue
            seen.add(found)
            queue.append(found)
    return seen, fetched


def listing_chain(rendered: Rendered, first: str) -> list[tuple[str, list[str]]]:
    """The pages of a listing, following its "next" links: (path, article paths on it in order)."""
    shape = re.compile(ARTICLE_SHAPES[rendered.site.id] + "$")
    chain: list[tuple[str, list[str]]] = []
    target: str | None = first
    while target is not None:
        assert target not in [p for p, _ in chain], f"pagination loops at {target}"
        html = rendered.html(target)
        start, end = MAIN_LIST[rendered.site.id]
        links = Links(html)
        found = [path_of(h, BASE + target) or "" for h in Links(html[html.index(start) : html.index(end)]).hrefs()]
        main = [p for p in dict.fromkeys(found) if shape.match(p)]
        chain.append((target, main))
        nexts = [path_of(h, BASE + target) for h, text in links.anchors if text in NEXT_TEXTS]
        target = nexts[0] if nexts else None
    return chain


def sitemap_urls(xml_bytes: bytes) -> dict[str, str | None]:
    """loc -> lastmod of a urlset."""
    root = ET.fromstring(xml_bytes)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return {
        str(url.findtext("sm:loc", namespaces=NS)): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.findall("sm:url", NS)
    }


def published_at(gold: GoldArticle) -> datetime:
    if "T" in gold.published:
        return datetime.fromisoformat(gold.published)
    return datetime.combine(date.fromisoformat(gold.published), time(12, 0), tzinfo=VN)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with OPENER.open(request, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


# ----------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def sites() -> dict[str, FixtureSite]:
    return {site.id: site for site in fixture_sites(TODAY)}


@pytest.fixture(scope="module")
def rendered(sites: dict[str, FixtureSite]) -> dict[tuple[str, int], Rendered]:
    return {(site_id, day): Rendered(site, day) for site_id, site in sites.items() for day in (1, 2)}


# ----------------------------------------------------------------- the sites and their gold


def test_four_sites_of_distinct_kinds(sites: dict[str, FixtureSite]) -> None:
    assert list(sites) == SITE_IDS
    assert len({site.name for site in sites.values()}) == 4
    assert {site.deleted_status for site in sites.values()} == {404, 410}
    for site in sites.values():
        day1, day2 = site.gold(1), site.gold(2)
        assert 25 <= len(day1) <= 40, site.id
        assert 2 <= len(site.new_paths) <= 4, site.id
        paths1 = [g.path for g in day1]
        assert len(set(paths1)) == len(paths1) and len({g.title for g in day1}) == len(day1)
        assert all(re.fullmatch(ARTICLE_SHAPES[site.id], p) for p in paths1 + list(site.new_paths)), site.id
        assert site.edited_path in paths1 and site.deleted_path in paths1
        assert not set(site.new_paths) & set(paths1)
        assert [g.path for g in day2] == [*site.new_paths[::-1], *(p for p in paths1 if p != site.deleted_path)]
        assert not set(site.non_article_paths) & set(paths1 + [g.path for g in day2])
    assert fixture_sites(TODAY)[1].gold(2) == sites["newspaper"].gold(2)  # deterministic


def test_any_number_of_articles_and_sites_for_benchmarks() -> None:
    sites = fixture_sites(TODAY, count=400, sites=5)
    assert [site.id for site in sites] == [*SITE_IDS, "agency-2"]
    for site in sites:
        day1 = site.gold(1)
        assert len(day1) == 400 and len(site.gold(2)) == 400 - 1 + len(site.new_paths)
        assert len({g.path for g in day1}) == len({g.title for g in day1}) == 400, site.id
        shape = ARTICLE_SHAPES[site.id.split("-")[0]]
        assert all(re.fullmatch(shape, g.path) for g in day1), site.id
    assert sites[4].gold(1) != sites[0].gold(1)  # the second agency portal is written from its own seed
    for site in (sites[3], sites[4]):  # every page renders once, under a path of its own
        pages, _ = site.render(1)(BASE)
        assert sum(1 for g in site.gold(1) if pages[g.path].status == 200) == 400


@pytest.mark.parametrize("today", [TODAY, date(2027, 1, 2), date(2028, 3, 1), vietnam_today()])
def test_dates_are_relative_to_today(today: date) -> None:
    midnight = datetime.combine(today, time(0, 0), tzinfo=VN)
    for site in fixture_sites(today):
        shape = r"\d{4}-\d{2}-\d{2}" if site.id == "sharepoint" else r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+07:00"
        for day in (1, 2):
            for gold in site.gold(day):
                assert re.fullmatch(shape, gold.published), (site.id, gold.published)
                assert published_at(gold).date() < today  # nothing in the future on the day
        ages = {g.path: (midnight - published_at(g)) for g in site.gold(1)}
        recent = {path for path, age in ages.items() if age <= timedelta(days=3)}
        assert 4 <= len(recent) <= 6 and {site.edited_path, site.deleted_path} <= recent, site.id
        older = [age for path, age in ages.items() if path not in recent]
        assert all(timedelta(days=59) <= age <= timedelta(days=366) for age in older), site.id
        assert sum(published_at(g).day <= 12 for g in site.gold(1)) >= 5, site.id
        new = [g for g in site.gold(2) if g.path in site.new_paths]
        assert min(map(published_at, new)) >= max(map(published_at, site.gold(1)))  # on top of every listing


def test_gold_texts_are_distinct_vietnamese_paragraphs(sites: dict[str, FixtureSite]) -> None:
    owner: dict[str, str] = {}
    for site in sites.values():
        for gold in {g.path: g for day in (1, 2) for g in site.gold(day)}.values():
            for text in (gold.title, gold.text, gold.source or "", gold.author or ""):
                assert unicodedata.is_normalized("NFC", text)
            paragraphs = gold.text.split("\n")
            extra = gold.path == site.edited_path
            assert 3 <= len(paragraphs) <= 5 + extra, gold.path
            for paragraph in paragraphs:
                assert 40 <= len(paragraph.split()) <= 100, paragraph[:60]
                assert re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", paragraph)
                assert owner.setdefault(paragraph, site.id + gold.path) == site.id + gold.path, paragraph[:60]
    assert len(owner) > 500


def test_sources_and_authors_vary(sites: dict[str, FixtureSite]) -> None:
    agency, newspaper, sharepoint, wordpress = (sites[i].gold(1) for i in SITE_IDS)
    assert {g.source for g in agency} == {"Baolangson.vn", "Ban Tuyên giáo Đảng ủy Khối", None}
    assert all(g.author is None for g in agency)
    assert any(g.source == "TTXVN" for g in newspaper)
    assert all((g.author is None) == (g.source == "TTXVN") for g in newspaper)
    assert all(g.author is None or g.author == g.author.upper() for g in newspaper)
    assert {g.author for g in sharepoint} >= {None, "Hoàng Lan"} and None in {g.source for g in sharepoint}
    assert all(g.author for g in wordpress) and {g.source for g in wordpress} == {"Báo Lạng Sơn", None}


# ----------------------------------------------------------------- pages hold their gold


@pytest.mark.parametrize("site_id", SITE_IDS)
@pytest.mark.parametrize("day", [1, 2])
def test_each_article_page_holds_its_gold(rendered: dict[tuple[str, int], Rendered], site_id: str, day: int) -> None:
    state = rendered[site_id, day]
    for gold in state.site.gold(day):
        html = state.html(gold.path)
        page = Links(html)
        for paragraph in gold.text.split("\n"):
            assert paragraph in page.blocks, (gold.path, paragraph[:60])
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        assert title is not None and html_lib.unescape(title[1]).strip().startswith(gold.title), gold.path
        when = published_at(gold)
        shown = {
            "agency": f'<span class="date">{when:%d-%m-%Y %H:%M}</span>',
            "newspaper": f"{when:%d/%m/%Y %H:%M}</span>",
            "sharepoint": f"Ngày đăng: {when:%d/%m/%Y}</td>",
            "wordpress": f'datetime="{gold.published}">{when:%d/%m/%Y}</time>',
        }[site_id]
        assert shown in html, gold.path
        if gold.source:
            assert any(b in (f"Nguồn: {gold.source}", f"Theo {gold.source}") for b in page.blocks), gold.path
        if gold.author and site_id == "newspaper":
            assert page.blocks[page.blocks.index(gold.text.split("\n")[-1]) + 1] == gold.author
        if gold.author and site_id == "sharepoint":
            assert f"Tác giả: {gold.author}" in page.blocks
        if gold.author and site_id == "wordpress":
            assert f'<meta name="author" content="{gold.author}" />' in html
        if site_id != "sharepoint":
            assert page.canonical() == BASE + gold.path
        else:
            assert page.canonical() is None and "og:url" not in html


def test_newspaper_article_has_json_ld_and_a_byline_last(rendered: dict[tuple[str, int], Rendered]) -> None:
    state = rendered["newspaper", 1]
    for gold in state.site.gold(1):
        html = state.html(gold.path)
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert block is not None
        data = json.loads(block[1])
        assert data["@type"] == "NewsArticle" and data["headline"] == gold.title
        assert data["datePublished"] == gold.published
        assert data.get("author", {}).get("name") == gold.author
        weekday = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]
        when = published_at(gold)
        assert f"{weekday[when.weekday()]}, {when:%d/%m/%Y %H:%M}" in html


# ----------------------------------------------------------------- discovery


@pytest.mark.parametrize("day", [1, 2])
def test_every_gold_article_is_reachable_from_home(rendered: dict[tuple[str, int], Rendered], day: int) -> None:
    for site_id in SITE_IDS:
        state = rendered[site_id, day]
        reached, fetched = bfs(state)
        gold = {g.path for g in state.site.gold(day)}
        assert gold <= reached, (site_id, sorted(gold - reached)[:3])
        assert {p for p in state.site.non_article_paths if not is_trap(state.site, p)} <= reached, site_id
        assert not any(p.startswith(state.site.disallowed_prefixes) for p in reached)
        assert fetched < 400, (site_id, fetched)


def test_listings_paginate_over_three_pages(rendered: dict[tuple[str, int], Rendered]) -> None:
    styles = {
        "agency": [r"\?page=2$"],
        "newspaper": [r"/thoi-su/trang-2\.html$", r"/kinh-te-xa-hoi/trang-2\.html$"],
        "sharepoint": [r"\?Page=2$", r"\?CatID=12&cur=2$"],
        "wordpress": [r"/category/tin-tuc/page/2/$"],
    }
    for site_id in SITE_IDS:
        state = rendered[site_id, 1]
        gold = [g.path for g in state.site.gold(1)]
        listed: list[str] = []
        for first, style in zip(state.site.listing_paths, styles[site_id], strict=True):
            chain = listing_chain(state, first)
            assert len(chain) >= 3, (site_id, first)
            assert re.search(style, chain[1][0]), chain[1][0]
            assert all(items for _, items in chain)
            order = [p for _, items in chain for p in items]
            assert order == sorted(order, key=gold.index)  # newest first across pages
            listed.extend(order)
        assert sorted(listed) == sorted(gold), site_id  # every article in one listing, once
    newspaper = rendered["newspaper", 1].html("/thoi-su")
    assert '<link rel="next" href="http://fixture.test/thoi-su/trang-2.html">' in newspaper
    assert '<a class="next" rel="next" href="/thoi-su/trang-2.html">Trang sau ›</a>' in newspaper
    assert "/thoi-su/trang-4.html" not in newspaper  # later pages only through "next" and nearby numbers


def test_newspaper_rss_sitemap_index_news_and_gzip(rendered: dict[tuple[str, int], Rendered]) -> None:
    state = rendered["newspaper", 1]
    gold = state.site.gold(1)
    feeds = [h for h in Links(state.html("/")).heads if h.get("type") == "application/rss+xml"]
    assert [h["rel"] for h in feeds] == ["alternate"] and feeds[0]["href"] == "/rss/home.rss"
    _, rss_page = state.get("/rss/home.rss")
    assert rss_page.content_type == "application/rss+xml; charset=utf-8"
    items = ET.fromstring(rss_page.body).findall("channel/item")
    assert [path_of(str(i.findtext("link"))) for i in items] == [g.path for g in gold[:20]]
    assert all(
        parsedate_to_datetime(str(i.findtext("pubDate"))) == published_at(g)
        for i, g in zip(items, gold[:20], strict=True)
    )

    robots = state.html("/robots.txt")
    assert f"Sitemap: {BASE}/sitemap.xml" in robots.splitlines()
    index = ET.fromstring(state.get("/sitemap.xml")[1].body)
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    locs = [str(s.findtext("sm:loc", namespaces=NS)) for s in index.findall("sm:sitemap", NS)]
    assert [urlsplit(loc).path for loc in locs] == [
        "/sitemaps/news.xml",
        "/sitemaps/articles.xml.gz",
        "/sitemaps/categories.xml",
    ]
    assert all(s.findtext("sm:lastmod", namespaces=NS) for s in index.findall("sm:sitemap", NS))

    news_root = ET.fromstring(state.get("/sitemaps/news.xml")[1].body)
    news = {str(u.findtext("sm:loc", namespaces=NS)): u for u in news_root.findall("sm:url", NS)}
    recent = [g for g in gold if published_at(g) >= datetime.combine(TODAY, time(0), tzinfo=VN) - timedelta(days=3)]
    assert {path_of(loc) for loc in news} == {g.path for g in recent[:4]}
    for url in news.values():
        assert url.findtext("news:news/news:publication_date", namespaces=NS)
        assert url.findtext("news:news/news:title", namespaces=NS)

    status, gz = state.get("/sitemaps/articles.xml.gz")
    assert status == 200 and gz.content_type == "application/x-gzip" and gz.body[:2] == b"\x1f\x8b"
    assert dict(gz.headers).get("Content-Encoding") is None
    every = sitemap_urls(gzip.decompress(gz.body))
    assert {path_of(loc): lastmod for loc, lastmod in every.items()} == {g.path: g.published for g in gold}
    categories = sitemap_urls(state.get("/sitemaps/categories.xml")[1].body)
    assert {path_of(loc) for loc in categories} == {"/", *state.site.listing_paths}


def test_wordpress_feeds_and_sitemap(rendered: dict[tuple[str, int], Rendered]) -> None:
    state = rendered["wordpress", 1]
    gold = state.site.gold(1)
    heads = Links(state.html("/")).heads
    rss = [h["href"] for h in heads if h.get("rel") == "alternate" and h.get("type") == "application/rss+xml"]
    assert rss == [f"{BASE}/feed/", f"{BASE}/comments/feed/"]
    items = ET.fromstring(state.get("/feed/")[1].body).findall("channel/item")
    assert [path_of(str(i.findtext("link"))) for i in items] == [g.path for g in gold[:10]]
    content = items[0].findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or ""
    assert gold[0].text.split("\n")[0] in content
    assert ET.fromstring(state.get("/comments/feed/")[1].body).findall("channel/item") == []
    atom = ET.fromstring(state.get("/feed/atom/")[1].body)
    entries = atom.findall("atom:entry", NS)
    assert [e.findtext("atom:published", namespaces=NS) for e in entries] == [g.published for g in gold[:10]]
    assert all(e.findtext("atom:updated", namespaces=NS) for e in entries)
    assert f"Sitemap: {BASE}/wp-sitemap.xml" in state.html("/robots.txt")
    index = ET.fromstring(state.get("/wp-sitemap.xml")[1].body)
    locs = [path_of(str(s.findtext("sm:loc", namespaces=NS))) for s in index.findall("sm:sitemap", NS)]
    assert "/wp-sitemap-posts-post-1.xml" in locs and all(state.get(str(p))[0] == 200 for p in locs)
    posts = sitemap_urls(state.get("/wp-sitemap-posts-post-1.xml")[1].body)
    assert {path_of(loc): lastmod for loc, lastmod in posts.items()} == {g.path: g.published for g in gold}


# ----------------------------------------------------------------- day 2


@pytest.mark.parametrize("site_id", SITE_IDS)
def test_day_two_adds_edits_deletes_and_shifts_pages(rendered: dict[tuple[str, int], Rendered], site_id: str) -> None:
    day1, day2 = rendered[site_id, 1], rendered[site_id, 2]
    site = day1.site
    first = site.listing_paths[0]
    chain1, chain2 = listing_chain(day1, first), listing_chain(day2, first)
    listed1, listed2 = ([p for _, items in chain for p in items] for chain in (chain1, chain2))
    assert listed2 == [*site.new_paths[::-1], *(p for p in listed1 if p != site.deleted_path)]
    assert chain2[0][1][: len(site.new_paths)] == list(site.new_paths[::-1])  # new ones on top of page 1
    assert chain2[1][1][0] in chain1[0][1][-len(site.new_paths) :]  # page 2 starts with what ended page 1
    assert site.deleted_path in chain1[0][1]
    assert all(site.deleted_path not in items for _, items in chain2)

    old, new = day1.get(site.edited_path)[1], day2.get(site.edited_path)[1]
    assert new.body != old.body and new.etag != old.etag
    assert new.last_modified > datetime.now(UTC) - timedelta(minutes=5)  # changed: Last-Modified when day 2 came
    [edited1] = [g for g in site.gold(1) if g.path == site.edited_path]
    [edited2] = [g for g in site.gold(2) if g.path == site.edited_path]
    assert edited2.text.startswith(edited1.text + "\n") and edited2.published == edited1.published
    assert (edited2.title != edited1.title) == site.edit_signalled

    status, gone = day2.get(site.deleted_path)
    assert status == site.deleted_status and day1.get(site.deleted_path)[0] == 200
    assert site.deleted_path not in day2.html("/" if site.id != "sharepoint" else "/Pages/default.aspx")
    for path in site.new_paths:
        assert day1.get(path)[0] == 404 and day2.get(path)[0] == 200
    unchanged = site.gold(1)[-1].path
    old_page, new_page = day1.get(unchanged)[1], day2.get(unchanged)[1]
    assert (old_page == new_page) == site.stable_old_pages  # a "latest posts" sidebar changes every page
    assert new_page.last_modified >= old_page.last_modified


def test_day_two_edit_signals(rendered: dict[tuple[str, int], Rendered]) -> None:
    signalled = {site_id: rendered[site_id, 1].site.edit_signalled for site_id in SITE_IDS}
    assert signalled == {"agency": False, "newspaper": True, "sharepoint": False, "wordpress": True}
    for site_id, sitemap, gz in (
        ("newspaper", "/sitemaps/articles.xml.gz", True),
        ("wordpress", "/wp-sitemap-posts-post-1.xml", False),
    ):
        before, after = (rendered[site_id, day].get(sitemap)[1].body for day in (1, 2))
        lastmods = [sitemap_urls(gzip.decompress(b) if gz else b) for b in (before, after)]
        site = rendered[site_id, 1].site
        edited = BASE + site.edited_path
        assert datetime.fromisoformat(str(lastmods[1][edited])) > datetime.fromisoformat(str(lastmods[0][edited]))
        assert BASE + site.deleted_path in lastmods[0] and BASE + site.deleted_path not in lastmods[1]
        assert {BASE + p for p in site.new_paths} <= set(lastmods[1])
        unchanged = BASE + site.gold(1)[-1].path
        assert lastmods[0][unchanged] == lastmods[1][unchanged]
    edited = BASE + rendered["wordpress", 1].site.edited_path
    updated: list[dict[str | None, str | None]] = []
    for day in (1, 2):
        entries = {}
        for entry in ET.fromstring(rendered["wordpress", day].get("/feed/atom/")[1].body).findall("atom:entry", NS):
            link = entry.find("atom:link", NS)
            assert link is not None
            entries[link.get("href")] = entry.findtext("atom:updated", namespaces=NS)
        updated.append(entries)
    assert str(updated[1][edited]) > str(updated[0][edited])
    feed = rendered["newspaper", 2].html("/rss/home.rss")
    assert rendered["newspaper", 1].site.deleted_path not in feed
    for site_id in ("agency", "sharepoint"):  # nothing but the page itself tells of the edit
        site = rendered[site_id, 1].site
        assert site.feed_paths == ()
        for day in (1, 2):
            for path in ("/sitemap.xml", "/feed/", "/rss/home.rss"):
                assert rendered[site_id, day].get(path)[0] == 404


# ----------------------------------------------------------------- traps and robots


def test_calendar_is_an_endless_trap(rendered: dict[tuple[str, int], Rendered]) -> None:
    state = rendered["wordpress", 1]
    site = state.site

    def neighbours(target: str) -> tuple[str, str]:
        found = [
            str(path_of(h)) for h, text in Links(state.html(target)).anchors if re.fullmatch(r"« Th\d+|Th\d+ »", text)
        ]
        assert len(found) == 2, target
        return found[0], found[1]

    start = f"/{TODAY - timedelta(days=1):%Y/%m}/"
    assert neighbours(neighbours(start)[0])[1] == start
    seen = {start}
    for step in (0, 1):  # back in time, then forward: 40 months either way, and still going
        target = start
        for _ in range(40):
            assert is_trap(site, target)
            target = neighbours(target)[step]
            seen.add(target)
    assert len(seen) == 81
    for far in ("/1899/01/", "/2999/12/", "/2031/07/"):
        assert state.get(far)[0] == 200 and "Không tìm thấy" in state.html(far)
    assert state.get("/2024/13/")[0] == 404
    article = state.site.gold(1)[5]
    when = published_at(article)
    html = state.html(article.path)
    assert f"<caption>Tháng {when.month} {when.year}</caption>" in html
    assert f'href="{BASE}/{when:%Y/%m/%d}/"' in html  # the day of the article is linked
    assert state.get(f"/{when:%Y/%m/%d}/")[0] == 200


def test_search_links_answer_any_term(rendered: dict[tuple[str, int], Rendered]) -> None:
    state = rendered["wordpress", 1]
    links = [h for h in Links(state.html("/")).hrefs() if "?s=" in h]
    assert len(links) == 4 and all(is_trap(state.site, str(path_of(h))) for h in links)
    for href in links:
        assert state.get(str(path_of(href)))[0] == 200
    html = state.html("/?s=%C4%91%E1%BA%A3ng")  # "đảng"
    assert "Kết quả tìm kiếm cho: “đảng”" in html
    assert state.get("/?s=kh%C3%B4ng+c%C3%B3+t%E1%BB%AB+n%C3%A0y")[0] == 200
    assert state.get("/page/99/?s=x")[0] == 404


def test_session_ids_are_an_endless_trap(rendered: dict[tuple[str, int], Rendered]) -> None:
    state = rendered["sharepoint", 1]
    site = state.site
    listing = "/Pages/tin-hoat-dong.aspx"
    home = [str(path_of(h)) for h in Links(state.html("/Pages/default.aspx")).hrefs()]
    assert len([h for h in home if "sid=" in h]) == 3
    clean = Links(state.html(listing)).blocks
    target, seen = next(h for h in home if h.startswith(listing + "?sid=")), set()
    for _ in range(25):  # every hop hands out a new session id: the same page under endless URLs
        assert is_trap(site, target) and target not in seen
        seen.add(target)
        links = Links(state.html(target))
        assert links.blocks == clean
        target = next(str(path_of(h)) for h in links.hrefs() if h.startswith(listing + "?sid="))
    article = site.gold(1)[3]
    hrefs = [str(path_of(h)) for h in Links(state.html(article.path)).hrefs()]
    jsession = [h for h in hrefs if ";jsessionid=" in h]
    sid = [h for h in hrefs if "ItemID=" in h and "&sid=" in h]
    assert len(jsession) == 5 and len(sid) == 3 and all(is_trap(site, h) for h in jsession + sid)
    gold = {g.path: g for g in site.gold(1)}
    for variant in (jsession[0], sid[0]):
        blocks = Links(state.html(variant)).blocks
        assert all(p in blocks for p in gold[re.sub(r";jsessionid=[^?]*|&sid=\w*", "", variant)].text.split("\n"))
    assert state.get(article.path)[1] == Rendered(site, 1).get(article.path)[1]  # no session: same bytes and ETag


def test_robots_disallow_a_linked_path(rendered: dict[tuple[str, int], Rendered]) -> None:
    for site_id in SITE_IDS:
        state = rendered[site_id, 1]
        robots = state.robots()
        assert state.site.disallowed_prefixes
        for prefix in state.site.disallowed_prefixes:
            assert not robots.can_fetch("provnews", BASE + prefix)
        home = state.html(state.site.home_path if site_id != "sharepoint" else "/Pages/default.aspx")
        linked = [p for p in map(path_of, Links(home).hrefs()) if p and p.startswith(state.site.disallowed_prefixes)]
        assert linked, site_id
        assert all(not robots.can_fetch("provnews", BASE + p) for p in linked)


def test_variants_of_an_article_point_to_one_canonical(rendered: dict[tuple[str, int], Rendered]) -> None:
    state = rendered["wordpress", 1]
    gold = state.site.gold(1)
    html = state.html("/")
    tracked = [str(path_of(h)) for h in Links(html).hrefs() if "utm_source=" in h]
    assert len(tracked) == 5
    for target in tracked:
        assert Links(state.html(target)).canonical() == BASE + target.split("?")[0]
    for article in gold[1:4]:
        page = Links(state.html(article.path))
        printed = [str(path_of(h)) for h in page.hrefs() if h.endswith("?print=1")]
        assert printed == [article.path + "?print=1"]
        print_page = Links(state.html(printed[0]))
        assert print_page.canonical() == BASE + article.path
        assert all(p in print_page.blocks for p in article.text.split("\n"))
        bare = [
            str(path_of(h)) for h in page.hrefs() if re.fullmatch(ARTICLE_SHAPES["wordpress"][:-1], str(path_of(h)))
        ]
        assert bare and all(Links(state.html(b)).canonical() == BASE + b + "/" for b in bare)
        assert state.html(article.path.rstrip("/")) == state.html(article.path)


def test_non_article_pages_exist(rendered: dict[tuple[str, int], Rendered]) -> None:
    for site_id in SITE_IDS:
        state = rendered[site_id, 1]
        for path in state.site.non_article_paths:
            status, _ = state.get(path)
            assert status == 200, (site_id, path)
    tag = rendered["newspaper", 1].html("/tag/xay-dung-dang")
    assert "Từ khóa: xây dựng Đảng" in tag and "datePublished" not in tag
    author = next(p for p in rendered["newspaper", 1].site.non_article_paths if p.startswith("/tac-gia/"))
    assert "Tác giả:" in rendered["newspaper", 1].html(author)


# ----------------------------------------------------------------- served over HTTP


def test_served_web_conditional_requests_and_day_two(fixture_web: FixtureWeb) -> None:
    for site, server in fixture_web:
        assert fetch(fixture_web.url(site.id, site.home_path))[0] == 200, site.id
        url = fixture_web.url(site.id, site.edited_path)
        status, headers, _ = fetch(url)
        assert status == 200 and re.fullmatch(r'"[0-9a-f]{16}"', headers["etag"])
        assert fetch(url, {"If-None-Match": headers["etag"]})[0] == 304
        assert fetch(url, {"If-Modified-Since": headers["last-modified"]})[0] == 304
        assert server.paths_requested()[-3:] == [site.edited_path] * 3
    sharepoint = fixture_web.servers["sharepoint"].requests
    assert [(r.path, r.status) for r in sharepoint[:2]] == [("/", 302), ("/Pages/default.aspx", 200)]
    crawled = format_datetime(datetime.now(UTC), usegmt=True)  # a client's own clock at its day-1 crawl
    time_module.sleep(1.1)
    fixture_web.switch_to_day(2)
    assert fixture_web.day == 2
    for site, server in fixture_web:
        url = fixture_web.url(site.id, site.edited_path)
        old = next(r for r in server.requests if r.headers.get("if-none-match"))
        day1_etag = old.headers.get("if-none-match")
        status, headers, _ = fetch(url, {"If-None-Match": str(day1_etag)})
        assert status == 200 and headers["etag"] != day1_etag  # edited: the day-1 validator no longer matches
        assert fetch(url, {"If-None-Match": headers["etag"]})[0] == 304
        assert fetch(fixture_web.url(site.id, site.deleted_path))[0] == site.deleted_status
        assert fetch(fixture_web.url(site.id, site.new_paths[0]))[0] == 200
        assert [r.status for r in server.requests[-4:]] == [200, 304, site.deleted_status, 200]
        assert fetch(url, {"If-Modified-Since": crawled})[0] == 200  # changed after the client looked
        untouched = fixture_web.url(site.id, site.gold(2)[-1].path)
        assert fetch(untouched, {"If-Modified-Since": crawled})[0] == (304 if site.stable_old_pages else 200)
    _, headers, body = fetch(fixture_web.url("newspaper", "/sitemaps/articles.xml.gz"))
    assert headers["content-type"] == "application/x-gzip" and "content-encoding" not in headers
    assert gzip.decompress(body).startswith(b"<?xml")
    status, headers, _ = fetch(fixture_web.url("wordpress", "/1999/04/"))
    assert status == 200 and "etag" in headers


def test_seeds_for_the_fixture_web(fixture_web: FixtureWeb, tmp_path: Path) -> None:
    folder = fixture_web.write_seeds(tmp_path / "seeds")
    assert sorted(p.name for p in folder.iterdir()) == [f"{i}.toml" for i in SITE_IDS]
    text = (folder / "wordpress.toml").read_text(encoding="utf-8")
    assert text == (
        'name = "Trang thông tin điện tử huyện Văn Quan"\n'
        f'start_urls = ["{fixture_web.url("wordpress")}"]\n'
        "download_delay = 0.0\nautothrottle = false\n"
    )
    seeds = load_seeds(folder)
    assert sorted(seeds) == SITE_IDS
    assert all(seed.download_delay == 0 and not seed.autothrottle for seed in seeds.values())
    assert seeds["sharepoint"].start_urls == (fixture_web.url("sharepoint", "/"),)
    again = write_minimal_seeds(tmp_path / "again", {"wordpress": fixture_web.url("wordpress")}, {"wordpress": "x"})
    assert (again / "wordpress.toml").read_text(encoding="utf-8") == text.replace(
        "Trang thông tin điện tử huyện Văn Quan", "x"
    )
