"""Errors of the crawler package.

::

    CrawlerError
     ├── SeedError          a seed file is missing, unreadable or invalid
     └── ExtractionError    a page could not be turned into an article

Every message names the place (file, key or URL) and, where there is one, the fix.
"""

from __future__ import annotations


class CrawlerError(Exception):
    """Base of every error raised by :mod:`crawler`."""


class SeedError(CrawlerError):
    """A seed file is missing, unreadable or holds a bad value."""


class ExtractionError(CrawlerError):
    """A page could not be turned into an article."""
