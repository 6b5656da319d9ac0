"""Nobody let in: scope and SSRF on every hop, quoted search, escaped display, no paths from URLs.

RELIABILITY.md §2 rows S1–S6. Sites are served on 127.0.0.1 (a canary on 127.0.0.2); the
SSRF checks run with a patched resolver and a patched ``connect``, so no packet leaves for
10.x, 169.254.x or any public address.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from faultserver import FaultSite, article, crawl, guard_overrides, redirect
from scrapy.exceptions import IgnoreRequest

from crawler.net.safety import SafetyMiddleware, Scope, blocked_address, check_url
from crawler.seeds import parse_seed
from scheduler.cli import cli
from storage.archive import Archive

TESTS = Path(__file__).parent

HOSTILE_SEARCHES = [
    '"',
    '""',
    "NOT",
    "AND",
    "OR",
    "NEAR",
    "NEAR(",
    "NEAR(a b",
    "tỉnh-ủy",
    "') OR 1=1--",
    "' OR '1'='1",
    "x" * 10_000,
    "a\x00b",
    "\x00",
    "(",
    ")",
    "((a)",
    "a)",
    "*",
    "a*",
    "*a",
    "^",
    "^a",
    "title:x",
    "text:dân",
    "-x",
    "+x",
    "{a b}",
    "a:b:c",
    "[x]",
    "a OR",
    "OR a",
    "NOT NOT",
    'dân vận"',
    'Lạng Sơn"',
    "\\",
    "%",
    "_",
    "'; DROP TABLE articles; --",
    "<script>alert(1)</script>",
    "𝕏𝕐",
    "\u202e",
    "a" * 1000 + '"',
    "col:",
    ":",
    "a - b",
    '"unterminated',
    'a" OR "b',
    "ˆ",
    "rowid:1",
]


# -- S1: every hop checked, no connection off the allowlist ----------------------------------


def seed_for(*start_urls: str, allowed: tuple[str, ...] = ()) -> Any:
    data: dict[str, Any] = {"name": "S", "start_urls": list(start_urls)}
    if allowed:
        data["allowed_hosts"] = list(allowed)
    return parse_seed("s", data)


def resolver_of(table: dict[str, list[str]]) -> Any:
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise socket.gaierror(f"{host}: not in the test resolver")
        return table[host]

    return resolve


@pytest.fixture
def no_connect(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any socket connect during the test is recorded and refused."""
    attempts: list[object] = []

    def refuse(sock: socket.socket, address: object) -> None:
        attempts.append(address)
        raise ConnectionRefusedError("no connection in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://other.example/", "offsite"),
        ("http://127.0.0.1:9/x", "internal_address"),  # the seed's loopback port is 8080 only
        ("http://10.0.0.1/", "offsite"),
        ("http://169.254.169.254/latest/meta-data/", "offsite"),
        ("http://[::ffff:127.0.0.1]/", "offsite"),
        ("http://2130706433/", "offsite"),
        ("file:///etc/passwd", "scheme"),
        ("ftp://news.example/", "scheme"),
        ("data:text/html,<p>x</p>", "scheme"),
        ("http://intranet.news.example/", "internal_address"),  # resolves to 10.1.2.3
        ("http://meta.news.example/", "internal_address"),  # resolves to 169.254.169.254
        ("http://mapped.news.example/", "internal_address"),  # resolves to ::ffff:127.0.0.1
        ("http://int.news.example/", "internal_address"),  # resolves to 127.0.0.1 (as 2130706433 does)
        ("http://gone.news.example/", "dns"),
    ],
)
def test_out_of_scope_or_internal_requests_are_refused_without_connecting(
    url: str, reason: str, no_connect: list[object]
) -> None:
    scope = Scope(("news.example", "127.0.0.1"), frozenset({("127.0.0.1", 8080), ("news.example", 443)}))
    resolver = resolver_of(
        {
            "news.example": ["203.0.113.9"],
            "intranet.news.example": ["93.184.216.34", "10.1.2.3"],
            "meta.news.example": ["169.254.169.254"],
            "mapped.news.example": ["::ffff:127.0.0.1"],
            "int.news.example": ["127.0.0.1"],
            "127.0.0.1": ["127.0.0.1"],
        }
    )
    with pytest.raises(IgnoreRequest) as refused:
        check_url(url, scope, resolver)
    assert getattr(refused.value, "reason", None) == reason
    assert no_connect == []


def test_named_loopback_and_public_hosts_pass() -> None:
    scope = Scope.of_seed(seed_for("http://127.0.0.1:8080/", "https://news.example/"))
    check_url("http://127.0.0.1:8080/bai-1.html", scope, resolver_of({}))
    check_url("https://www.news.example/a.html", scope, resolver_of({"www.news.example": ["93.184.216.34"]}))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "fe80::1",
        "fc00::1",
        "::",
        "100.64.0.1",
        "not-an-ip",
    ],
)
def test_internal_addresses_are_blocked(address: str) -> None:
    assert blocked_address(address)


