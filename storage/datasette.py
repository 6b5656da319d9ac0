"""How Datasette shows the archive: metadata, canned queries, and the read-only server.

Datasette 0.65 reads metadata only from a file given with ``-m``; ``provnews serve``
writes ``metadata(name)`` to a temporary file and runs::

    python -m datasette serve archive.db -m METADATA.json --host 127.0.0.1 --port 8001 \\
        --setting sql_time_limit_ms 1000

A plain ``datasette archive.db`` (no metadata) still finds ``articles_fts`` and shows
the search box on ``articles``; ``provnews serve --print-metadata > metadata.json`` gives
it the rest. Datasette opens a file it was not told is immutable with ``mode=ro`` and
runs only read-only SQL; no ``-i`` (the file is live while crawls write to it), no
``--cors``, no plugins that render HTML: archived text is always shown escaped.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

from storage.queries import QUERIES
from storage.schema_docs import DATABASE_DESCRIPTION, TABLES

logger = logging.getLogger(__name__)

TITLE = "provnews: an archive of Vietnamese provincial news"
DESCRIPTION = (
    "News of Vietnamese provincial portals, agency portals and provincial newspapers, "
    "archived with every earlier version of each article and the raw pages it was read "
    "from. Search ignores diacritics (đ included): try 'dan van' or 'da nang' in the search "
    "box of articles, or the canned queries below."
)
LICENSE = "Article texts and pictures: © their publishers (see each article's url and source)"
SOURCE = "The sites listed in the sites table, crawled by provnews"
SETTINGS = {"sql_time_limit_ms": "1000"}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
_STOP_WAIT = 20.0


def database_name(db: Path) -> str:
    """The name Datasette gives the file: its stem (``archive.db`` → ``archive``)."""
    return Path(db).stem


def metadata(database: str = "archive") -> dict[str, Any]:
    """Datasette metadata for an archive served under the name ``database``."""
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "license": LICENSE,
        "source": SOURCE,
        "databases": {
            database: {
                "description": DATABASE_DESCRIPTION,
                "license": LICENSE,
                "source": SOURCE,
                "tables": TABLES,
                "queries": QUERIES,
            }
        },
    }


def metadata_json(db: Path) -> str:
    """``metadata()`` for the file ``db`` as JSON text, for ``datasette DB -m FILE``."""
    return json.dumps(metadata(database_name(db)), ensure_ascii=False, indent=2)


def datasette_command(db: Path, metadata_file: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The ``datasette serve`` command line: read-only, mutable (never ``-i``), time-limited."""
    command = [sys.executable, "-m", "datasette", "serve", str(db), "-m", str(metadata_file)]
    command += ["--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, value]
    return command


def serve(db: Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette on ``db`` until it stops or this process is told to; its exit status.

    SIGTERM and Ctrl-C are passed on to Datasette and waited for, so stopping the
    wrapper never leaves a server behind; the metadata file is removed afterwards.
    """
    if host not in LOCAL_HOSTS:
        logger.warning("serving %s on %s: anyone who can reach this address can read the archive", db, host)
    with tempfile.TemporaryDirectory(prefix="provnews-datasette-") as folder:
        metadata_file = Path(folder) / "metadata.json"
        metadata_file.write_text(metadata_json(db), encoding="utf-8")
        process = subprocess.Popen(datasette_command(db, metadata_file, host, port))

        def stop(signum: int, frame: FrameType | None) -> None:
            process.terminate()

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            return _wait(process)
        finally:
            signal.signal(signal.SIGTERM, previous)
            _end(process)


def _wait(process: subprocess.Popen[bytes]) -> int:
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:  # Ctrl-C reached Datasette too: let it finish
            process.terminate()


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=_STOP_WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
