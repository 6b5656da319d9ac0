"""Archives built by a real crawl of the offline mirror, for the query tests, plus hostile input.

``crawled_archive(folder)`` serves the mirror on 127.0.0.1, crawls it in a child process
(as ``provnews crawl`` does) and returns the archive's path; ``edit_article`` stores a
second version of an archived article through ``Archive.save_article``.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from scheduler.demo.mirror import MirrorServer
from scheduler.runner import run_crawl
from storage.archive import Archive
from storage.records import Article

MIRROR_DIR = Path(__file__).parent.parent / "seeds" / "mirror"
SITE = "langson-mirror"
SEED_TITLE = "Hội nghị chuyên đề nâng cao hiệu quả công tác dân vận tại Đảng ủy khối các cơ quan tỉnh"
EDITED_SENTENCE = "Bài viết đã được cập nhật: hội nghị kéo dài thêm một ngày tại Đồng Đăng."

# 50 search strings that must never produce a traceback or an HTTP 500.
HOSTILE_QUERIES = [
    '"', '""', '"""', "'", "''", "NOT", "AND", "OR", "NEAR", "NEAR(a b, 2)", "*", "a*", "^a", "-a", "+a",
    "(", ")", "()", "{", "}", "[", "]", ":", "title:dân", "text: vận", "col:", "a OR b NOT c",
    "Lạng Sơn\"", "tỉnh-ủy", "') OR 1=1--", "'; DROP TABLE articles; --", "1; DELETE FROM articles",
    "%", "_", "\\", "\\\"", "\x00", "\t\n", "   ", "đ", "Đ" * 300, "ạ" * 10_000, "dân vận " * 300,
    "<script>alert(1)</script>", "\" OR \"\"=\"", "@@version", "${7*7}", "‮gnp.exe", "😀 Đà Nẵng", "a\u0323b",
]  # fmt: skip


def write_seeds(folder: Path, mirror_url: str) -> Path:
    seeds = folder / "seeds"
    seeds.mkdir(exist_ok=True)
    (seeds / f"{SITE}.toml").write_text(
        f'name = "Đảng ủy Khối các cơ quan tỉnh Lạng Sơn (offline mirror)"\n'
        f'start_urls = ["{mirror_url}/"]\ndownload_delay = 0.0\nautothrottle = false\n',
        encoding="utf-8",
    )
    return seeds


def crawled_archive(folder: Path) -> Path:
    """An archive of the whole offline mirror, built by a real crawl."""
    db = folder / "archive.db"
    with MirrorServer(MIRROR_DIR, port=0) as mirror:
        report = run_crawl(SITE, seeds=write_seeds(folder, mirror.url), db=db, timeout=120)
    assert report.ok, report.log_tail
    return db


def seed_article(db: Path) -> dict:
    with Archive(db) as archive:
        (row,) = archive.db.execute("SELECT id, url FROM articles WHERE title = ?", [SEED_TITLE]).fetchall()
    return {"id": row[0], "url": row[1]}


def edit_article(db: Path, url: str, *, title: str | None = None) -> None:
    """Store a new version of the article at ``url``: one sentence added, maybe a new title."""
    with Archive(db) as archive:
        row = archive.article(url)
        assert row is not None
        paragraphs = row["text"].split("\n")
        paragraphs[1] = paragraphs[1] + " " + EDITED_SENTENCE
        edited = Article(
            url=url,
            title=title or row["title"],
            text="\n".join(paragraphs),
            published=row["published"],
            author=row["author"],
            source=row["source"],
        )
        assert archive.save_article(row["site"], edited).outcome == "changed"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def port_is_closed(port: int, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            return True
        time.sleep(0.1)
    return False


def http(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def raw_get(url: str) -> tuple[int, bytes]:
    """GET over a bare socket (HTTP/1.0): the status and body even when a response header is
    longer than ``http.client`` accepts (Datasette repeats a 10,000-character query in ``Link``)."""
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname == "127.0.0.1" and parts.port is not None
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    with socket.create_connection(("127.0.0.1", parts.port), timeout=30) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode("ascii"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body
