"""The bundled offline mirror (seeds/mirror) and the server in scheduler/demo/mirror.py."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import threading
import time
import tomllib
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from scheduler.demo.mirror import MirrorServer, Page, render_site

ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = ROOT / "seeds" / "mirror"
SEED_TXT = ROOT / "seeds" / "000_4af8925a5ba6af40.txt"
SEED_TITLE = "Hội nghị chuyên đề nâng cao hiệu quả công tác dân vận tại Đảng ủy khối các cơ quan tỉnh"
SEED_SLUG = "hoi-nghi-chuyen-de-nang-cao-hieu-qua-cong-tac-dan-van-tai-dang-uy-khoi-cac-co-quan-tinh"
DATE_TIME = re.compile(r"\b(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2})\b")
VN = timezone(timedelta(hours=7))

# A client that never goes through a proxy from the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# ----------------------------------------------------------------- helpers


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Response:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with OPENER.open(request, timeout=10) as resp:
            return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
    except urllib.error.HTTPError as err:
        with err:
            return Response(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


class PageParser(HTMLParser):
    """Links (href, text), and the text of the <p> and caption cells inside <div class="content">."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.content: list[tuple[str, str]] = []  # ("p" | "caption", text) in order
        self._href: str | None = None
        self._link_text: list[str] = []
        self._div_depth = 0
        self._content_depth: int | None = None  # depth of the open content div
        self._content_seen = False
        self._block: str | None = None
        self._block_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "div":
            self._div_depth += 1
            if attr.get("class") == "content" and not self._content_seen:
                self._content_depth, self._content_seen = self._div_depth, True
        elif tag == "a":
            self._href, self._link_text = attr.get("href") or "", []
        elif self._content_depth is not None and tag in ("p", "td"):
            if tag == "p" or attr.get("class") == "image_desc":
                self._block, self._block_text = ("p" if tag == "p" else "caption"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            if self._content_depth == self._div_depth:
                self._content_depth = None  # only the first content div counts
            self._div_depth -= 1
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._link_text).strip()))
            self._href = None
        elif tag in ("p", "td") and self._block is not None:
            text = "".join(self._block_text).strip()
            if text:
                self.content.append((self._block, text))
            self._block = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._link_text.append(data)
        if self._block is not None:
            self._block_text.append(data)


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def seed_paragraphs() -> list[str]:
    lines = SEED_TXT.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if len(line) > 200]


def thread_names() -> set[str]:
    return {t.name for t in threading.enumerate()}


# ----------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return tomllib.loads((SITE_DIR / "site.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def article_paths(data: dict[str, Any]) -> dict[int, str]:
    layout = data["site"]["article_path"]
    return {a["id"]: layout.format(slug=a["slug"], id=a["id"]) for a in data["articles"]}


@pytest.fixture(scope="module")
def seed(data: dict[str, Any]) -> dict[str, Any]:
    [article] = [a for a in data["articles"] if a["title"] == SEED_TITLE]
    return article


@pytest.fixture(scope="module")
def served() -> Iterator[MirrorServer]:
    with MirrorServer(SITE_DIR, port=0) as server:
        yield server


@pytest.fixture
def fresh() -> Iterator[MirrorServer]:
    with MirrorServer(SITE_DIR, port=0) as server:
        yield server


# ----------------------------------------------------------------- site data


def test_site_data_is_a_plausible_portal_archive(data: dict[str, Any]) -> None:
    articles = data["articles"]
    assert len(articles) >= 21
    assert data["site"]["name"] == "Đảng ủy Khối các cơ quan tỉnh Lạng Sơn"
    for key in ("id", "slug", "title", "published"):
        values = [a[key] for a in articles]
        assert len(set(values)) == len(values), f"{key} not unique"
    days = []
    for a in articles:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a["slug"]), a["slug"]
        assert re.fullmatch(r"\d{2}-\d{2}-2022 \d{2}:\d{2}", a["published"]), a["published"]
        when = datetime.strptime(a["published"], "%d-%m-%Y %H:%M")
        assert 6 <= when.month <= 9
        days.append(when.day)
        images = [b for b in a["blocks"] if "image" in b]
        assert 1 <= len(images) <= 3
        assert all(b.get("caption") or b.get("caption_html") for b in images)
        paragraphs = [b["p"] for b in a["blocks"] if "p" in b]
        assert 3 <= len(paragraphs) <= 6
        for text in (a["title"], a["summary"], *paragraphs):
            assert unicodedata.is_normalized("NFC", text)
    assert sum(day <= 12 for day in days) >= 6, "day-first dates must be tested on ambiguous days"
    assert sum(bool(a.get("source")) for a in articles) >= 12
    assert any(not a.get("source") for a in articles)


