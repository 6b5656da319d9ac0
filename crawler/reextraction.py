"""Re-extraction: run the current extractor over the archive's stored raw pages.

Nothing is fetched. Each article is read again from the page its current version came
from (``articles.page``), under its archived (canonical) URL; when the result differs
from what is stored (title, text, published, author or source: the content hash), the
archive stores it as a new version, the earlier one kept in ``article_versions`` with
the extractor version that produced it. An article the extractor no longer reads as an
article is left as it is (nothing archived is ever deleted) and counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from crawler.extract.article import EXTRACTOR_VERSION, extract_article
from storage.archive import Archive
from storage.text import content_hash

logger = logging.getLogger(__name__)

Event = dict[str, Any]


@dataclass(frozen=True)
class ReextractReport:
    """What one re-extraction did."""

    read: int = 0
    changed: int = 0
    unchanged: int = 0
    not_articles: int = 0
    extractor_version: str = EXTRACTOR_VERSION


def reextract(
    archive: Archive, site_ids: Sequence[str] = (), on_event: Callable[[Event], None] | None = None
) -> ReextractReport:
    """Re-extract the stored articles of ``site_ids`` (all sites when empty).

    ``on_event`` receives one event per article: ``{"event": "article", "outcome":
    "changed" | "unchanged" | "not-article", "id", "site", "url", "title", "published",
    "done"}`` (``done`` counts the articles read so far).
    """
    counts = {"changed": 0, "unchanged": 0, "not-article": 0}
    read = 0
    for row in archive.article_pages(site_ids):
        read += 1
        article = extract_article(row["body"], row["page_url"], row["content_type"])
        if article is None:
            outcome = "not-article"
            logger.warning("%s: the extractor no longer reads it as an article; kept as stored", row["url"])
        else:
            article = replace(article, url=row["url"])
            if content_hash(article) == row["content_hash"]:
                outcome = "unchanged"
            else:
                result = archive.save_article(
                    row["site"], article, page_id=row["page"], etag=row["etag"], last_modified=row["last_modified"]
                )
                outcome = "changed" if result.outcome == "changed" else "unchanged"
        counts[outcome] += 1
        if on_event:
            on_event(
                {
                    "event": "article",
                    "outcome": outcome,
                    "id": row["id"],
                    "site": row["site"],
                    "url": row["url"],
                    "title": article.title if article else None,
                    "published": article.published if article else None,
                    "done": read,
                }
            )
    logger.info("re-extracted %d articles: %d changed", read, counts["changed"])
    return ReextractReport(read, counts["changed"], counts["unchanged"], counts["not-article"])