def test_public_addresses_pass() -> None:
    assert not blocked_address("93.184.216.34") and not blocked_address("2606:2800:220:1:248:1893:25c8:1946")


def test_the_middleware_refuses_a_redirect_hop_and_counts_it(no_connect: list[object]) -> None:
    from scrapy import Request
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    crawler = get_crawler()
    crawler.stats = MemoryStatsCollector(crawler)
    middleware = SafetyMiddleware(crawler, resolver_of({"news.example": ["93.184.216.34"]}))
    middleware.scope = Scope.of_seed(seed_for("https://news.example/"))
    middleware.process_request(Request("https://news.example/a.html"))
    hop = Request("http://169.254.169.254/latest/", meta={"redirect_urls": ["https://news.example/go"]})
    with pytest.raises(IgnoreRequest):
        middleware.process_request(hop)
    assert crawler.stats.get_value("provnews/refused/offsite") == 1
    assert no_connect == []


@pytest.mark.slow
def test_a_crawl_follows_no_redirect_out_of_scope(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    connects = tmp_path / "connects.log"
    with (
        FaultSite("127.0.0.1", links=tuple(range(1, 14))) as site,
        FaultSite("127.0.0.2") as canary,
        FaultSite("127.0.0.1") as same_host_canary,
    ):
        port = canary.server_address[1]
        targets = [
            f"{canary.url}/stolen",
            f"{same_host_canary.url}/stolen",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            f"http://[::ffff:127.0.0.1]:{same_host_canary.server_address[1]}/",
            f"http://2130706433:{same_host_canary.server_address[1]}/",
            f"http://2130706434:{port}/",
            "file:///etc/passwd",
            "ftp://127.0.0.1/",
            "data:text/html,<p>x</p>",
        ]
        for n, target in enumerate(targets, start=3):
            site.faults[f"/bai-{n}.html"] = redirect(target)
        site.faults["/bai-2.html"] = redirect("/bai-13.html", 301)  # an in-scope hop passes
        report = crawl(site, tmp_path, overrides=guard_overrides(connects))
        assert report.ok, report.log_tail
        assert canary.hits == [] and same_host_canary.hits == []
    assert not connects.exists(), connects.read_text()
    with Archive(tmp_path / "archive.db") as archive:
        assert archive.count_articles("site") == 2
        row = archive.db.execute("select notes from crawls").fetchone()
    notes = " ".join(json.loads(row[0]))
    assert "refused (offsite)" in notes and "refused (scheme)" in notes and "refused (internal_address)" in notes


# -- S2, S3, S5: a real `provnews serve` over an archive holding hostile articles ------------


XSS_TITLE = "&lt;script&gt;alert('t')&lt;/script&gt; Hội nghị dân vận"
XSS_EXTRA = (
    "<p>&lt;script&gt;alert(document.cookie)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; "
    "javascript:alert(2) — đoạn văn bản có nội dung độc hại được lưu trữ nguyên văn để kiểm tra.</p>"
    '<p><a href="javascript:alert(3)">liên kết</a> <img src="x" onerror="alert(4)"></p>'
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        body = error.read()
        error.close()
        return error.code, body


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    with FaultSite("127.0.0.1", links=(1, 2, 3)) as site:
        site.faults["/bai-3.html"] = article(3, XSS_TITLE, XSS_EXTRA)
        report = crawl(site, tmp)
    assert report.ok, report.log_tail
    return tmp / "archive.db"


@pytest.fixture(scope="module")
def served(hostile_archive: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler.cli", "serve", "--db", str(hostile_archive), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("datasette did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stderr:
            process.stderr.close()


@pytest.mark.slow
def test_stored_script_is_shown_escaped(hostile_archive: Path, served: str) -> None:
    with Archive(hostile_archive) as archive:
        (article_id, title, text) = archive.db.execute(
            "select id, title, text from articles where title like '%script%'"
        ).fetchone()
    assert "<script>" in title and "onerror=" in text  # archived as the page said it
    for path in (f"/archive/articles/{article_id}", "/archive/articles", "/archive/articles?_search=alert"):
        status, body = fetch(served + path)
        assert status == 200
        page = body.decode()
        assert "<script>alert" not in page and "<img src=x onerror" not in page
        assert 'href="javascript:' not in page
    status, body = fetch(served + f"/archive/articles/{article_id}")
    assert "&lt;script&gt;alert" in body.decode()


@pytest.mark.slow
def test_fifty_hostile_searches_give_no_500_and_no_traceback(hostile_archive: Path, served: str) -> None:
    assert len(HOSTILE_SEARCHES) >= 50
    runner = CliRunner()
    for query in HOSTILE_SEARCHES:
        result = runner.invoke(cli, ["search", "--db", str(hostile_archive), "--", query])
        assert result.exit_code in (0, 1), (query, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (query, result.exception)
        assert "Traceback" not in result.output
        for path in ("/archive/articles.json?_search=", "/archive/articles?_search="):
            status, body = fetch(served + path + urllib.parse.quote(query, safe=""))
            assert status < 500, (query, status, body[:300])
            assert b"Traceback" not in body and b"sqlite3." not in body, query


@pytest.mark.slow
def test_datasette_listens_on_loopback_only_and_refuses_writes(served: str) -> None:
    port = int(served.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", port), timeout=2).close()
    before = fetch(served + "/archive.json?sql=select+count(*)+as+n+from+articles&_shape=array")
    status, body = fetch(served + "/archive/articles", data=b"title=x")
    assert status != 200 and b"Traceback" not in body  # Datasette 0.65 answers a table POST with an error page
    assert fetch(served + "/archive.json?sql=select+count(*)+as+n+from+articles&_shape=array") == before
    status, _ = fetch(served + "/archive.json?sql=" + urllib.parse.quote("update articles set title='x'"))
    assert status in (400, 403)


# -- S4: no path is ever built from a URL ---------------------------------------------------


@pytest.mark.slow
def test_crafted_urls_write_nothing_outside_the_archive(tmp_path: Path) -> None:
    project = sorted(p.name for p in Path.cwd().iterdir())
    with FaultSite("127.0.0.1", links=(1,)) as site:
        site.home_extra = "".join(
            f'<a href="{href}">Bài {n} hội nghị dân vận</a>'
            for n, href in enumerate(
                [
                    "/../../../../tmp/evil.html",
                    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd.html",
                    "/a%00b.html",
                    "/..%2f..%2f..%2fevil.html",
                    "/bai-7.html/../../../x.html",
                    "/%2e%2e/%2e%2e/y.html",
                ]
            )
        )
        report = crawl(site, tmp_path)
    assert report.ok, report.log_tail
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert [w for w in written if not w.startswith(("archive.db", "seeds"))] == []
    assert sorted(p.name for p in Path.cwd().iterdir()) == project


# -- S6: secrets and leaks ------------------------------------------------------------------

SECRET_PATTERNS = {  # written so that this file does not match itself
    "private key": re.compile("-----BEGIN " + r"(?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"<>]+:[^/\s@'\"<>]+@[\w.-]+"),
    "secret assigned": re.compile(
        r"(?i)\b(?:password|passwd|secret|api_?key|access_?token|auth_?token)\s*[=:]\s*['\"][^'\"\s]{6,}['\"]"
    ),
    "credentials in a header": re.compile(r"(?i)\bauthorization\s*[:=]\s*['\"]?(?:bearer|basic)\s+[\w.~+/=-]{8,}"),
}


def tracked_files() -> list[Path]:
    """The files git tracks (what a clone gets), else every file of the project but .git and .venv."""
    project = TESTS.parent
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=project, capture_output=True, check=True, timeout=30
        ).stdout.decode("utf-8", "replace")
        return [project / name for name in listed.split("\0") if name]
    except (OSError, subprocess.SubprocessError):
        skipped = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
        return [p for p in project.rglob("*") if p.is_file() and not skipped & set(p.parts)]


def test_no_credentials_in_the_repository() -> None:
    files = tracked_files()
    assert len(files) > 50
    found = []
    for file in files:
        if not file.is_file() or file.stat().st_size > 5_000_000:
            continue
        text = file.read_bytes().decode("utf-8", "replace")
        for kind, pattern in SECRET_PATTERNS.items():
            found += [f"{file.relative_to(TESTS.parent)}: {kind}: {m.group(0)[:40]}" for m in pattern.finditer(text)]
    assert found == []


def test_no_cookie_or_credentials_are_ever_sent_to_a_site(tmp_path: Path) -> None:
    """The site sets a session cookie on every answer; no request carries it back, nor any
    Authorization header; the User-Agent is the honest one. No JOBDIR (pickled requests) either."""
    from faultserver import article_html, html, text

    from crawler import settings as project_settings

    seen: list[tuple[str, dict[str, str]]] = []

    def echo(fault: Any) -> Any:
        def send(handler: Any) -> None:
            seen.append((handler.path, {k.lower(): v for k, v in handler.headers.items()}))
            fault(handler)

        return send

    cookie = {"Set-Cookie": "ASP.NET_SessionId=s3ss10nf0rtest; path=/; HttpOnly"}
    home = b'<html><body><a href="/bai-1.html">Bai 1</a> <a href="/bai-2.html">Bai 2</a></body></html>'
    with FaultSite("127.0.0.1", links=(1, 2)) as site:
        site.robots = echo(text(200, b"User-agent: *\nAllow: /\n", **cookie))
        site.faults["/"] = echo(html(200, home, **cookie))
        for n in (1, 2):
            site.faults[f"/bai-{n}.html"] = echo(html(200, article_html(n), **cookie))
        report = crawl(site, tmp_path)
    assert report.ok, report.log_tail
    assert sorted(path for path, _ in seen) == ["/", "/bai-1.html", "/bai-2.html", "/robots.txt"]
    for path, headers in seen:
        assert not {"cookie", "authorization", "proxy-authorization"} & set(headers), (path, headers)
        assert headers["user-agent"].startswith("provnews/"), headers
    assert getattr(project_settings, "JOBDIR", None) is None