def test_no_sentence_is_shared_between_articles(data: dict[str, Any]) -> None:
    owner: dict[str, int] = {}
    for a in data["articles"]:
        for block in a["blocks"]:
            for sentence in re.split(r"(?<=[.;:…])\s+", block.get("p", "")):
                if len(sentence.split()) >= 6:
                    assert owner.setdefault(sentence, a["id"]) == a["id"], sentence
        for block in a["blocks"]:
            if "p" in block and a["title"] != SEED_TITLE:
                assert 40 <= len(block["p"].split()) <= 120, block["p"][:60]


def test_seed_article_is_the_seed_text_verbatim(seed: dict[str, Any]) -> None:
    paragraphs = seed_paragraphs()
    assert len(paragraphs) == 5
    assert seed["slug"] == SEED_SLUG
    assert seed["published"] == "23-08-2022 16:13"
    assert seed["source"] == "Baolangson.vn"
    assert [b["p"] for b in seed["blocks"] if "p" in b] == paragraphs
    kinds = ["image" if "image" in b else "p" for b in seed["blocks"]]
    assert kinds == ["image", "p", "p", "p", "image", "p", "image", "p"]


# ----------------------------------------------------------------- rendering


def test_render_site_renders_every_page(data: dict[str, Any], article_paths: dict[int, str]) -> None:
    pages = render_site(SITE_DIR, "http://mirror.example")
    site = data["site"]
    assert set(article_paths.values()) <= set(pages)
    listing = [p for p in pages if p.split("?")[0] == site["category_path"]]
    assert len(listing) >= 3
    for path in ("/", "/robots.txt", "/gioi-thieu.html", "/lien-he.html", "/van-ban.html", "/tim-kiem"):
        assert path in pages
    for path, page in pages.items():
        assert isinstance(page, Page)
        assert page.last_modified.utcoffset() == timedelta(0), path
        if path == "/robots.txt":
            assert page.content_type == "text/plain; charset=utf-8"
        else:
            assert page.content_type == "text/html; charset=utf-8"
            html = page.body.decode("utf-8")
            assert html.startswith("<!DOCTYPE html>") and '<html lang="vi">' in html
            assert '<meta charset="utf-8">' in html
            assert f'<link rel="canonical" href="http://mirror.example{path}">' in html
            assert "Bản quyền thuộc Đảng ủy Khối các cơ quan tỉnh Lạng Sơn" in html
            assert 'action="/tim-kiem"' in html
            hrefs = [href for href, _ in parse(html).links]
            assert all(h.startswith("/") or h.startswith("javascript:") for h in hrefs), path
    for a in data["articles"]:
        local = datetime.strptime(a["published"], "%d-%m-%Y %H:%M").replace(tzinfo=VN)
        assert pages[article_paths[a["id"]]].last_modified == local


def test_article_page_markup(data: dict[str, Any], article_paths: dict[int, str], seed: dict[str, Any]) -> None:
    pages = render_site(SITE_DIR, "http://mirror.example/")
    path = article_paths[seed["id"]]
    html = pages[path].body.decode("utf-8")
    assert f"<title>{SEED_TITLE} - Đảng ủy Khối các cơ quan tỉnh Lạng Sơn</title>" in html
    assert f'<meta property="og:url" content="http://mirror.example{path}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:title" content="{SEED_TITLE}">' in html
    assert "published_time" not in html
    assert f'<h1 class="title">{SEED_TITLE}</h1>' in html
    assert html.index("Hoạt động Đảng ủy Khối các cơ quan tỉnh Lạng Sơn</a></h2>") < html.index('<h1 class="title">')
    assert "In bài viết" in html and "Chia sẻ" in html
    assert html.count('<table class="image"') == 3
    assert seed["summary"] not in html  # summaries are for listings only
    unsourced = next(a for a in data["articles"] if not a.get("source"))
    assert "Nguồn:" not in pages[article_paths[unsourced["id"]]].body.decode("utf-8")


