"""Network and content faults (RELIABILITY.md N1–N5, N7, C1, C2, C6): one fault site, every fault
at an article URL beside good articles. Each fault is bounded (DOWNLOAD_TIMEOUT 3 s here,
30 s by default), nothing partial or bad is stored, every failure is categorised in the
crawl's ``crawls.errors``, and the good articles are all archived. A site whose host does not
resolve (N4) gets its names from a hosts table (tests/fakedns.py), never from the network.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from crawl_faults import TESTS_DIR
from fakedns import hosts_overrides
from faultserver import (
    FAST,
    MIB,
    FaultSite,
    article,
    bomb,
    broken_chunked,
    chunked_stream,
    counting,
    crawl,
    drip,
    drop,
    figure,
    hang_after_headers,
    html,
    partial,
    redirect,
    reply,
    stall,
    text,
    write_seed,
)

from scheduler.runner import run_crawl

pytestmark = pytest.mark.slow

GOOD = (1, 2)


def stored(db: Path) -> tuple[list[str], list[str]]:
    conn = sqlite3.connect(db)
    try:
        urls = [row[0].rsplit("/", 1)[1] for row in conn.execute("select url from articles order by url")]
        (errors,) = conn.execute("select errors from crawls order by id desc").fetchone()
    finally:
        conn.close()
    return urls, json.loads(errors)


def test_network_faults_are_bounded_categorised_and_never_stored(tmp_path: Path) -> None:
    with FaultSite("127.0.0.1", links=(*GOOD, *range(10, 24))) as site:
        site.faults.update(
            {
                "/bai-10.html": drop,
                "/bai-11.html": partial,
                "/bai-12.html": broken_chunked,
                "/bai-13.html": stall(60),
                "/bai-14.html": hang_after_headers(60),
                "/bai-15.html": drip,
                "/bai-16.html": html(500, b"<h1>Internal error</h1>"),
                "/bai-17.html": redirect("/bai-18.html"),
                "/bai-18.html": redirect("/bai-17.html"),
                "/bai-19.html": redirect("/chain-1.html"),
                **{f"/chain-{n}.html": redirect(f"/chain-{n + 1}.html") for n in range(1, 26)},
                "/bai-20.html": counting([text(429, b"slow", **{"Retry-After": "2"}), article(20)]),
                "/bai-21.html": counting(
                    [
                        text(
                            503,
                            b"busy",
                            **{"Retry-After": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 2))},
                        ),
                        article(21),
                    ]
                ),
            }
        )
        started = time.monotonic()
        report = crawl(site, tmp_path)
        seconds = time.monotonic() - started
        paths = site.paths()
    assert report.ok, report.log_tail
    assert seconds < 90
    urls, errors = stored(tmp_path / "archive.db")
    assert urls == ["bai-1.html", "bai-2.html", "bai-20.html", "bai-21.html", "bai-22.html", "bai-23.html"]
    text_of_errors = " ".join(errors)
    for category in ("data_loss", "timeout", "http_5xx", "redirect_limit", "retries_exhausted"):
        assert f"failure {category}" in text_of_errors, (category, errors)
    assert max(int(p[7:-5]) for p in paths if p.startswith("/chain-")) <= 5  # stops at 5 hops
    assert paths.count("/bai-16.html") == 2  # RETRY_TIMES=1: bounded retries


def test_bombs_huge_pages_and_wrong_types_are_rejected(tmp_path: Path) -> None:
    with FaultSite("127.0.0.1", links=(*GOOD, 30, 31, 32, 33, 34, 35, 36, 37)) as site:
        site.faults.update(
            {
                "/bai-30.html": bomb("gzip"),
                "/bai-31.html": bomb("deflate"),
                "/bai-32.html": bomb("br"),
                "/bai-33.html": chunked_stream(50 * MIB),
                "/bai-34.html": reply(200, b"%PDF-1.4\n" + b"0" * 5000, {"Content-Type": "application/pdf"}),
                "/bai-35.html": reply(200, b"\x89PNG\r\n" + b"0" * 5000, {"Content-Type": "image/png"}),
                "/bai-36.html": html(200, b"<html><body><h1>Access denied</h1><p>CAPTCHA</p></body></html>"),
                "/bai-37.html": html(200, b""),
            }
        )
        report = crawl(site, tmp_path)
    assert report.ok, report.log_tail
    assert 0 < report.counts["peak_rss_mb"] < 300
    figure("peak memory under the bomb (MB)", report.counts["peak_rss_mb"])
    urls, errors = stored(tmp_path / "archive.db")
    assert urls == ["bai-1.html", "bai-2.html"]
    text_of_errors = " ".join(errors)
    for category in ("decompression_cap", "too_large", "wrong_type"):
        assert f"failure {category}" in text_of_errors, (category, errors)


@pytest.mark.parametrize(
    ("robots", "fetched"), [(text(404, b"no"), True), (text(500, b"oops"), False), (stall(60), False)]
)
def test_robots_404_allows_and_5xx_or_timeout_disallows(tmp_path: Path, robots: object, fetched: bool) -> None:
    with FaultSite("127.0.0.1", links=GOOD) as site:
        site.robots = robots  # type: ignore[assignment]
        crawl(site, tmp_path)
        paths = site.paths()
    assert ("/bai-1.html" in paths) == fetched
    assert ("/" in paths) == fetched


def test_a_host_that_does_not_resolve_fails_as_dns_quickly_and_other_sites_are_unaffected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(TESTS_DIR))  # the crawl process loads fakedns.HostsResolver
    lookups = tmp_path / "lookups.log"
    overrides = {**FAST, **hosts_overrides({"tin-tuc.provnews.test": "127.0.0.1"}, lookups)}
    db, seeds = tmp_path / "archive.db", tmp_path / "seeds"
    with FaultSite("127.0.0.1", links=GOOD) as site:
        port = site.server_address[1]
        write_seed(seeds, f"http://khong-ton-tai.provnews.invalid:{port}", site_id="unresolvable")
        write_seed(seeds, f"http://tin-tuc.provnews.test:{port}", site_id="resolvable")
        started = time.monotonic()
        failed = run_crawl("unresolvable", seeds=seeds, db=db, overrides=overrides, timeout=120)
        seconds = time.monotonic() - started
        fine = run_crawl("resolvable", seeds=seeds, db=db, overrides=overrides, timeout=120)
        paths = site.paths()
    assert failed.outcome == "failed" and seconds < 30, (failed.outcome, seconds)
    conn = sqlite3.connect(db)
    try:
        rows = dict(conn.execute("select site, errors from crawls"))
        urls = [u for (u,) in conn.execute("select url from articles where site = 'resolvable' order by url")]
        (lost,) = conn.execute("select count(*) from articles where site = 'unresolvable'").fetchone()
    finally:
        conn.close()
    errors = json.loads(rows["unresolvable"])
    assert any(e.startswith("failure dns: CannotResolveHostError") for e in errors), errors
    assert "no start page could be read" in errors and lost == 0
    # The other site, crawled next into the same archive by name, is untouched by it.
    assert fine.ok, fine.log_tail
    assert json.loads(rows["resolvable"]) == []
    assert urls == [f"http://tin-tuc.provnews.test:{port}/bai-{n}.html" for n in GOOD]
    assert paths.count("/") == 1  # the unresolvable site never reached the server
    assert not lookups.exists(), lookups.read_text()  # nothing asked the system resolver
