"""`provnews serve`: Datasette really started on 127.0.0.1 over a crawled archive."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.demo.mirror import MirrorServer
from scheduler.runner import run_crawl

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def served(mirror: MirrorServer, seeds_dir: Path, db_path: Path) -> Iterator[str]:
    assert run_crawl("langson-mirror", seeds=seeds_dir, db=db_path, timeout=120).ok
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler.cli", "serve", "--db", str(db_path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("datasette did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stderr:
            process.stderr.close()


def test_datasette_serves_the_archive_with_diacritic_free_search(served: str) -> None:
    status, _ = get(served + "/")
    assert status == 200
    status, body = get(served + "/archive/articles.json?_search=dan+van&_shape=array")
    assert status == 200
    titles = [row["title"] for row in json.loads(body)]
    assert "Hội nghị chuyên đề nâng cao hiệu quả công tác dân vận tại Đảng ủy khối các cơ quan tỉnh" in titles
    status, body = get(served + "/archive/articles?_search=dan+van")
    assert status == 200 and b'name="_search"' in body


def test_datasette_refuses_writes(served: str) -> None:
    status, body = get(served + "/archive.json?sql=delete+from+articles")
    assert status == 400
    status, body = get(served + "/archive.json?sql=select+count(*)+as+n+from+articles&_shape=array")
    assert status == 200 and json.loads(body)[0]["n"] > 0
