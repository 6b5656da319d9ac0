"""Politeness on a live local server: robots.txt, Crawl-delay, Retry-After, redirects off site."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scheduler.runner import run_crawl
from storage.archive import Archive

pytestmark = pytest.mark.slow

PARAGRAPH = (
    "Ngày {n}/8, Ban Thường vụ Đảng ủy Khối các cơ quan tỉnh tổ chức hội nghị sơ kết công tác dân vận "
    "của các cơ quan, đơn vị, doanh nghiệp có tổ chức đảng trực thuộc, đánh giá kết quả thực hiện phong trào "
    "thi đua “Dân vận khéo” và đề ra nhiệm vụ trọng tâm trong những tháng cuối năm {n}."
)


def article_page(n: int) -> bytes:
    body = "".join(f"<p>{PARAGRAPH.format(n=n + i)}</p>" for i in range(3))
    return (
        f'<html lang="vi"><head><title>Bài {n} - Cổng thông tin</title></head><body>'
        f'<nav><a href="/">Trang chủ</a></nav><h1>Hội nghị sơ kết công tác dân vận số {n}</h1>'
        f'<span class="date">0{n}-08-2022 08:00</span><div class="content">{body}</div></body></html>'
    ).encode()


class Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, robots: bytes, robots_status: int = 200) -> None:
        super().__init__((host, 0), Handler)
        self.robots, self.robots_status = robots, robots_status
        self.hits: list[tuple[float, str]] = []
        self.limited = 0
        self.canary_url = ""

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Site

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        site = self.server
        site.hits.append((time.monotonic(), self.path))
        if self.path == "/robots.txt":
            return self.reply(site.robots_status, site.robots, "text/plain")
        if self.path == "/":
            links = "".join(f'<li><a href="/bai-{n}.html">Hội nghị số {n} của cơ quan tỉnh</a></li>' for n in (1, 2))
            links += '<li><a href="/private/bao-cao.html">Báo cáo nội bộ</a></li><li><a href="/go">Liên kết</a></li>'
            return self.reply(200, f"<html><body><ul>{links}</ul></body></html>".encode())
        if self.path == "/go":
            self.send_response(302)
            self.send_header("Location", site.canary_url + "/stolen")
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if self.path == "/bai-2.html" and site.limited == 0:
            site.limited += 1
            return self.reply(429, b"slow down", "text/plain", {"Retry-After": "2"})
        if self.path in ("/bai-1.html", "/bai-2.html", "/private/bao-cao.html"):
            return self.reply(200, article_page(int(self.path[-6]) if self.path[-6].isdigit() else 3))
        return self.reply(404, b"not found", "text/plain")

    def reply(
        self, status: int, body: bytes, kind: str = "text/html; charset=utf-8", headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def serve(site: Site) -> threading.Thread:
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def sites() -> Iterator[tuple[Site, Site]]:
    site = Site("127.0.0.1", b"User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n")
    canary = Site("127.0.0.2", b"")
    site.canary_url = canary.url
    threads = [serve(site), serve(canary)]
    yield site, canary
    for server, thread in zip((site, canary), threads, strict=True):
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def write_seed(tmp_path: Path, url: str) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "site.toml").write_text(
        f'name = "S"\nstart_urls = ["{url}/"]\ndownload_delay = 0.0\nautothrottle = false\n', encoding="utf-8"
    )
    return seeds


def test_robots_crawl_delay_retry_after_and_offsite_redirects(sites: tuple[Site, Site], tmp_path: Path) -> None:
    site, canary = sites
    db = tmp_path / "archive.db"
    report = run_crawl("site", seeds=write_seed(tmp_path, site.url), db=db, timeout=120)
    assert report.ok, report.log_tail
    paths = [path for _, path in site.hits]
    assert "/private/bao-cao.html" not in paths
    assert canary.hits == []
    assert paths.count("/bai-2.html") == 2
    first, second = [t for t, p in site.hits if p == "/bai-2.html"]
    assert second - first >= 2.0, "Retry-After: 2 was not honoured"
    times = [t for t, p in site.hits if p != "/robots.txt"]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.95, f"Crawl-delay: 1 was not honoured: {gaps}"
    with Archive(db) as archive:
        assert archive.count_articles("site") == 2


def test_robots_txt_answering_5xx_means_disallow_all(tmp_path: Path) -> None:
    site = Site("127.0.0.1", b"oops", robots_status=503)
    thread = serve(site)
    try:
        report = run_crawl("site", seeds=write_seed(tmp_path, site.url), db=tmp_path / "a.db", timeout=120)
    finally:
        site.shutdown()
        site.server_close()
        thread.join(timeout=5)
    assert {path for _, path in site.hits} == {"/robots.txt"}
    assert report.outcome == "failed"
