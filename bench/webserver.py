"""The fixture web served from a process of its own, for benchmarks (see bench/crawl.py).

Every site is rendered once into memory (on day 1, and again when the web moves to
day 2) and served by a :class:`~scheduler.demo.mirror.MirrorServer` on 127.0.0.1 inside a
forked child process, so the servers' CPU is neither charged to the crawler nor to the
process that measures it, and can be measured on its own (:meth:`ServedWeb.cpu_seconds`).
Each server also counts the requests it is answering at once (:class:`CountingMirror`),
and answers with TCP_NODELAY, as web servers do (see :class:`_CountingHandler`).

    with ServedWeb(fixture_sites(today, count=1000, sites=5)) as web:
        web.urls["agency"], web.requests(), web.switch_to_day(2), web.max_in_flight()
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

from zoo import FixtureSite

from scheduler.demo.mirror import MirrorServer, _Handler, find_page

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Served:
    """One request as a server saw it."""

    site: str
    method: str
    path: str  # with the query string
    status: int
    conditional: bool  # If-None-Match or If-Modified-Since sent


class _CountingHandler(_Handler):
    # http.server sends the headers and the body in two writes; with Nagle's algorithm the
    # body waits for the client's delayed ACK: 43 ms per request on a keep-alive connection
    # instead of 0.5 ms (measured here), which would be charged to the crawler. Web servers
    # (nginx, IIS) set TCP_NODELAY; so does this one.
    disable_nagle_algorithm = True

    def _respond(self, send_body: bool) -> None:
        mirror = self.server.mirror
        assert isinstance(mirror, CountingMirror)
        mirror.enter()
        try:
            super()._respond(send_body)
        finally:
            mirror.leave()


class CountingMirror(MirrorServer):
    """A MirrorServer that also records the most requests it was answering at the same time
    (from the request line read to the last byte of the response written)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._flight = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0

    def start(self) -> CountingMirror:
        super().start()
        assert self._httpd is not None
        self._httpd.RequestHandlerClass = _CountingHandler  # before anyone knows the address
        return self

    def enter(self) -> None:
        with self._flight:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._flight:
            self.in_flight -= 1

    def reset_most_in_flight(self) -> int:
        with self._flight:
            most, self.most_in_flight = self.most_in_flight, self.in_flight
        return most


@dataclass(frozen=True)
class WebStats:
    """What the web holds on day 1 and what it took to render it."""

    pages: dict[str, int]  # stored pages per site (without the endless generated ones)
    bytes: int
    render_seconds: float


class ServedWeb:
    """The fixture sites served by a child process, one :class:`CountingMirror` each.

    ``hosts`` gives each site its loopback address (default: all on 127.0.0.1, each on
    its own port).
    """

    def __init__(self, sites: Sequence[FixtureSite], hosts: Sequence[str] | None = None) -> None:
        self.sites = {site.id: site for site in sites}
        self.hosts = list(hosts) if hosts else ["127.0.0.1"] * len(sites)
        self.urls: dict[str, str] = {}
        self.stats = WebStats({}, 0, 0.0)
        self._conn: Connection | None = None
        self._process: Any = None

    def start(self) -> ServedWeb:
        context = multiprocessing.get_context("fork")  # the sites are already in memory: no pickling
        ours, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(theirs, list(self.sites.values()), self.hosts), name="fixture-web", daemon=True
        )
        self._process.start()
        theirs.close()
        self._conn = ours
        self.urls, self.stats = self._call("ready")
        return self

    def stop(self) -> None:
        if self._conn is not None:
            try:
                self._call("stop")
            except (EOFError, OSError, RuntimeError):
                pass
            self._conn.close()
            self._conn = None
        if self._process is not None:
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process = None

    def __enter__(self) -> ServedWeb:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        return int(self._process.pid)

    def switch_to_day(self, day: int) -> float:
        """Serve every site as on ``day``; the seconds its rendering took."""
        return float(self._call("day", day))

    def requests(self, since: dict[str, int] | None = None) -> list[Served]:
        """The requests served (since the :meth:`position` ``since``), site by site, each site's in
        the order its server logged them."""
        served, seen = [], Counter[str]()
        for row in self._call("requests"):
            request = Served(*row)
            seen[request.site] += 1
            if since is None or seen[request.site] > since.get(request.site, 0):
                served.append(request)
        return served

    def position(self) -> dict[str, int]:
        """Where each server's request log ends now."""
        return dict(Counter(request.site for request in self.requests()))

    def max_in_flight(self) -> dict[str, int]:
        """Per site, the most requests answered at once since the last call."""
        return dict(self._call("in_flight"))

    def dump_articles(self, folder: Path) -> list[Path]:
        """Write the day-1 page of every gold article to ``folder``; the files written."""
        return [Path(p) for p in self._call("dump", str(folder))]

    def cpu_seconds(self) -> float:
        """User + system CPU time of the serving process (all its threads) so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def _call(self, command: str, *args: Any) -> Any:
        assert self._conn is not None
        if command != "ready":
            self._conn.send((command, args))
        status, value = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"fixture web: {command}: {value}")
        return value


def _serve(conn: Connection, sites: list[FixtureSite], hosts: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops us
    servers: dict[str, CountingMirror] = {}
    try:
        started = time.perf_counter()
        for site, host in zip(sites, hosts, strict=True):
            servers[site.id] = CountingMirror(render=site.render(1), host=host, port=0).start()
        seconds = time.perf_counter() - started
        pages = {site_id: len(server._pages) for site_id, server in servers.items()}
        size = sum(len(page.body) for server in servers.values() for page in server._pages.values())
        conn.send(("ok", ({k: s.url for k, s in servers.items()}, WebStats(pages, size, seconds))))
        while True:
            try:
                command, args = conn.recv()
            except EOFError:
                return
            try:
                reply = _answer(command, args, sites, servers)
            except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
                continue
            conn.send(("ok", reply))
            if command == "stop":
                return
    except Exception as exc:  # noqa: BLE001
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        for server in servers.values():
            server.stop()


def _answer(command: str, args: tuple[Any, ...], sites: list[FixtureSite], servers: dict[str, CountingMirror]) -> Any:
    if command == "day":
        started = time.perf_counter()
        for site in sites:
            servers[site.id].replace_site(site.render(args[0]))
        return time.perf_counter() - started
    if command == "requests":
        rows = []
        for site_id, server in servers.items():
            with server._lock:
                records = list(server.requests)
            for r in records:
                conditional = "if-none-match" in r.headers or "if-modified-since" in r.headers
                rows.append((site_id, r.method, r.path, r.status, conditional))
        return rows
    if command == "in_flight":
        return {site_id: server.reset_most_in_flight() for site_id, server in servers.items()}
    if command == "dump":
        return _dump(Path(args[0]), sites, servers)
    if command == "stop":
        return None
    raise ValueError(f"unknown command {command!r}")


def _dump(folder: Path, sites: list[FixtureSite], servers: dict[str, CountingMirror]) -> list[str]:
    written = []
    for site in sites:
        pages = servers[site.id]._pages
        (folder / site.id).mkdir(parents=True, exist_ok=True)
        for number, article in enumerate(site.gold(1)):
            page = find_page(pages, article.path)
            if page is None or page.status != 200:
                raise RuntimeError(f"{site.id}: no page for gold article {article.path}")
            path = folder / site.id / f"{number:05d}.html"
            path.write_bytes(page.body)
            written.append(str(path))
    return written