def test_related_news_are_the_five_nearest_in_date(data: dict[str, Any], article_paths: dict[int, str]) -> None:
    pages = render_site(SITE_DIR, "http://mirror.example")
    when = {a["id"]: datetime.strptime(a["published"], "%d-%m-%Y %H:%M") for a in data["articles"]}
    for a in data["articles"]:
        html = pages[article_paths[a["id"]]].body.decode("utf-8")
        block = html[html.index('<div class="tin-lien-quan">') :]
        links = re.findall(r'<li><a href="([^"]+)">[^<]+</a> <span>\((\d{2}-\d{2}-\d{4})\)</span></li>', block)
        assert len(links) == 5
        nearest = sorted((i for i in when if i != a["id"]), key=lambda i: abs(when[i] - when[a["id"]]))[:5]
        assert {href for href, _ in links} == {article_paths[i] for i in nearest}
        assert article_paths[a["id"]] not in {href for href, _ in links}
        by_path = {article_paths[i]: when[i].strftime("%d-%m-%Y") for i in nearest}
        assert all(by_path[href] == day for href, day in links)


def test_static_pages_are_not_articles(served: MirrorServer) -> None:
    static = {"/gioi-thieu.html": "Giới thiệu", "/lien-he.html": "Liên hệ", "/van-ban.html": "Văn bản"}
    for path, heading in static.items():
        resp = fetch(served.url + path)
        assert resp.status == 200
        assert f'<h1 class="cat-title">{heading}</h1>' in resp.text
        assert 'class="date"' not in resp.text and 'class="title"' not in resp.text
        assert not DATE_TIME.search(resp.text), path
    assert "Số 123-CV/ĐUK" in fetch(served.url + "/van-ban.html").text


# ----------------------------------------------------------------- served site


def test_listings_paginate_and_link_every_article(
    served: MirrorServer, data: dict[str, Any], article_paths: dict[int, str]
) -> None:
    category = data["site"]["category_path"]
    path: str | None = category
    seen_pages: list[str] = []
    listed: list[str] = []
    dates: list[datetime] = []
    while path is not None:
        resp = fetch(served.url + path)
        assert resp.status == 200, path
        seen_pages.append(path)
        page = parse(resp.text)
        on_page = [href for href, _ in page.links if href in article_paths.values()]
        unique = list(dict.fromkeys(on_page))
        assert 1 <= len(unique) <= 8
        listed.extend(unique)
        dates.extend(
            datetime.strptime(" ".join(m.groups()[:3]) + " " + ":".join(m.groups()[3:]), "%d %m %Y %H:%M")
            for m in DATE_TIME.finditer(resp.text)
        )
        numbered = {text: href for href, text in page.links if text.isdigit()}
        for number, href in numbered.items():
            assert href == (category if number == "1" else f"{category}?page={number}")
        nexts = [href for href, text in page.links if text == "Trang sau »"]
        path = nexts[0] if nexts else None
        assert path not in seen_pages
    assert len(seen_pages) >= 3
    assert seen_pages[1] == f"{category}?page=2"
    assert sorted(listed) == sorted(article_paths.values())  # every article, once
    assert dates == sorted(dates, reverse=True)  # newest first across pages
    for href in listed[:3] + listed[-3:]:
        assert fetch(served.url + href).status == 200


def test_home_page_links_latest_articles_category_and_static_pages(
    served: MirrorServer, data: dict[str, Any], article_paths: dict[int, str]
) -> None:
    resp = fetch(served.url + "/")
    assert resp.status == 200
    hrefs = {href for href, _ in parse(resp.text).links}
    newest = sorted(data["articles"], key=lambda a: datetime.strptime(a["published"], "%d-%m-%Y %H:%M"))[-6:]
    assert {article_paths[a["id"]] for a in newest} <= hrefs
    assert len(hrefs & set(article_paths.values())) == 6
    assert {data["site"]["category_path"], "/gioi-thieu.html", "/lien-he.html", "/van-ban.html"} <= hrefs


