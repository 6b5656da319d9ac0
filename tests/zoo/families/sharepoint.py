"""A SharePoint 2013 portal of a provincial department (Sở), two ways of setting one up.

Origin (a): SharePoint 2013 publishing portals of ``*.gov.vn`` departments
(``/Pages/chi-tiet-tin.aspx?ItemID=N``, listings ``?Page=N`` and ``&cur=N``, layout
tables, ``__VIEWSTATE``, no ``rel=canonical``), with links that carry session ids
(``&sid=…``, ``;jsessionid=…``) changing on every hop (a trap).

Origin (b): a publishing sub-site whose articles are pages of its Pages library
(``/tin-tuc/Pages/<slug>-<id>.aspx``) with a page layout whose ``<title>`` is the web's title
("Tin tức") on every article and whose headline is an RTE-styled ``h2.ms-rteElement-H2B``;
the XSLT list view pager of SharePoint 2013's ``main.xsl``/``vwstyles.xsl`` as customised
views copy it (``td.ms-paging`` "6 - 10", arrows whose ``href`` is ``javascript:`` and whose
``onclick`` is ``RefreshPageTo(event, "…?Paged=TRUE&p_ArticleStartDate=…&p_ID=…&PageFirstRow=N
&View={GUID}")``: an XsltListViewWebPart page of a public repository, and scrapers of
SharePoint list sites that read the next page out of that ``onclick``); ``ms-listlink`` item links
with ``DispEx``/``VerifyHref`` handlers; ``Source=`` back-links encoded the
``SPHttpUtility.UrlKeyValueEncode`` way (``%2F``, ``%2E``, ``%2D``); Summary Links and Content
Query web part markup (``dfwp-item``, ``link-item``); quick launch ``ms-core-listMenu``;
IIS answering any casing of a URL; ``/`` answering 302 to the welcome page; text pasted from
Word (``p.MsoNormal`` with ``span`` styles, a trailing ``&nbsp;`` paragraph).
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from scheduler.demo.mirror import GeneratedPages, Page
from zoo.family import HTML, TEXT, Family, make_page, nearest, paged, split
from zoo.stories import SiteState, Story

STATIC_B = (
    ("/Pages/GioiThieu.aspx", "Giới thiệu"),
    ("/Pages/LienHe.aspx", "Liên hệ"),
    ("/Lists/ThongBao/DispForm.aspx?ID=1", "Thông báo lịch tiếp công dân"),
    ("/Lists/ThongBao/DispForm.aspx?ID=2", "Thông báo tuyển dụng viên chức"),
)

SESSION = "__SESSION_ID__"  # placeholder in rendered pages, replaced by a session id per request


def _session_id(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:24]


class SharePoint(Family):
    name = "sharepoint"
    variants = ("a", "b")
    origin = "SharePoint 2013 department portals: ItemID pages with session ids (a); Pages-library articles (b)"
    stable_old_pages = False  # "Tin mới cập nhật" on every page
    home_path = "/"  # redirects to /Pages/default.aspx
    per_page = 5
    disallowed = ("/_layouts/",)
    traps: tuple[str, ...] = (r"[?&]sid=", r";jsessionid=")

    def __init__(self, variant: str, site_id: str = "", cfg: dict[str, Any] | None = None) -> None:
        super().__init__(variant, site_id, cfg)
        if variant == "b":
            self.traps = ()
            self.per_page = int(self.cfg["per_page"])

    def path(self, story: Story) -> str:
        if self.variant == "b":
            return f"/tin-tuc/Pages/{story.slug}-{story.id}.aspx"
        return f"/Pages/chi-tiet-tin.aspx?ItemID={story.id}"

    def published(self, story: Story) -> str:
        if self.variant == "b":
            return story.published.isoformat()  # "Cập nhật lúc: 10:22 05/03/2014"
        return story.published.date().isoformat()  # the portal shows the date only

    def listings(self) -> tuple[str, ...]:
        return tuple(c["first"] for c in self.cfg["categories"])

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        first, second = self.cfg["categories"]
        if self.variant == "b":
            views = self._view_paths(second, split([s for s in state.stories if s.category == 1], self.per_page))
            pages = (first["first"], first["page"].format(n=2), second["first"], views[1])
            return ("/Pages/TrangChu.aspx", *pages, *(path for path, _ in STATIC_B[:3]))
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
        if self.variant == "b":
            return self._render_b(state, base_url.rstrip("/"))
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

    # -- variant b: articles as pages of the "tin-tuc" sub-site ------------------------------------

    def _render_b(self, state: SiteState, base: str) -> tuple[dict[str, Page], Page]:
        stories = state.stories
        first, second = categories = self.cfg["categories"]
        common: dict[str, Any] = {
            "site": self.cfg,
            "base": base,
            "categories": categories,
            "latest": stories[:6],
            "url_of": self.path,
            "image_of": lambda s: f"/tin-tuc/PublishingImages/{s.published:%Y/%m}/{s.id}-1.jpg",
            "encode": _key_value_encode,
        }
        pages: dict[str, Page] = {}
        add = self.html_maker(pages, common)
        aliases: dict[str, str] = {}  # other forms of a page's target that IIS/SharePoint answer the same

        def page(path: str, template: str, modified: datetime, **context: Any) -> None:
            add(path, template, modified, viewstate=self._viewstate(path), **context)

        blocks = [(c, [s for s in stories if s.category == i][:5]) for i, c in enumerate(categories)]
        page("/Pages/TrangChu.aspx", "b/home.html", state.updated, featured=stories[:4], blocks=blocks)
        chunks = split([s for s in stories if s.category == 0], self.per_page)
        pager = [(n, paged(first["first"], first["page"], n)) for n in range(1, len(chunks) + 1)]
        aliases[_iis_key(first["page"].format(n=1))] = first["first"]
        for number, chunk in enumerate(chunks, start=1):
            path = pager[number - 1][1]
            page(path, "b/listing.html", state.updated, category=first, items=chunk, pager=pager, page_number=number)
        chunks = split([s for s in stories if s.category == 1], self.per_page)
        views = self._view_paths(second, chunks)
        for number, chunk in enumerate(chunks, start=1):
            row = (number - 1) * self.per_page + 1
            aliases[_iis_key(f"{second['first']}?PageFirstRow={row}")] = views[number - 1]
            page(
                views[number - 1],
                "b/listview.html",
                state.updated,
                category=second,
                items=chunk,
                rows=(row, row + len(chunk) - 1),
                prev=self._view_query(second, chunk[0], row - self.per_page, True) if number > 1 else None,
                next=views[number] if number < len(chunks) else None,
            )
        for story in stories:
            same = [s for s in stories if s.category == story.category]
            older = [s for s in same if (s.published, s.id) < (story.published, story.id)]
            page(
                self.path(story),
                "b/article.html",
                story.modified,
                story=story,
                category=categories[story.category],
                older=older[:6] or nearest(story, stories, 6),
                views=150 + story.id * 53 % 2400,
            )
        for path, title in STATIC_B:
            page(path, "b/page.html", state.updated, title=title)
        page("/_layouts/15/osssearchresults.aspx", "b/page.html", state.updated, title="Kết quả tìm kiếm")
        page("/_layouts/15/Authenticate.aspx", "b/page.html", state.updated, title="Đăng nhập")
        moved = "<html><body>Object moved</body></html>"
        for path, target in (
            ("/", "/Pages/TrangChu.aspx"),
            ("/tin-tuc", first["first"]),
            ("/tin-tuc/", first["first"]),
        ):
            pages[path] = make_page(moved, HTML, state.updated, status=302, headers=(("Location", base + target),))
        robots = "User-agent: *\nDisallow: /_layouts/\nDisallow: /_vti_bin/\nDisallow: /_catalogs/\n"
        pages["/robots.txt"] = make_page(robots + "Disallow: /Lists/*/AllItems.aspx\n", TEXT, state.updated)
        index = {_iis_key(path): p for path, p in pages.items()}
        index.update({key: pages[path] for key, path in aliases.items()})
        not_found = self.env.get_template("b/404.html").render(common, path="/404", viewstate=self._viewstate("/404"))
        generated = GeneratedPages(pages, lambda target: index.get(_iis_key(target)))
        return generated, make_page(not_found, HTML, state.updated)

    def _view_paths(self, category: dict[str, Any], chunks: Sequence[Sequence[Story]]) -> list[str]:
        """The pages of an XSLT list view: the first, then each reached by the "next" arrow of the one before."""
        paths = [category["first"]]
        for number, chunk in enumerate(chunks[:-1], start=1):
            paths.append(self._view_query(category, chunk[-1], number * self.per_page + 1, False))
        return paths

    @staticmethod
    def _view_query(category: dict[str, Any], item: Story, row: int, previous: bool) -> str:
        """SharePoint's list view paging target: the sort value and ID of the row to page from."""
        moment = item.published.astimezone(UTC).strftime("%Y%m%d %H:%M:%S").replace(" ", "%20").replace(":", "%3a")
        back = "&PagedPrev=TRUE" if previous else ""
        view = "%7b" + category["view"].strip("{}") + "%7d"
        cursor = f"p_ArticleStartDate={moment}&p_ID={item.id}"
        return f"{category['first']}?Paged=TRUE{back}&{cursor}&PageFirstRow={row}&View={view}"


def _key_value_encode(value: str) -> str:
    """``SPHttpUtility.UrlKeyValueEncode``: every character but ASCII letters and digits %-encoded."""
    return "".join(c if c.isascii() and c.isalnum() else "".join(f"%{b:02X}" for b in c.encode()) for c in value)


def _iis_key(target: str) -> str:
    """What IIS and SharePoint look a target up by: the path in any casing, ``Source`` ignored, and
    for list view paging only the first row asked for (the ``p_`` cursor is taken on trust)."""
    parts = urlsplit(target)
    path = unquote(parts.path).casefold()
    params = {k.casefold(): v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.casefold() != "source"}
    if "pagefirstrow" in params:
        params = {"pagefirstrow": params["pagefirstrow"]}
    return path + ("?" + urlencode(sorted(params.items())) if params else "")
