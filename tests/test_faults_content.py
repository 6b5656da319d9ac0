"""Content faults on a re-fetch (RELIABILITY.md C6): a good archived version is never overwritten
by a later fetch of the same URL that answers 200 with a CAPTCHA page, an "access denied" page
or nothing at all. (The same pages at URLs never archived are in test_faults_network.py.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from faultserver import FaultSite, article, article_html, crawl, html
from zoo import age_archive

pytestmark = pytest.mark.slow

CAPTCHA = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Just a moment...</title>
<meta name="robots" content="noindex,nofollow"></head><body><div class="main-wrapper">
<h1>Xác minh bạn là con người</h1>
<p>Trang web cần kiểm tra bảo mật kết nối của bạn trước khi tiếp tục. Vui lòng đánh dấu vào ô bên dưới để
chứng minh bạn không phải là robot.</p>
<form action="/captcha" method="post"><div class="g-recaptcha" data-sitekey="6Lc-test"></div>
<input type="submit" value="Tiếp tục"></form>
<p>Checking if the site connection is secure. Enable JavaScript and cookies to continue. Ray ID: 8f2a1c3d4e5f6a7b</p>
</div></body></html>""".encode()

# A denial rendered by the portal itself: its layout, its article metadata and a date, a short body.
ACCESS_DENIED = (
    article_html(2).split(b"<article>")[0]
    + """<article><h1>Truy cập bị từ chối</h1><span class="date">02-08-2022 08:00</span><div class="content">
<p>Access Denied. Bạn không có quyền truy cập vào trang này trên máy chủ. Vui lòng liên hệ quản trị viên cổng
thông tin để biết thêm chi tiết.</p><p>Reference #18.5f2a3b17.1700000000.1a2b3c4d</p></div></article>
</body></html>""".encode()
)

BAD_REFETCHES = {1: ("a CAPTCHA", CAPTCHA), 2: ("access denied", ACCESS_DENIED), 3: ("an empty 200", b"")}
EDITED = 4  # a real edit at the same time: the rechecks did read the pages, and still make versions


def articles(db: Path) -> dict[str, tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "select url, title, text, version, content_hash, extractor_version, page, last_changed from articles"
        ).fetchall()
    finally:
        conn.close()
    return {str(url).rsplit("/", 1)[1]: tuple(rest) for url, *rest in rows}


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        (value,) = conn.execute(sql).fetchone()
    finally:
        conn.close()
    return int(value)


def test_a_good_version_is_never_overwritten_by_a_captcha_a_denial_or_an_empty_200(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with FaultSite("127.0.0.1", links=(1, 2, 3, EDITED)) as site:
        first = crawl(site, tmp_path)
        assert first.ok, first.log_tail
        age_archive(db, days=120)  # published in 2022, so rechecked every 90 days: all four are due
        before = articles(db)
        versions_before = count(db, "select count(*) from article_versions")
        for n, (_, page) in BAD_REFETCHES.items():
            site.faults[f"/bai-{n}.html"] = html(200, page)
        site.faults[f"/bai-{EDITED}.html"] = article(EDITED, title="Hội nghị sơ kết công tác dân vận (cập nhật)")
        seen = len(site.hits)
        second = crawl(site, tmp_path)
        refetched = site.paths()[seen:]
    assert second.ok, second.log_tail
    assert len(before) == 4 and all(f"/bai-{n}.html" in refetched for n in (*BAD_REFETCHES, EDITED)), refetched
    after = articles(db)
    for n, (what, _) in BAD_REFETCHES.items():
        assert after[f"bai-{n}.html"] == before[f"bai-{n}.html"], f"{what} overwrote bai-{n}.html"
    title, _, version, content_hash, *_ = after[f"bai-{EDITED}.html"]
    assert (title, version) == ("Hội nghị sơ kết công tác dân vận (cập nhật)", 2)
    assert content_hash != before[f"bai-{EDITED}.html"][3]
    assert count(db, "select count(*) from article_versions") == versions_before + 1  # the edit's, only
    assert count(db, "select articles_changed from crawls order by id desc limit 1") == 1


def generated_trap(path: str) -> object:
    """A site that makes up pages forever: a listing whose every page links to three new pages
    and a next page, a month calendar going back forever, a path repeating its segment, a session
    id changing on every link. None of those pages is an article."""
    page = path.split("?")[0]
    query = path.partition("?")[2]
    if page == "/tin" and (query.startswith("page=") or not query):
        n = int(query[5:] or 1)
        items = "".join(f'<li><a href="/tin/muc-{n}-{k}">Mục {n}.{k} của danh sách tin</a></li>' for k in (1, 2, 3))
        following = f'<a href="/tin?page={n + 1}">Trang sau</a>'
        return html(200, f"<html><body><ul>{items}</ul>{following}</body></html>".encode())
    if page.startswith("/tin/muc-"):
        return html(200, "<html><body><p>Trang ngắn.</p></body></html>".encode())
    if page.startswith("/lich/"):
        year, month = (int(x) for x in page.strip("/").split("/")[1:3])
        before = f"/lich/{year - (month == 1)}/{12 if month == 1 else month - 1:02d}/"
        return html(200, f'<html><body><a href="{before}">Tháng trước</a></body></html>'.encode())
    if page.startswith("/a/"):
        return html(200, f'<html><body><a href="{page}a/">Sâu hơn</a></body></html>'.encode())
    if page.startswith("/phien"):
        n = int(page.partition("=")[2].strip("/") or 0)  # the crawl asks without the session id
        return html(200, f'<html><body><a href="/phien;jsessionid={n + 1}/">Tiếp</a></body></html>'.encode())
    return None


def test_a_trap_site_costs_at_most_500_fetches_and_its_articles_are_archived(tmp_path: Path) -> None:
    """RELIABILITY.md C7 and limit 5: the four trap shapes on one generator site."""
    with FaultSite("127.0.0.1", links=(1, 2)) as site:
        site.home_extra = (
            '<a href="/tin">Tin tức</a><a href="/lich/2026/11/">Lịch</a>'
            '<a href="/a/">Thư mục</a><a href="/phien;jsessionid=1/">Phiên</a>'
        )
        site.generate = generated_trap
        report = crawl(site, tmp_path, overrides={"CLOSESPIDER_PAGECOUNT": "5000"}, timeout=300)
        paths = site.paths()
    assert report.ok, report.log_tail
    assert len(paths) <= 500, len(paths)
    assert {"/bai-1.html", "/bai-2.html"} <= set(paths)
    listing = [p for p in paths if p.startswith("/tin?page=")]
    assert len(listing) <= 8  # the listing led to no article: each page one step deeper, max_depth 8
    assert len([p for p in paths if p.startswith("/a/")]) <= 3  # a segment repeated at most twice
    assert len([p for p in paths if p.startswith("/phien")]) == 1  # the session id is stripped