def test_seed_article_page_as_served(served: MirrorServer, seed: dict[str, Any], article_paths: dict[int, str]) -> None:
    resp = fetch(served.url + article_paths[seed["id"]])
    assert resp.status == 200
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    html = resp.text
    page = parse(html)
    paragraphs = [text for kind, text in page.content if kind == "p"]
    for paragraph in seed_paragraphs():
        assert paragraph in paragraphs
    kinds = [kind for kind, _ in page.content]
    assert kinds == ["caption", "p", "p", "p", "caption", "p", "caption", "p", "p"]
    assert paragraphs[-1] == "Nguồn: Baolangson.vn"
    assert '<span class="date">23-08-2022 16:13</span>' in html
    assert '<p style="text-align:right"><strong>Nguồn: Baolangson.vn</strong></p>' in html
    related = html.index('<div class="tin-lien-quan"><h3>Tin liên quan</h3><ul>')
    assert related > html.index("Nguồn: Baolangson.vn") > html.index('<div class="content">')
    # the third caption is broken inside "Ủy", as on the real page
    assert "Ủy viên Ban thường vụ" not in html
    assert "Đồng chí Giáp Thị Bắc, Ủ</span><span>y viên Ban thường vụ Tỉnh ủy,Trưởng ban Dân vận Tỉnh ủy" in html
    assert page.content[6] == (
        "caption",
        "Đồng chí Giáp Thị Bắc, Ủy viên Ban thường vụ Tỉnh ủy,Trưởng ban Dân vận "
        "Tỉnh ủy phát biểu chỉ đạo tại hội nghị",
    )


