"""Benchmark: provnews against plain trafilatura on real Vietnamese pages kept in public repositories.

    .venv/bin/python bench/realpages.py [--pages DIR] [--manifest FILE] [--json]

``bench/realpages/manifest.toml`` lists each page by (repository, commit, path, sha256) with
gold written by hand: the verdict (``article`` or ``listing``), the title, the publication
date (with the time when the page prints one, ``+07:00``), the byline, the credited source,
the first and last words of the body, and snippets visible on the page that are not body
text (captions, related titles, menus, comments, the footer). The pages themselves are
never copied into this repository: they are read with ``git show <commit>:<path>`` from
clones under DIR (``--pages``, else ``$PROVNEWS_REALPAGES``), in either layout:

    DIR/<owner>+<name>     a bare git directory, or a directory holding one (``.git``, ``repo``)
    DIR/<owner>/<name>     a normal clone (``git clone https://github.com/<owner>/<name>``)

Clone with full history (no ``--depth``): several pages live in old commits. The bytes are
checked against ``sha256``; a path ending in ``.gz`` is gunzipped after the check. A page
that cannot be loaded is reported, counted and skipped.

Each page is read by provnews (``read_page``: ``reason is None`` means accepted as an
article) and by the installed trafilatura (``bare_extraction(with_metadata=True,
include_comments=False)``: accepted means non-empty text). Scores, per field, on what
each tool read whatever its verdict: ``accepted`` (articles accepted, listings rejected;
the only field scored on listings), ``title`` (equal after NFC and whitespace
normalisation), ``published day`` (first 10 characters), ``published time`` (same instant
to the minute, only where the gold has a time: trafilatura gives dates alone and scores 0
there), ``author`` and ``source`` (pages that print one; equal ignoring case and spacing;
trafilatura has no credited-source field), ``body start`` and ``body end`` (the gold
snippet is in the text after whitespace normalisation), ``boilerplate out`` (no
``not_in_text`` snippet in the text). Prints a table, then one line per page naming the
fields each tool missed; ``--json`` prints every value instead. Exits 0.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import trafilatura  # noqa: E402

try:
    from crawler.extract.article import parse_html, read_page  # noqa: E402
except ImportError:  # the layout before crawler/extract/
    from crawler.extraction import parse_html, read_page  # type: ignore[no-redef]  # noqa: E402

MANIFEST = PROJECT / "bench" / "realpages" / "manifest.toml"
FIELDS = tuple(
    "accepted,title,published day,published time,author,source,body start,body end,boilerplate out".split(",")
)
TOOLS = ("provnews", "trafilatura")
VIETNAM = timezone(timedelta(hours=7))


def norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def git_dir(root: Path, repo: str) -> Path | None:
    """The git directory of ``repo`` under ``root``, in either layout of the module docstring."""
    owner, name = repo.split("/", 1)
    for base in (root / f"{owner}+{name}", root / owner / name):
        if not base.is_dir():
            continue
        for candidate in (base, base / ".git", base / "repo", *sorted(p for p in base.iterdir() if p.is_dir())):
            if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
                return candidate
    return None


def load(root: Path, page: dict[str, Any]) -> bytes:
    """The page's bytes, checked; raises ``LookupError`` with the reason it cannot be had."""
    where = git_dir(root, page["repo"])
    if where is None:
        raise LookupError(f"no clone of {page['repo']} under {root}")
    shown = subprocess.run(
        ["git", f"--git-dir={where}", "show", f"{page['commit']}:{page['path']}"], capture_output=True, check=False
    )
    if shown.returncode:
        raise LookupError(f"git show failed: {shown.stderr.decode(errors='replace').strip()[:200]}")
    if hashlib.sha256(shown.stdout).hexdigest() != page["sha256"]:
        raise LookupError("sha256 differs from the manifest")
    return gzip.decompress(shown.stdout) if page["path"].endswith(".gz") else shown.stdout


@dataclass
class Read:
    accepted: bool
    title: str | None = None
    published: str | None = None
    author: str | None = None
    source: str | None = None
    text: str = ""
    note: str = ""


def read_provnews(body: bytes, url: str) -> Read:
    reading = read_page(body, url)
    got = reading.article
    note = reading.reason or ""
    if got is None:
        return Read(False, note=note)
    return Read(reading.reason is None, got.title, got.published, got.author, got.source, got.text, note)


def read_trafilatura(body: bytes, url: str) -> Read:
    doc = trafilatura.bare_extraction(body, url=url or None, with_metadata=True, include_comments=False)
    text: str = getattr(doc, "text", None) or ""
    title, date, author = (getattr(doc, name, None) for name in ("title", "date", "author"))
    return Read(bool(text.strip()), title, date, author, None, text)


def instant(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=VIETNAM)


