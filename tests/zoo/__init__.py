"""The template zoo: Vietnamese provincial news sites as their CMSs render them, with gold answers.

Each family (``tests/zoo/families/<name>.py``, data and templates in
``tests/fixtures/zoo/<name>/``) is one CMS as provincial bodies run it, in at least two
variants; :func:`zoo_sites` builds them all, :class:`FixtureWeb` serves them on
127.0.0.1, :func:`fixture_sites` gives the four sites most tests crawl. Stories come from
:mod:`zoo.stories`, shared helpers from :mod:`zoo.family`.
"""

from zoo.family import Family, FixtureSite, GoldArticle
from zoo.stories import VN, SiteState, Story, slugify
from zoo.web import (
    FixtureWeb,
    age_archive,
    families,
    fixture_sites,
    vietnam_today,
    write_minimal_seeds,
    zoo_sites,
)

__all__ = [
    "VN",
    "Family",
    "FixtureSite",
    "FixtureWeb",
    "GoldArticle",
    "SiteState",
    "Story",
    "age_archive",
    "families",
    "fixture_sites",
    "slugify",
    "vietnam_today",
    "write_minimal_seeds",
    "zoo_sites",
]