def test_validators_and_conditional_requests(
    served: MirrorServer, seed: dict[str, Any], article_paths: dict[int, str]
) -> None:
    url = served.url + article_paths[seed["id"]]
    first = fetch(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert re.fullmatch(r'"[0-9a-f]{16}"', etag)
    assert parsedate_to_datetime(modified) == datetime(2022, 8, 23, 9, 13, tzinfo=UTC)
    assert fetch(url).headers["etag"] == etag  # stable

    not_modified = fetch(url, headers={"If-None-Match": etag})
    assert not_modified.status == 304 and not_modified.body == b""
    assert not_modified.headers["etag"] == etag
    assert fetch(url, headers={"If-None-Match": f'"0000000000000000", W/{etag}'}).status == 304
    assert fetch(url, headers={"If-None-Match": '"0000000000000000"'}).status == 200
    assert fetch(url, headers={"If-Modified-Since": modified}).status == 304
    later = format_datetime(datetime(2023, 1, 1, tzinfo=UTC), usegmt=True)
    assert fetch(url, headers={"If-Modified-Since": later}).status == 304
    earlier = format_datetime(datetime(2022, 8, 23, 9, 12, tzinfo=UTC), usegmt=True)
    changed = fetch(url, headers={"If-Modified-Since": earlier})
    assert changed.status == 200 and changed.body == first.body
    assert fetch(url, headers={"If-Modified-Since": "not a date"}).status == 200

    home = fetch(served.url + "/")
    assert home.headers["etag"] != etag and "last-modified" in home.headers


def test_head_returns_headers_only(served: MirrorServer) -> None:
    get = fetch(served.url + "/")
    head = fetch(served.url + "/", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["content-length"] == str(len(get.body))
    assert head.headers["etag"] == get.headers["etag"]
    missing = fetch(served.url + "/khong-co-trang-nay.html", method="HEAD")
    assert missing.status == 404 and missing.body == b""


def test_unknown_paths_are_404(served: MirrorServer, data: dict[str, Any]) -> None:
    category = data["site"]["category_path"]
    for path in (
        "/khong-co-trang-nay.html",
        "/uploads/2022/08/hoi-nghi-chuyen-de-dan-van-1.jpg",
        f"{category}?page=99",
        f"{category}/",
        "/favicon.ico",
    ):
        resp = fetch(served.url + path)
        assert resp.status == 404, path
        assert "Không tìm thấy trang" in resp.text
        assert "etag" not in resp.headers


def test_query_strings(
    served: MirrorServer, data: dict[str, Any], seed: dict[str, Any], article_paths: dict[int, str]
) -> None:
    path = article_paths[seed["id"]]
    plain = fetch(served.url + path)
    tracked = fetch(served.url + path + "?utm_source=facebook&utm_medium=social")
    assert tracked.status == 200 and tracked.body == plain.body
    category = data["site"]["category_path"]
    first, second = fetch(served.url + category), fetch(served.url + category + "?page=2")
    assert second.status == 200 and second.body != first.body
    assert fetch(served.url + category + "?page=1").body == first.body


def test_robots_and_search(served: MirrorServer) -> None:
    robots = fetch(served.url + "/robots.txt")
    assert robots.status == 200
    assert robots.text == "User-agent: *\nDisallow: /tim-kiem\n"
    assert robots.headers["content-type"] == "text/plain; charset=utf-8"
    search = fetch(served.url + "/tim-kiem?q=d%C3%A2n+v%E1%BA%ADn")
    assert search.status == 200 and "Tìm kiếm" in search.text


def test_request_log_records_paths_statuses_and_headers(fresh: MirrorServer) -> None:
    assert fresh.requests == [] and fresh.paths_requested() == []
    fetch(fresh.url + "/", headers={"User-Agent": "provnews-test/1.0", "X-Probe": "42"})
    fetch(fresh.url + "/robots.txt", method="HEAD")
    fetch(fresh.url + "/nowhere?x=1")
    assert fresh.paths_requested() == ["/", "/robots.txt", "/nowhere?x=1"]
    first, second, third = fresh.requests
    assert (first.method, first.status) == ("GET", 200)
    assert first.headers["user-agent"] == "provnews-test/1.0"
    assert first.headers["x-probe"] == "42"
    assert first.headers["host"] == fresh.url.removeprefix("http://")
    assert all(name == name.lower() for name in first.headers)
    assert (second.method, second.status) == ("HEAD", 200)
    assert third.status == 404


def test_request_log_is_complete_under_concurrency(fresh: MirrorServer) -> None:
    paths = [f"/?n={i}" for i in range(40)]
    threads = [threading.Thread(target=fetch, args=(fresh.url + p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(fresh.paths_requested()) == sorted(paths)
    assert all(r.status == 200 for r in fresh.requests)


def test_server_binds_loopback_and_stops_cleanly() -> None:
    before = thread_names()
    server = MirrorServer(SITE_DIR, port=0)
    with pytest.raises(RuntimeError):
        server.url  # noqa: B018 - not started yet
    server.start()
    host, port = server.address
    assert host == "127.0.0.1" and server.url == f"http://127.0.0.1:{port}"
    assert any(name not in before for name in thread_names())
    # an idle keep-alive connection must not hold stop() up
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/")
    with conn.getresponse() as resp:
        assert resp.status == 200 and resp.getheader("Connection") != "close"
        resp.read()
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 5
    conn.close()
    deadline = time.monotonic() + 5
    while thread_names() - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert thread_names() - before == set()
    with pytest.raises(urllib.error.URLError):
        OPENER.open(f"http://127.0.0.1:{port}/", timeout=2)
    server.stop()  # idempotent


def test_two_servers_are_independent(fresh: MirrorServer) -> None:
    with MirrorServer(SITE_DIR, port=0) as other:
        assert other.url != fresh.url
        fetch(other.url + "/robots.txt")
        assert other.paths_requested() == ["/robots.txt"]
        assert fresh.paths_requested() == []
        home = fetch(other.url + "/").text
        assert f'<link rel="canonical" href="{other.url}/">' in home


def test_command_line_serves_until_terminated() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "scheduler.demo.mirror", str(SITE_DIR), "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url), url
        assert fetch(url + "/robots.txt").status == 200
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
