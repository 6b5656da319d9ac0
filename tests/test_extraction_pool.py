"""Pages are read in worker processes under a hard time limit (RELIABILITY.md C5).

A crawl of a fault site serving pathological pages beside good articles: each page is
read, or marked ``extract_failed`` with its raw bytes kept; nothing is silently cut.
Then the pool on its own: a page over the limit costs its worker, a worker killed from
outside costs only its page, a worker that grew too big is replaced, closing ends them, and
no worker outlives the process that owns the pool, even one killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from faultserver import FaultSite, article_html, crawl, figure, html

import crawler.pool
from crawler.extract.article import extract_article
from crawler.extract.page import PageRead
from crawler.pool import ExtractionFailed, ExtractionPool, ExtractionTimeout
from storage.archive import Archive

HTML = "text/html; charset=utf-8"
GOOD = (1, 2)


def slow_page() -> bytes:
    """An article-looking page of 100,000 paragraphs: tens of seconds to read on this machine's cores."""
    paragraphs = "<p>Tin tức tỉnh Lạng Sơn hôm nay.</p>" * 100_000
    return article_html(40, extra=paragraphs)


def nested(n: int, depth: int) -> bytes:
    """Article ``n`` with its body ``depth`` elements deep: libxml2's default parser drops what lies below 256."""
    page = article_html(n).decode()
    page = page.replace('<div class="content">', '<div class="content">' + "<div>" * depth, 1)
    return page.replace("</div></article>", "</div>" * depth + "</div></article>").encode()


def with_inline_script(n: int, megabytes: int) -> bytes:
    script = b"<script>var x = [" + b"1," * (megabytes * 512 * 1024) + b"0];</script>"
    return article_html(n).replace(b"</head>", script + b"</head>", 1)


def unclosed(n: int) -> bytes:
    return article_html(n).replace(b"</p>", b"").replace(b"</div>", b"").replace(b"</article></body></html>", b"")


def truncated(n: int) -> bytes:
    page = article_html(n)
    return page[: page.rindex(b"</p>") - 20]


