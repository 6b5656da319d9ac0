"""A local fault server on 127.0.0.1 (and 127.0.0.2 for a canary): Scrapy's mockserver, our way.

A :class:`FaultSite` serves a home page linking ``/bai-N.html`` for each N of ``links``,
good article pages for them, and, for the paths of ``faults``, a misbehaviour instead:
dropped connections, short bodies, broken chunking, stalls, drips, status codes,
redirect loops and chains, decompression bombs, huge bodies, wrong types, CAPTCHAs.
Every request is recorded in ``hits``. Nothing here ever binds or connects off loopback.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import brotli

from scheduler.runner import CrawlReport, run_crawl

PARAGRAPH = (
    "Ngày {n}/8, Ban Thường vụ Đảng ủy Khối các cơ quan tỉnh tổ chức hội nghị sơ kết công tác dân vận "
    "của các cơ quan, đơn vị, doanh nghiệp có tổ chức đảng trực thuộc, đánh giá kết quả thực hiện phong trào "
    "thi đua “Dân vận khéo” và đề ra nhiệm vụ trọng tâm trong những tháng cuối năm {n}."
)
MIB = 1024 * 1024

Fault = Callable[["FaultHandler"], None]


def article_html(n: int, title: str | None = None, extra: str = "") -> bytes:
    body = "".join(f"<p>{PARAGRAPH.format(n=n + i)}</p>" for i in range(3))
    heading = title or f"Hội nghị sơ kết công tác dân vận số {n}"
    day = n % 28 + 1
    return (
        f'<html lang="vi"><head><meta charset="utf-8"><title>Bài {n} - Cổng thông tin</title>'
        f'<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="2022-08-{day:02d}T08:00:00+07:00"></head><body>'
        f'<nav><a href="/">Trang chủ</a></nav><article><h1>{heading}</h1>'
        f'<span class="date">{day:02d}-08-2022 08:00</span><div class="content">{body}{extra}</div>'
        "</article></body></html>"
    ).encode()


class FaultSite(ThreadingHTTPServer):
    """One fault site on ``host``; ``faults`` maps a path to its misbehaviour."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # not socketserver's 5: see scheduler/demo/mirror.py

    def __init__(self, host: str = "127.0.0.1", links: tuple[int, ...] = (1, 2)) -> None:
        super().__init__((host, 0), FaultHandler)
        self.links = links
        self.faults: dict[str, Fault] = {}
        self.generate: Callable[[str], Fault | None] | None = None  # pages made up for any path
        self.robots: Fault | None = None
        self.hits: list[tuple[float, str]] = []
        self.home_extra = ""
        self.delay = 0.0  # seconds before every answer but robots.txt: a slow site
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"

    def paths(self) -> list[str]:
        return [path for _, path in self.hits]

    def __enter__(self) -> FaultSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)


class FaultHandler(BaseHTTPRequestHandler):
    server: FaultSite
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        site = self.server
        site.hits.append((time.monotonic(), self.path))
        try:
            if self.path == "/robots.txt":
                return (site.robots or text(200, b"User-agent: *\nAllow: /\n"))(self)
            if site.delay and site.stopping.wait(site.delay):
                return
            if self.path in site.faults:
                return site.faults[self.path](self)
            if site.generate and (made := site.generate(self.path)):
                return made(self)
            if self.path == "/":
                links = "".join(
                    f'<li><a href="/bai-{n}.html">Hội nghị số {n} của cơ quan tỉnh</a></li>' for n in site.links
                )
                return html(200, f"<html><body><ul>{links}</ul>{site.home_extra}</body></html>".encode())(self)
            if self.path.startswith("/bai-") and self.path.endswith(".html") and self.path[5:-5].isdigit():
                return html(200, article_html(int(self.path[5:-5])))(self)
            return text(404, b"not found")(self)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()


# -- behaviours ----------------------------------------------------------------------------


