"""An offline mirror of a provincial agency portal, rendered from a site directory and served locally.

A site directory holds ``site.toml`` (the ``[site]`` table with names and URL layout,
``[[articles]]``, ``[[documents]]``) and Jinja2 ``templates/``. :func:`render_site` renders
every page (:func:`load_site` reads the data, :func:`build_pages` renders any such data
with any such templates); :class:`MirrorServer` serves them on 127.0.0.1 with
ETag/Last-Modified validators and logs every request, so crawls can be tested without the
network. A site may also serve families of pages without end (a calendar's months, links
with session ids) through :class:`GeneratedPages`.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import signal
import socket
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

logger = logging.getLogger(__name__)

DEFAULT_SITE_DIR = Path(__file__).resolve().parents[2] / "seeds" / "mirror"
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
DEFAULT_ROBOTS = "User-agent: *\nDisallow:\n"


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str
    last_modified: datetime  # aware, UTC
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()  # extra response headers, e.g. Content-Encoding

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str  # as requested, with the query string
    status: int
    headers: dict[str, str]  # request headers, lower-cased names


Renderer = Callable[[str], tuple[dict[str, Page], Page]]
"""Renders a whole site for a base URL: its pages by path, and the page for unknown paths."""


class GeneratedPages(dict[str, Page]):
    """A site's pages by path, plus pages made on request for URL families without end.

    ``generate`` gets the request target as sent (path and query) and returns the page,
    or ``None`` when the target is not one it makes; the server asks the stored pages
    first, then ``generate``, for the target as sent and for its cleaned-up forms.
    """

    def __init__(self, pages: dict[str, Page], generate: Callable[[str], Page | None]) -> None:
        super().__init__(pages)
        self.generate = generate


def find_page(pages: dict[str, Page], target: str) -> Page | None:
    """The page a server answers for a request target (path with query), or ``None`` (404).

    Tried in order: the target as sent; without session ids (``;jsessionid=…``, ``sid``)
    and tracking parameters (``utm_*``, ``fbclid``); with only a ``page`` parameter kept.
    """
    found = _stored_or_generated(pages, target)
    if found is not None:
        return found
    parts = urlsplit(target)
    path = parts.path.split(";", 1)[0]  # ;jsessionid=... path parameters
    query = parse_qsl(parts.query, keep_blank_values=True)
    untracked = [(k, v) for k, v in query if not k.lower().startswith(("utm_", "fbclid", "sid", "phpsessid"))]
    if untracked:
        found = _stored_or_generated(pages, path + "?" + urlencode(untracked))
        if found is not None:
            return found
    kept = [(k, v) for k, v in untracked if k == "page" and v != "1"]
    return _stored_or_generated(pages, path + ("?" + urlencode(kept) if kept else ""))


def _stored_or_generated(pages: dict[str, Page], target: str) -> Page | None:
    page = pages.get(target)
    if page is None and isinstance(pages, GeneratedPages):
        page = pages.generate(target)
    return page


def render_site(site_dir: Path, base_url: str) -> dict[str, Page]:
    """Render every page of a mirror site: key = path with query ("/", "/x?page=2", "/robots.txt", ...)."""
    return _build(Path(site_dir), base_url)[0]


def load_site(site_dir: Path) -> dict[str, Any]:
    """The data of a site directory: its ``site.toml``, parsed."""
    with (Path(site_dir) / "site.toml").open("rb") as fh:
        return tomllib.load(fh)


def _build(site_dir: Path, base_url: str) -> tuple[dict[str, Page], Page]:
    """All pages of the site, and the page served for unknown paths (status 404)."""
    return build_pages(load_site(site_dir), Path(site_dir) / "templates", base_url)


def build_pages(data: dict[str, Any], templates_dir: Path, base_url: str) -> tuple[dict[str, Page], Page]:
    """Render site data shaped like ``site.toml`` with the templates of ``templates_dir``.

    Returns every page by path, and the page served for unknown paths (status 404). An
    article may carry ``modified`` (same format as ``published``): its page's
    Last-Modified, for an edit that nothing on the page shows.
    """
    site: dict[str, Any] = data["site"]
    base_url = base_url.rstrip("/")
    tz = datetime.strptime(site.get("utc_offset", "+07:00"), "%z").tzinfo
    updated = site["updated"]
    if not isinstance(updated, datetime):
        raise ValueError("site.updated must be a TOML datetime")
    updated = (updated if updated.tzinfo else updated.replace(tzinfo=tz)).astimezone(UTC)
    articles = _prepare_articles(data.get("articles", []), site, tz)

    env = Environment(loader=FileSystemLoader(templates_dir), autoescape=True)
    common: dict[str, Any] = {
        "site": site,
        "base_url": base_url,
        "documents": data.get("documents", []),
        "static_pages": list(site.get("static_pages", {}).values()),
    }
    pages: dict[str, Page] = {}

    def html(template: str, path: str, modified: datetime, **context: Any) -> None:
        if path in pages:
            raise ValueError(f"two pages render to {path}")
        body = env.get_template(template).render(common, path=path, canonical=base_url + path, **context)
        pages[path] = Page(body.encode("utf-8"), HTML, modified)

    html("home.html", "/", updated, latest=articles[: int(site.get("home_latest", 6))])

    per_page = int(site.get("per_page", 8))
    chunks = [articles[i : i + per_page] for i in range(0, len(articles), per_page)] or [[]]
    category = site["category_path"]

    def listing_path(number: int) -> str:
        return category if number == 1 else f"{category}?page={number}"

    for number, chunk in enumerate(chunks, start=1):
        html(
            "listing.html",
            listing_path(number),
            updated,
            articles=chunk,
            page_number=number,
            page_count=len(chunks),
            pager=[(n, listing_path(n) if n else None) for n in _pager(number, len(chunks))],
            prev_path=listing_path(number - 1) if number > 1 else None,
            next_path=listing_path(number + 1) if number < len(chunks) else None,
        )

    related_count = int(site.get("related_count", 5))
    for article in articles:
        html(
            "article.html",
            article["path"],
            article["modified_at"],
            article=article,
            related=_related(article, articles, related_count),
        )

    for page in site.get("static_pages", {}).values():
        html("page.html", page["path"], updated, page=page)
    search_path = site.get("search_path")
    if search_path:
        search = {"title": site.get("search_title", ""), "blocks": [{"p": site.get("search_text", "")}], "search": True}
        html("page.html", search_path, updated, page=search)

    robots = site.get("robots_txt", DEFAULT_ROBOTS)
    pages["/robots.txt"] = Page(robots.encode("utf-8"), TEXT, updated)

    body = env.get_template("404.html").render(common, path="", canonical=base_url + "/")
    return pages, Page(body.encode("utf-8"), HTML, updated)


def _prepare_articles(raw_articles: list[dict[str, Any]], site: dict[str, Any], tz: Any) -> list[dict[str, Any]]:
    """Articles with path, aware published time and template-ready blocks, newest first."""
    fmt = site.get("date_format", "%d-%m-%Y %H:%M")
    short = site.get("short_date_format", "%d-%m-%Y")
    articles: list[dict[str, Any]] = []
    seen: set[str] = set()
    for raw in raw_articles:
        article = dict(raw)
        article["path"] = site["article_path"].format(slug=article["slug"], id=article["id"])
        local = datetime.strptime(article["published"], fmt).replace(tzinfo=tz)
        article["published_at"] = local.astimezone(UTC)
        modified = datetime.strptime(article["modified"], fmt).replace(tzinfo=tz) if "modified" in article else local
        article["modified_at"] = modified.astimezone(UTC)
        article["date"] = local.strftime(short)
        article["blocks"] = [_prepare_block(block) for block in article.get("blocks", [])]
        article["thumb"] = next((b["image"] for b in article["blocks"] if "image" in b), None)
        for key in (f"id {article['id']}", article["path"], f"title {article['title']}"):
            if key in seen:
                raise ValueError(f"duplicate article {key}")
            seen.add(key)
        articles.append(article)
    articles.sort(key=lambda a: (a["published_at"], a["id"]), reverse=True)
    return articles


def _prepare_block(block: dict[str, Any]) -> dict[str, Any]:
    prepared = dict(block)
    if "caption_html" in prepared:  # raw HTML from site.toml, on purpose (e.g. a caption broken mid-word)
        prepared["caption"] = Markup(prepared["caption_html"])
    if "html" in prepared:
        prepared["html"] = Markup(prepared["html"])
    return prepared


def _related(article: dict[str, Any], articles: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """The ``count`` other articles nearest in date, newest first."""
    when = article["published_at"]
    others = [a for a in articles if a["id"] != article["id"]]
    others.sort(key=lambda a: (abs((a["published_at"] - when).total_seconds()), -a["id"]))
    return sorted(others[:count], key=lambda a: (a["published_at"], a["id"]), reverse=True)


def _pager(current: int, count: int, window: int = 2) -> list[int | None]:
    """Page numbers to show, ``None`` for an ellipsis: 1 … 4 5 [6] 7 8 … 20."""
    shown = sorted({1, count, *range(max(1, current - window), min(count, current + window) + 1)})
    items: list[int | None] = []
    for number in shown:
        if items and number - (items[-1] or 0) > 1:
            items.append(None)
        items.append(number)
    return items


def _not_modified(page: Page, headers: dict[str, str]) -> bool:
    """RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since only counts without it."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or page.etag in tags
    since = headers.get("if-modified-since")
    if since:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when >= page.last_modified.replace(microsecond=0)
    return False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: a crawler opening a few connections at
    # once then has its SYNs dropped and retried, and every response seems 100 ms+ slow
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], mirror: MirrorServer) -> None:
        self.mirror = mirror
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "MirrorPortal/1.0"
    sys_version = ""
    timeout = 15  # idle keep-alive connections end by themselves

    def setup(self) -> None:
        super().setup()
        self.server.mirror._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.mirror._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - " + format, self.address_string(), *args)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        mirror = self.server.mirror
        headers = {name.lower(): value for name, value in self.headers.items()}
        page = mirror._lookup(self.path)
        status = 200
        if page is None:
            assert mirror._not_found is not None
            page, status = mirror._not_found, 404
        elif page.status != 200:
            status = page.status
        elif _not_modified(page, headers):
            status = 304
        mirror._record(RequestRecord(self.command, self.path, status, headers))
        self.send_response(status)
        if status in (200, 304):
            self.send_header("ETag", page.etag)
            self.send_header("Last-Modified", format_datetime(page.last_modified, usegmt=True))
        if status != 304:
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            for name, value in page.headers:
                self.send_header(name, value)
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(page.body)