def stored_pages(db: Path) -> dict[str, dict[str, object]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT id, url, extract_error FROM pages").fetchall()
    finally:
        conn.close()
    return {str(row["url"]).rsplit("/", 1)[1]: dict(row) for row in rows}


def articles(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    try:
        return {url.rsplit("/", 1)[1]: text for url, text in conn.execute("SELECT url, text FROM articles")}
    finally:
        conn.close()


@pytest.mark.slow
def test_pathological_pages_finish_or_fail_within_the_time_limit(tmp_path: Path) -> None:
    pages = {
        "/bai-40.html": slow_page(),
        "/bai-41.html": nested(41, 300),
        "/bai-42.html": unclosed(42),
        "/bai-43.html": with_inline_script(43, 8),  # 8 MiB: a 20 MiB page is refused by size first (C2)
        "/bai-44.html": truncated(44),
    }
    with FaultSite("127.0.0.1", links=(*GOOD, 40, 41, 42, 43, 44)) as site:
        site.faults.update({path: html(200, body) for path, body in pages.items()})
        started = time.monotonic()
        report = crawl(site, tmp_path, {"PROVNEWS_EXTRACT_TIMEOUT": "3"})
        seconds = time.monotonic() - started
    assert report.ok, report.log_tail
    figure("seconds to crawl past a page that reads for tens of seconds", round(seconds, 1))
    db = tmp_path / "archive.db"
    kept, archived = stored_pages(db), articles(db)
    # the page over the limit: not an article, its raw bytes kept and marked with the reason
    assert "bai-40.html" not in archived
    assert "3 s" in str(kept["bai-40.html"]["extract_error"])
    with Archive(db) as archive:
        assert archive.page_body(int(str(kept["bai-40.html"]["id"]))) == pages["/bai-40.html"]
        crawl_row = archive.crawl(1) or {}
    assert any(note.startswith("extract_failed: 1 page") for note in json.loads(crawl_row["notes"]))
    # the others were read in time, whole: 300 levels deep is not cut, a huge script is not text
    expected = extract_article(article_html(41), "http://x/bai-41.html", HTML)
    assert expected is not None and archived["bai-41.html"] == expected.text
    assert "var x" not in archived["bai-43.html"] and len(archived["bai-43.html"]) > 200
    assert {"bai-1.html", "bai-2.html", "bai-42.html", "bai-44.html"} <= set(archived)
    assert all(row["extract_error"] is None for name, row in kept.items() if name != "bai-40.html")


# -- the pool on its own ------------------------------------------------------------------


@pytest.fixture
def pool() -> Iterator[ExtractionPool]:
    pool = ExtractionPool(1, timeout=2.0)
    yield pool
    pool.close()


def read(pool: ExtractionPool, body: bytes, name: str = "bai-1.html") -> PageRead:
    return asyncio.run(pool.read(body, f"http://127.0.0.1/{name}", HTML))


def worker_pids() -> list[int]:
    """The running workers (the pool's are this process's only ``multiprocessing`` children)."""
    return sorted(process.pid for process in multiprocessing.active_children() if process.pid is not None)


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its reaper does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def until(condition: Callable[[], bool], within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return condition()


def test_a_page_is_read_whole_in_a_worker(pool: ExtractionPool) -> None:
    result = read(pool, article_html(1))
    assert result.reading.reason is None and result.reading.article is not None
    assert result.reading.article.title == "Hội nghị sơ kết công tác dân vận số 1"
    assert ("http://127.0.0.1/", "Trang chủ") in result.links
    assert worker_pids() and all(pid != os.getpid() for pid in worker_pids())


def test_a_page_over_the_limit_costs_its_worker_and_the_next_page_is_read() -> None:
    async def scenario() -> tuple[list[int], list[int], PageRead]:
        pool = ExtractionPool(1, timeout=2.0)
        try:
            await pool.read(article_html(1), "http://127.0.0.1/bai-1.html", HTML)
            before, started = worker_pids(), time.monotonic()
            with pytest.raises(ExtractionTimeout, match="over 2 s"):
                await pool.read(slow_page(), "http://127.0.0.1/bai-40.html", HTML)
            assert time.monotonic() - started < 4.5  # killed at once: no grace after a SIGTERM it ignores
            assert await until(lambda: len(worker_pids()) == 1)
            after = worker_pids()
            return before, after, await pool.read(article_html(2), "http://127.0.0.1/bai-2.html", HTML)
        finally:
            pool.close()

    before, after, result = asyncio.run(scenario())
    assert before != after  # killed and replaced
    assert not alive(before[0])
    assert result.reading.article is not None and result.reading.article.title.endswith("số 2")


def test_a_worker_killed_from_outside_costs_only_its_page() -> None:
    async def scenario() -> PageRead:
        pool = ExtractionPool(1, timeout=60.0)
        try:
            await pool.read(article_html(1), "http://127.0.0.1/bai-1.html", HTML)
            slow = asyncio.ensure_future(pool.read(slow_page(), "http://127.0.0.1/bai-40.html", HTML))
            await asyncio.sleep(0.5)
            os.kill(worker_pids()[0], signal.SIGKILL)  # as the out-of-memory killer would
            with pytest.raises(ExtractionFailed, match="died"):
                await slow
            return await pool.read(article_html(3), "http://127.0.0.1/bai-3.html", HTML)
        finally:
            pool.close()

    result = asyncio.run(scenario())
    assert result.reading.article is not None and result.reading.article.title.endswith("số 3")


def test_a_worker_killed_while_idle_costs_no_page() -> None:
    """Pebble gives up on a pool whose worker dies holding no page: another pool reads on."""

    async def scenario() -> list[PageRead]:
        pool = ExtractionPool(2, timeout=30.0)
        try:
            await pool.read(article_html(1), "http://127.0.0.1/bai-1.html", HTML)
            os.kill(worker_pids()[0], signal.SIGKILL)
            await asyncio.sleep(0.5)
            pages = [pool.read(article_html(n), f"http://127.0.0.1/bai-{n}.html", HTML) for n in range(2, 6)]
            return await asyncio.gather(*pages)
        finally:
            pool.close()

    assert all(result.reading.article is not None for result in asyncio.run(scenario()))


def cannot_start(crawl_pid: int) -> None:
    raise ImportError("no extraction code here")


def test_workers_that_cannot_start_leave_pages_read_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crawler.pool, "_start_worker", cannot_start)  # the workers import it from this module
    pool = ExtractionPool(1, timeout=10.0)
    try:
        result = read(pool, article_html(4))
    finally:
        pool.close()
    assert result.reading.article is not None and pool.restarts == 3 and worker_pids() == []


def test_a_twenty_megabyte_inline_script_is_read_within_the_limit() -> None:
    async def scenario() -> PageRead:
        pool = ExtractionPool(1, timeout=30.0)
        try:
            return await pool.read(with_inline_script(5, 20), "http://127.0.0.1/bai-5.html", HTML)
        finally:
            pool.close()

    result = asyncio.run(scenario())
    assert result.reading.article is not None
    assert "var x" not in result.reading.article.text and result.reading.article.title.endswith("số 5")


def test_a_worker_that_grew_past_its_memory_cap_is_replaced() -> None:
    async def scenario() -> tuple[set[int], list[PageRead], int]:
        pool = ExtractionPool(1, timeout=30.0, max_rss_mb=1)  # every worker is over 1 MB after a page
        try:
            pids, results = set(), []
            pool.start()
            for n in (1, 2, 3):
                assert await until(lambda: len(worker_pids()) == 1)
                reader = worker_pids()
                results.append(await pool.read(article_html(n), f"http://127.0.0.1/bai-{n}.html", HTML))
                assert await until(lambda: worker_pids() not in ([], reader))  # noqa: B023 - it ended after its page
                pids.update(reader)
            return pids, results, pool.restarts
        finally:
            pool.close()

    pids, results, restarts = asyncio.run(scenario())
    assert restarts == 3 and len(pids) == 3
    assert [r.reading.article.title[-4:] for r in results if r.reading.article] == ["số 1", "số 2", "số 3"]


def test_closing_the_pool_ends_its_workers() -> None:
    pool = ExtractionPool(2, timeout=10.0)
    read(pool, article_html(1))
    pids = worker_pids()
    assert len(pids) == 2
    pool.close()
    assert not any(alive(pid) for pid in pids) and worker_pids() == []


def test_no_workers_reads_inline() -> None:
    pool = ExtractionPool(0)
    result = read(pool, article_html(7))
    assert worker_pids() == [] and pool.pages_read == 1 and result.reading.article is not None


def test_started_workers_are_ready_before_the_first_page() -> None:
    """A crawl starts its pool as it opens: the workers' imports overlap robots.txt and the first fetches."""
    pool = ExtractionPool(2, timeout=10.0)

    def ready() -> list[int]:  # lxml loaded: the extraction code imported
        return [pid for pid in worker_pids() if "lxml" in Path(f"/proc/{pid}/maps").read_text()]

    async def scenario() -> tuple[int, PageRead]:
        pool.start()
        await until(lambda: len(ready()) == 2, within=30)
        return len(ready()), await pool.read(article_html(3), "http://127.0.0.1/3", HTML)

    try:
        ready_workers, result = asyncio.run(scenario())
    finally:
        pool.close()
    assert ready_workers == 2 and result.reading.article is not None


OWNER = """
import asyncio, multiprocessing, sys, time
from crawler.pool import ExtractionPool

async def main() -> None:
    pool = ExtractionPool(2, timeout=10.0)
    pool.start()
    imported = "trafilatura" in sys.modules  # reading a page imports it (to unpickle the answer), starting does not
    await pool.read(sys.stdin.buffer.read(), "http://127.0.0.1/bai-1.html", "text/html; charset=utf-8")
    print(imported, *(process.pid for process in multiprocessing.active_children()), flush=True)
    time.sleep(60)

asyncio.run(main())
"""


def test_workers_ignore_sigint_and_sigterm_and_die_with_a_process_killed_with_sigkill() -> None:
    """The pool's owner reads a page in its workers, then is killed: its workers end within 5 s."""
    with subprocess.Popen([sys.executable, "-c", OWNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE) as owner:
        assert owner.stdin is not None and owner.stdout is not None
        owner.stdin.write(article_html(1))
        owner.stdin.close()
        imported, *pids = owner.stdout.readline().split()
        assert imported == b"False"  # the workers import the extraction code, not their owner
        workers = [int(pid) for pid in pids]
        assert len(workers) == 2 and all(alive(pid) for pid in workers)
        for pid in workers:  # a crawl asked to stop finishes the pages in hand: its workers stay
            os.kill(pid, signal.SIGINT)
            os.kill(pid, signal.SIGTERM)
        time.sleep(0.5)
        assert all(alive(pid) for pid in workers)
        owner.kill()  # SIGKILL, to it alone (not its process group): no chance to close its pool
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)