def reply(status: int, body: bytes, headers: dict[str, str]) -> Fault:
    def send(h: FaultHandler) -> None:
        h.head(status, {"Content-Length": str(len(body)), **headers})
        h.wfile.write(body)

    return send


def html(status: int, body: bytes, **headers: str) -> Fault:
    return reply(status, body, {"Content-Type": "text/html; charset=utf-8", **headers})


def text(status: int, body: bytes, **headers: str) -> Fault:
    return reply(status, body, {"Content-Type": "text/plain", **headers})


def article(n: int, title: str | None = None, extra: str = "") -> Fault:
    return html(200, article_html(n, title, extra))


def redirect(location: str, status: int = 302) -> Fault:
    return reply(status, b"", {"Location": location})


def drop(h: FaultHandler) -> None:
    """Headers announcing 10,000 bytes, 100 of them, then the connection is reset."""
    h.head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": "10000"})
    h.wfile.write(article_html(9)[:100])
    h.wfile.flush()
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    h.close_connection = True


def partial(h: FaultHandler) -> None:
    """A body shorter than its Content-Length, then a clean close."""
    body = article_html(9)
    h.head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body) * 2)})
    h.wfile.write(body)
    h.close_connection = True


def broken_chunked(h: FaultHandler) -> None:
    h.head(200, {"Content-Type": "text/html; charset=utf-8", "Transfer-Encoding": "chunked"})
    h.wfile.write(b"100\r\n" + article_html(9)[:256] + b"\r\nZZZ-not-a-size\r\n")
    h.close_connection = True


def stall(seconds: float) -> Fault:
    """No answer at all for ``seconds`` (or until the server stops)."""

    def send(h: FaultHandler) -> None:
        h.server.stopping.wait(seconds)
        h.close_connection = True

    return send


def hang_after_headers(seconds: float) -> Fault:
    def send(h: FaultHandler) -> None:
        h.head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": "5000"})
        h.wfile.flush()
        h.server.stopping.wait(seconds)
        h.close_connection = True

    return send


def drip(h: FaultHandler) -> None:
    """One byte a second, for as long as the client listens."""
    body = article_html(9)
    h.head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))})
    for byte in body:
        if h.server.stopping.wait(1.0):
            break
        h.wfile.write(bytes([byte]))
        h.wfile.flush()
    h.close_connection = True


def chunked_stream(total: int, kind: str = "text/html; charset=utf-8") -> Fault:
    """``total`` bytes of HTML in 64 KiB chunks, with no Content-Length."""

    def send(h: FaultHandler) -> None:
        h.head(200, {"Content-Type": kind, "Transfer-Encoding": "chunked"})
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>"
        sent = 0
        while sent < total and not h.server.stopping.is_set():
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        h.wfile.write(b"0\r\n\r\n")
        h.close_connection = True

    return send


