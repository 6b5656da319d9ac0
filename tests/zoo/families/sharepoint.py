"""A SharePoint portal of a provincial department (Sở).

Origin: SharePoint 2013 publishing portals of ``*.gov.vn`` departments
(``/Pages/chi-tiet-tin.aspx?ItemID=N``, listings ``?Page=N`` and ``&cur=N``, layout
tables, ``__VIEWSTATE``, no ``rel=canonical``), with links that carry session ids
(``&sid=…``, ``;jsessionid=…``) changing on every hop (a trap).
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from scheduler.mirror import GeneratedPages, Page
from zoo.family import HTML, TEXT, Family, make_page, nearest, paged, split
from zoo.stories import SiteState, Story

SESSION = "__SESSION_ID__"  # placeholder in rendered pages, replaced by a session id per request


def _session_id(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:24]


class SharePoint(Family):
    name = "sharepoint"
    variants = ("a",)
    stable_old_pages = False  # "Tin mới cập nhật" on every page
    home_path = "/"  # redirects to /Pages/default.aspx
    per_page = 5
    disallowed = ("/_layouts/",)
    traps = (r"[?&]sid=", r";jsessionid=")

    def path(self, story: Story) -> str:
        return f"/Pages/chi-tiet-tin.aspx?ItemID={story.id}"

    def published(self, story: Story) -> str:
        return story.published.date().isoformat()  # the portal shows the date only

    def listings(self) -> tuple[str, ...]:
        return tuple(c["first"] for c in self.cfg["categories"])

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        first, second = self.cfg["categories"]
        return (
            "/Pages/default.aspx",
            first["first"],
            first["page"].format(n=2),
            second["first"],
            second["page"].format(n=3),
            "/Pages/gioi-thieu.aspx",
            "/Pages/lien-he.aspx",
        )

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        base = base_url.rstrip("/")
        templates: dict[str, Page] = {}  # HTML with the session placeholder
        stories = state.stories
        categories = self.cfg["categories"]
        common: dict[str, Any] = {
            "site": self.cfg,
            "base": base,
            "categories": categories,
            "session": SESSION,
            "latest": stories[:6],
            "url_of": self.path,
        }
        add = self.html_maker(templates, common)

        def page(path: str, template: str, modified: datetime, **context: Any) -> None:
            add(path, template, modified, viewstate=self._viewstate(path), **context)

        page("/Pages/default.aspx", "home.html", state.updated, blocks=self._blocks(stories))
        for index, category in enumerate(categories):
            chunks = split([s for s in stories if s.category == index], self.per_page)
            pager = [(n, paged(category["first"], category["page"], n)) for n in range(1, len(chunks) + 1)]
            for number, chunk in enumerate(chunks, start=1):
                page(
                    pager[number - 1][1],
                    "listing.html",
                    state.updated,
                    category=category,
                    items=chunk,
                    pager=pager,
                    page_number=number,
                )
        for story in stories:
            page(
                self.path(story),
                "article.html",
                story.modified,
                story=story,
                category=categories[story.category],
                related=nearest(story, stories, 3),
                others=nearest(story, stories, 5, same_category=False),
            )
        for path, title in (("/Pages/gioi-thieu.aspx", "Giới thiệu"), ("/Pages/lien-he.aspx", "Liên hệ")):
            page(path, "page.html", state.updated, title=title)
        page("/_layouts/15/osssearchresults.aspx", "page.html", state.updated, title="Kết quả tìm kiếm")
        page("/_layouts/15/Authenticate.aspx", "page.html", state.updated, title="Đăng nhập")
        pages = {path: self._with_session(p, _session_id(self.name, path)) for path, p in templates.items()}
        pages["/"] = make_page(
            "<html><body>Object moved</body></html>",
            HTML,
            state.updated,
            status=302,
            headers=(("Location", base + "/Pages/default.aspx"),),
        )
        robots = "User-agent: *\nDisallow: /_layouts/\nDisallow: /_vti_bin/\nDisallow: /_catalogs/\n"
        pages["/robots.txt"] = make_page(robots, TEXT, state.updated)
        not_found = self.env.get_template("404.html").render(common, path="/404", viewstate=self._viewstate("/404"))
        return GeneratedPages(pages, functools.partial(self._session_page, templates)), make_page(
            not_found.replace(SESSION, _session_id("404")), HTML, state.updated
        )

    def _blocks(self, stories: Sequence[Story]) -> list[tuple[dict[str, Any], list[Story]]]:
        return [(c, [s for s in stories if s.category == i][:5]) for i, c in enumerate(self.cfg["categories"])]

    @staticmethod
    def _with_session(page: Page, session: str) -> Page:
        return replace(page, body=page.body.replace(SESSION.encode(), session.encode()))

    def _session_page(self, templates: dict[str, Page], target: str) -> Page | None:
        """A page asked for with a session id: the same page, its links carrying a new session id."""
        parts = urlsplit(target)
        path, _, params = parts.path.partition(";")
        session = params.partition("=")[2] if params.lower().startswith("jsessionid=") else None
        kept = []
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            if name.lower() == "sid":
                session = value
            else:
                kept.append((name, value))
        key = path + ("?" + urlencode(kept) if kept else "")
        if session is None or key not in templates:
            return None
        return self._with_session(templates[key], _session_id(session, key))

    @staticmethod
    def _viewstate(path: str) -> str:
        seed = hashlib.sha256(path.encode("utf-8")).digest()
        return "/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIBD2QWBAIBD2QWAgIBD2QW" + base64.b64encode(seed * 24).decode()