def leaks(page: dict[str, Any], got: Read) -> list[str]:
    """The ``not_in_text`` snippets found in the text the tool read."""
    text = norm(got.text)
    return [s for s in page.get("not_in_text", []) if norm(s) in text]


def score(page: dict[str, Any], got: Read) -> dict[str, bool]:
    """The fields this page scores, each True when the tool got it right."""
    article = page["verdict"] == "article"
    result = {"accepted": got.accepted == article}
    if not article:
        return result
    text = norm(got.text)
    if page.get("title"):
        result["title"] = norm(got.title) == norm(page["title"])
    gold = page.get("published", "")
    if gold:
        result["published day"] = (got.published or "")[:10] == gold[:10]
    if "T" in gold:
        mine, theirs = instant(gold), instant(got.published or "") if "T" in (got.published or "") else None
        result["published time"] = bool(mine and theirs and abs(mine - theirs) < timedelta(minutes=1))
    for name in ("author", "source"):
        if page.get(name):
            result[name] = norm(getattr(got, name)).casefold() == norm(page[name]).casefold()
    if page.get("body_start"):
        result["body start"] = norm(page["body_start"]) in text
    if page.get("body_end"):
        result["body end"] = norm(page["body_end"]) in text
    if page.get("not_in_text"):
        result["boilerplate out"] = not leaks(page, got)
    return result


def gold_problems(body: bytes, page: dict[str, Any]) -> list[str]:
    """Gold snippets that the page's visible text does not hold (a typo in the manifest)."""
    tree = parse_html(body)
    for junk in tree.xpath("//script|//style|//noscript"):
        junk.drop_tree()
    for block in tree.iter("p", "div", "li", "td", "br", "h1", "h2", "h3", "h4", "figcaption", "tr", "table"):
        block.tail = "\n" + (block.tail or "")
    visible = norm(tree.text_content())
    snippets = [page.get(name, "") for name in ("title", "body_start", "body_end")] + page.get("not_in_text", [])
    return [s for s in snippets if s and norm(s) not in visible]


@dataclass
class Tally:
    scored: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    right: dict[str, dict[str, int]] = field(default_factory=lambda: {t: dict.fromkeys(FIELDS, 0) for t in TOOLS})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pages",
        type=Path,
        default=os.environ.get("PROVNEWS_REALPAGES"),
        help="folder of the repositories' clones (default: $PROVNEWS_REALPAGES)",
    )
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    args = parser.parse_args(argv)
    if args.pages is None:
        parser.error("give --pages DIR or set PROVNEWS_REALPAGES (see the module docstring)")
    pages = tomllib.loads(args.manifest.read_text(encoding="utf-8"))["page"]
    tally, rows, missing = Tally(), [], []
    for page in pages:
        try:
            body = load(args.pages, page)
        except (LookupError, OSError, gzip.BadGzipFile) as error:
            missing.append({"id": page["id"], "error": str(error)})
            continue
        url = page.get("url", "")
        reads = {"provnews": read_provnews(body, url), "trafilatura": read_trafilatura(body, url)}
        row: dict[str, Any] = {"id": page["id"], "gold_problems": gold_problems(body, page)}
        for tool, got in reads.items():
            scores = score(page, got)
            row[tool] = {
                "read": got.__dict__ | {"text": got.text[:300]},
                "leaked": leaks(page, got),
                "missed": [f for f, ok in scores.items() if not ok],
            }
            for name, ok in scores.items():
                tally.right[tool][name] += ok
        for name in score(page, reads["provnews"]):
            tally.scored[name] += 1
        rows.append(row)
    if args.json:
        fields = {f: {"pages": tally.scored[f]} | {t: tally.right[t][f] for t in TOOLS} for f in FIELDS}
        print(json.dumps({"fields": fields, "pages": rows, "not_loaded": missing}, ensure_ascii=False, indent=1))
        return 0
    print(f"{'field':<16} | {'pages':>5} | {'provnews':>9} | {'trafilatura':>11}")
    for name in FIELDS:
        n = tally.scored[name]
        ours, theirs = tally.right["provnews"][name], tally.right["trafilatura"][name]
        print(f"{name:<16} | {n:>5} | {ours:>4}/{n:<4} | {theirs:>6}/{n:<4}")
    print(f"\n{len(rows)} pages read, {len(missing)} not loaded")
    for gone in missing:
        print(f"  not loaded: {gone['id']}: {gone['error']}")
    print()
    for row in rows:
        parts = [f"{tool}: {', '.join(row[tool]['missed']) or '-'}" for tool in TOOLS]
        note = row["provnews"]["read"]["note"]
        print(f"{row['id']:<40} " + " | ".join(parts) + (f"  [provnews: {note}]" if note else ""))
        if row["gold_problems"]:
            print(f"{'':<40} gold not found in the page: {row['gold_problems']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
