"""The history of one article: its versions, oldest first, and readable diffs between them.

::

    with Archive("archive.db") as archive:
        history = article_history(archive, "https://example.vn/tin/123.html")  # or "123"
    print("\\n".join(render_history(history)))

A text diff shows one sentence per line (paragraphs are long: a changed word should
not repeat the whole paragraph), with an empty line between paragraphs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from storage.archive import Archive
from storage.errors import ArchiveError

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)")
_FIELDS = ("published", "author", "source")
_CONTEXT_LINES = 1


@dataclass(frozen=True)
class Version:
    """One state of an article: ``valid_until`` is None for the current one."""

    number: int
    title: str
    text: str
    published: str | None
    author: str | None
    source: str | None
    valid_from: str | None
    valid_until: str | None


@dataclass(frozen=True)
class ArticleHistory:
    """Every archived state of one article, oldest first; the last one is current."""

    id: int
    site: str
    url: str
    gone_since: str | None
    versions: tuple[Version, ...]


def article_history(archive: Archive, ref: str) -> ArticleHistory:
    """The versions of the article whose id or URL is ``ref``; ``ArchiveError`` if there is none."""
    current = archive.find_article(ref)
    if current is None:
        raise ArchiveError(f"{archive.path}: no article with id or URL {ref!r}; find one with: provnews search WORDS")
    earlier = [_version(row, row["valid_until"]) for row in archive.versions(current["id"])]
    now = _version({**current, "valid_from": current["last_changed"]}, None)
    return ArticleHistory(current["id"], current["site"], current["url"], current["gone_since"], (*earlier, now))


def _version(row: dict[str, Any], valid_until: str | None) -> Version:
    return Version(
        number=int(row["version"] or 1),
        title=row["title"] or "",
        text=row["text"] or "",
        published=row["published"],
        author=row["author"],
        source=row["source"],
        valid_from=row["valid_from"],
        valid_until=valid_until,
    )


def render_history(history: ArticleHistory) -> Iterator[str]:
    """The lines of a readable history: a summary per version, then a diff per change."""
    count = len(history.versions)
    yield f"article {history.id} ({history.site}), {count} version{'s' if count != 1 else ''}"
    yield history.url
    if history.gone_since:
        yield f"gone from its site since {history.gone_since}"
    for version in history.versions:
        until = version.valid_until or "now (current)"
        yield f"  v{version.number}  {version.valid_from or '?'} … {until}  {version.title}"
    if count == 1:
        yield "no earlier version: the article has not changed since it was first archived"
    for before, after in zip(history.versions, history.versions[1:], strict=False):
        yield ""
        yield from diff_versions(before, after)


def diff_versions(before: Version, after: Version) -> Iterator[str]:
    """A unified diff of two versions: changed fields, the title, then the text by sentence."""
    yield f"=== v{before.number} → v{after.number} (changed {before.valid_until or '?'})"
    for name in _FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            yield f"{name}: {old or '(none)'} → {new or '(none)'}"
    yield from _unified([before.title], [after.title], f"v{before.number} title", f"v{after.number} title")
    yield from _unified(
        sentences(before.text), sentences(after.text), f"v{before.number} text", f"v{after.number} text"
    )


def _unified(old: list[str], new: list[str], old_name: str, new_name: str) -> Iterator[str]:
    yield from difflib.unified_diff(old, new, old_name, new_name, n=_CONTEXT_LINES, lineterm="")


def sentences(text: str) -> list[str]:
    """The text as lines to diff: one sentence a line, an empty line between paragraphs."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            continue
        if lines:
            lines.append("")
        lines.extend(_SENTENCE_END.split(paragraph.strip()))
    return lines