def bomb(encoding: str, size: int = 100 * MIB) -> Fault:
    """``size`` bytes of zeros (wrapped in HTML) compressed with ``encoding``."""
    raw = b"<html><body><p>" + b"0" * size + b"</p></body></html>"
    if encoding == "gzip":
        body = gzip.compress(raw, compresslevel=9)
    elif encoding == "deflate":
        body = zlib.compress(raw, 9)
    else:
        body = brotli.compress(raw, quality=5)
    return reply(200, body, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": encoding})


def counting(faults: list[Fault]) -> Fault:
    """The first behaviour for the first request, the next for the next…; the last one repeats."""
    calls = iter(faults)
    last = faults[-1]

    def send(h: FaultHandler) -> None:
        (next(calls, None) or last)(h)

    return send


# -- running a crawl -----------------------------------------------------------------------


def write_seed(folder: Path, url: str, site_id: str = "site", extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{site_id}.toml").write_text(
        f'name = "Fault site"\nstart_urls = ["{url}/"]\ndownload_delay = 0.0\nautothrottle = false\n{extra}',
        encoding="utf-8",
    )
    return folder


FAST = {"DOWNLOAD_TIMEOUT": "3", "RETRY_TIMES": "1", "RETRY_AFTER_MAX": "5"}


def crawl(
    site: FaultSite, tmp_path: Path, overrides: dict[str, str] | None = None, timeout: float = 120, extra: str = ""
) -> CrawlReport:
    """Crawl ``site`` into ``tmp_path/archive.db`` with short timeouts (DOWNLOAD_TIMEOUT 3 s)."""
    seeds = write_seed(tmp_path / "seeds", site.url, extra=extra)
    return run_crawl(
        "site", seeds=seeds, db=tmp_path / "archive.db", overrides={**FAST, **(overrides or {})}, timeout=timeout
    )


@contextmanager
def fault_site(links: tuple[int, ...] = (1, 2), host: str = "127.0.0.1") -> Iterator[FaultSite]:
    with FaultSite(host, links) as site:
        yield site


# -- a guard in the crawl process: no connection ever leaves loopback ------------------------

LOOPBACK = ("127.0.0.1", "127.0.0.2", "::1")


class ConnectGuard:
    """A Scrapy extension for tests: every connect off loopback is refused and written down."""

    def __init__(self, log: Path) -> None:
        self.log = log
        original_connect, original_connect_ex = socket.socket.connect, socket.socket.connect_ex

        def allowed(address: object) -> bool:
            host = address[0] if isinstance(address, tuple) else ""
            if host in LOOPBACK:
                return True
            with self.log.open("a", encoding="utf-8") as file:
                file.write(f"{address!r}\n")
            return False

        def connect(sock: socket.socket, address: object) -> None:
            if not allowed(address):
                raise ConnectionRefusedError(f"test guard: no connection to {address!r}")
            original_connect(sock, address)  # type: ignore[arg-type]

        def connect_ex(sock: socket.socket, address: object) -> int:
            if not allowed(address):
                return 111
            return original_connect_ex(sock, address)  # type: ignore[arg-type]

        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]

    @classmethod
    def from_crawler(cls, crawler: object) -> ConnectGuard:
        return cls(Path(crawler.settings.get("PROVNEWS_CONNECT_LOG")))  # type: ignore[attr-defined]


def guard_overrides(log: Path) -> dict[str, str]:
    """Settings loading :class:`ConnectGuard` (the child needs ``tests/`` on PYTHONPATH)."""
    return {"EXTENSIONS": json.dumps({"faultserver.ConnectGuard": 0}), "PROVNEWS_CONNECT_LOG": str(log)}


class PageLimit:
    """A Scrapy extension for tests: the archive pipeline's connection may grow by only
    ``PROVNEWS_TEST_SPARE_PAGES`` pages (``PRAGMA max_page_count``): a disk that fills up."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.spare = crawler.settings.getint("PROVNEWS_TEST_SPARE_PAGES", 4)

    @classmethod
    def from_crawler(cls, crawler: Any) -> PageLimit:
        extension = cls(crawler)
        from scrapy import signals

        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider: Any) -> None:
        for pipeline in self.crawler.engine.scraper.itemproc.middlewares:
            archive = getattr(pipeline, "archive", None)
            if archive is not None:
                (pages,) = archive.db.execute("PRAGMA page_count").fetchone()
                archive.db.execute(f"PRAGMA max_page_count = {pages + self.spare}")


def page_limit_overrides(spare: int) -> dict[str, str]:
    import json

    return {"EXTENSIONS": json.dumps({"faultserver.PageLimit": 0}), "PROVNEWS_TEST_SPARE_PAGES": str(spare)}


def figure(name: str, value: object) -> None:
    """Hand a figure to bench/faults.py (when it runs the suite)."""
    path = os.environ.get("PROVNEWS_FAULT_FIGURES")
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps({name: value}) + "\n")