class MirrorServer:
    """Serve a mirror site on 127.0.0.1 from a thread (http.server.ThreadingHTTPServer)."""

    def __init__(
        self, site_dir: Path | None = None, host: str = "127.0.0.1", port: int = 0, *, render: Renderer | None = None
    ) -> None:
        if site_dir is None and render is None:
            raise ValueError("MirrorServer needs a site directory or a render function")
        self.site_dir = Path(site_dir) if site_dir is not None else None
        self._render: Renderer = render or (lambda base_url: _build(Path(str(site_dir)), base_url))
        self.host = host
        self.port = port
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._pages: dict[str, Page] = {}
        self._not_found: Page | None = None
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: dict[threading.Thread, socket.socket] = {}
        self._url = ""

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` without a trailing slash; valid after :meth:`start`."""
        if not self._url:
            raise RuntimeError("MirrorServer is not started")
        return self._url

    @property
    def address(self) -> tuple[str, int]:
        """The (host, port) the listening socket is bound to."""
        if self._httpd is None:
            raise RuntimeError("MirrorServer is not started")
        host, port = self._httpd.socket.getsockname()[:2]
        return str(host), int(port)

    def start(self) -> MirrorServer:
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self.port), self)
        port = httpd.server_address[1]
        self._url = f"http://{self.host}:{port}"
        try:
            self._pages, self._not_found = self._render(self._url)
        except Exception:
            httpd.server_close()
            self._url = ""
            raise
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name=f"mirror-{port}", daemon=True)
        self._thread.start()
        logger.info("mirror of %s serving %d pages at %s", self.site_dir, len(self._pages), self._url)
        return self

    def replace_site(self, render: Renderer) -> None:
        """Serve another state of the site at the same address (e.g. the site a day later)."""
        pages, not_found = render(self.url)
        with self._lock:
            self._render, self._pages, self._not_found = render, pages, not_found

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        httpd.shutdown()
        with self._lock:
            lingering = dict(self._connections)
        for conn in lingering.values():  # idle keep-alive connections: wake their threads up
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        httpd.server_close()
        for handler in lingering:
            handler.join(timeout=5)
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = self._thread = None
        logger.info("mirror at %s stopped after %d requests", self._url, len(self.requests))

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def paths_requested(self) -> list[str]:
        with self._lock:
            return [record.path for record in self.requests]

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections[threading.current_thread()] = conn
            else:
                self._connections.pop(threading.current_thread(), None)

    def _lookup(self, raw_path: str) -> Page | None:
        """The page for a request target (see :func:`find_page`)."""
        return find_page(self._pages, raw_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scheduler.demo.mirror", description="Serve an offline mirror site."
    )
    parser.add_argument(
        "site_dir",
        nargs="?",
        type=Path,
        default=DEFAULT_SITE_DIR,
        help="site directory with site.toml and templates/ (default: seeds/mirror)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port, 0 for any free one (default: 8765)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with MirrorServer(args.site_dir, args.host, args.port) as server:
            print(server.url, flush=True)
            while not stopping.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
