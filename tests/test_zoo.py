"""The template zoo itself (tests/zoo/): every family is a real site a crawler can read.

For every variant of every family, rendered in process at a fixed base URL: each gold
article answers 200 and shows its title and every paragraph; the listings, the non-article
pages and the feeds it names exist; every article is reachable from the home page by
links (an ``href``, or a URL in a ``data-*`` attribute for pages that load their lists);
day 2 adds, edits and deletes; the family says where its structure comes from.
Crawls of the zoo are scored in ``tests/test_zoo_crawl.py``.
"""

from __future__ import annotations

import html as html_lib
import re
import sys
from collections import deque
from datetime import date
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from zoo import FixtureSite, families, zoo_sites

from crawler.extract.encoding import decode_html
from scheduler.demo.mirror import Page, find_page

BASE = "http://zoo.test"
TODAY = date(2026, 11, 28)
SITES = {site.id: site for site in zoo_sites(TODAY)}
URL_ATTRIBUTE = re.compile(r"^(?:/|https?://zoo\.test/)[^\s\"'<>]*$")


class Rendered:
    """One site on one day, answered the way MirrorServer answers (redirects followed)."""

    def __init__(self, site: FixtureSite, day: int) -> None:
        self.site = site
        self.pages, self.not_found = site.render(day)(BASE)

    def get(self, target: str) -> tuple[int, Page]:
        for _ in range(6):
            page = find_page(self.pages, target)
            if page is None:
                return 404, self.not_found
            if page.status in (301, 302, 303, 307, 308):
                target = _path(dict(page.headers)["Location"], BASE + target) or "/"
                continue
            return page.status, page
        raise AssertionError(f"{self.site.id}: redirect loop at {target}")

    def text(self, target: str) -> str:
        status, page = self.get(target)
        assert status == 200, (self.site.id, target, status)
        return decode_html(page.body, page.content_type)


def _path(url: str, page_url: str) -> str | None:
    parts = urlsplit(urljoin(page_url, url))
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(BASE).netloc:
        return None
    return (parts.path or "/") + ("?" + parts.query if parts.query else "")


def _flat(text: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def _links(text: str, page_url: str) -> set[str]:
    """Same-site paths a page points to: hrefs, and URLs held by data-* attributes."""
    tree = lxml.html.fromstring(text)
    found = set()
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name == "href" or (name.startswith("data-") and URL_ATTRIBUTE.match(value.strip())):
                path = _path(value.strip().split("#")[0], page_url)
                if path is not None:
                    found.add(path)
    return found


@pytest.fixture(scope="module", params=sorted(SITES))
def rendered(request: pytest.FixtureRequest) -> Rendered:
    return Rendered(SITES[request.param], 1)


def test_every_family_has_variants_an_origin_and_its_own_module() -> None:
    found = families()
    assert len(found) >= 4
    for name, family in found.items():
        assert len(family.variants) >= 2 or name in ("agency", "newspaper", "sharepoint", "wordpress"), name
        assert family.origin or sys.modules[family.__module__].__doc__, name


def test_each_article_shows_its_title_and_paragraphs(rendered: Rendered) -> None:
    for gold in rendered.site.gold(1):
        page = _flat(rendered.text(gold.path))
        assert " ".join(gold.title.split()) in page, (rendered.site.id, gold.path)
        for paragraph in gold.text.split("\n"):
            assert " ".join(paragraph.split()) in page, (rendered.site.id, gold.path, paragraph[:60])


def test_listings_non_articles_and_feeds_exist(rendered: Rendered) -> None:
    site = rendered.site
    for target in (site.home_path, *site.listing_paths, *site.non_article_paths, *site.feed_paths):
        status, _ = rendered.get(target)
        assert status == 200, (site.id, target, status)


def test_every_article_is_reachable_from_home(rendered: Rendered) -> None:
    site = rendered.site
    seen, queue = {site.home_path}, deque([site.home_path])
    while queue and len(seen) < 3000:
        target = queue.popleft()
        status, page = rendered.get(target)
        if status != 200 or not page.content_type.startswith("text/html"):
            continue
        for path in _links(decode_html(page.body, page.content_type), BASE + target):
            if path not in seen and not any(re.search(p, path) for p in site.trap_patterns):
                seen.add(path)
                queue.append(path)
    reached = {_flat_target(p) for p in seen}
    missing = [g.path for g in site.gold(1) if _flat_target(g.path) not in reached]
    assert not missing, (site.id, missing[:5])


def _flat_target(target: str) -> str:
    return target.casefold()


@pytest.mark.parametrize("site_id", sorted(SITES))
def test_day_two_adds_edits_and_deletes(site_id: str) -> None:
    site = SITES[site_id]
    day1, day2 = Rendered(site, 1), Rendered(site, 2)
    for path in site.new_paths:
        assert day2.get(path)[0] == 200, (site_id, path)
        assert path not in {g.path for g in site.gold(1)}
    assert day2.get(site.deleted_path)[0] == site.deleted_status
    assert day1.text(site.edited_path) != day2.text(site.edited_path)


def test_variants_of_a_family_differ() -> None:
    by_family: dict[str, list[FixtureSite]] = {}
    for site in SITES.values():
        by_family.setdefault(site.family, []).append(site)
    for name, variants in by_family.items():
        articles = {Rendered(v, 1).get(v.gold(1)[0].path)[1].body for v in variants}
        assert len(articles) == len(variants), name
