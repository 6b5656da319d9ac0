"""A SharePoint 2010 ("14") portal of a provincial department or a district, as Vietnamese vendors built them.

Origin: the SharePoint 2010 portal solutions of Vietnamese vendors published on GitHub —
``setsunafjava/vpsp`` (``VP.Sharepoint.CQ``: ``Resources/MasterPages/VP4.master``, a v4.master whose
ribbon sits in an ``SPSecurityTrimmedControl``; ``UserControls/FrontEnd/NewsDetailUC.ascx(.cs)``,
``ListNewsByCatUC.ascx.cs`` (links ``../newsdetail.aspx?ID=N&CatId=M``), ``OtherNewsUC.ascx`` ("Các tin
khác"), ``Common/Constants.cs``) and ``setsunafjava/ttqn`` (``CQ.SharePoint.QN``:
``Webparts/NewsDetail/NewsDetailUS.ascx(.cs)`` — headline in ``<asp:Label ID="lblTitle">``, date label,
``lblAuthor`` and ``(Nguồn: X)`` under the body, view counter; ``NewsList/NewsListUS.ascx.cs`` —
``?Page=N`` paging; ``OtherNews``, ``MostViewNews`` "Bài đọc nhiều nhất", ``WebLink``); the rendered web part
chrome of a SharePoint 2010 page (``MSOZoneCell_WebPartctl00_m_g_<guid>`` / ``s4-wpTopTable`` /
``ms-WPBody``) as saved in a public scraper's fixture; SharePoint Server 2010's own ArticleLeft page layout
(``captioned-image``, ``byline``, ``PageContent__ControlWrapper_RichHtmlField``) and Content Query Web Part
item styles (``dfwp-list``, ``link-item``).

Variant ``a``: custom visual web parts, ``/Pages/ChiTietTin.aspx?ItemID=N``, listings
``/Pages/TinTuc.aspx?CateID=3&Page=2``, "Ngày đăng: 01/05/2023 | Lượt xem: 1505". Variant ``b``: publishing
sub-sites, ``/tintuc/Pages/<Page-Name>.aspx``, CQWP lists with a numbered pager, "Cập nhật: 05/03/2014 10:22",
a quarter of the article pages stored in decomposed Unicode (NFD). Both: every article page has the same
``<title>``; no meta description, no Open Graph, no JSON-LD; IIS answers any casing of a URL, and pages
link one article under several casings (and with a ``CateID`` the server ignores).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from scheduler.demo.mirror import GeneratedPages, Page
from zoo.family import HTML, TEXT, Family, make_page, nearest, paged, split, spread
from zoo.stories import SiteState, Story


def _guid(*parts: object) -> str:
    digest = hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-9{digest[17:20]}-{digest[20:32]}"


def _key(target: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """How IIS + SharePoint see a request target: path and query, whatever their case."""
    parts = urlsplit(target)
    path = unquote(parts.path).casefold()
    query = [(k.casefold(), v.casefold()) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    if path.endswith("/chitiettin.aspx"):  # the detail web part reads ItemID and nothing else
        query = [(k, v) for k, v in query if k == "itemid"]
    return path, tuple(sorted(query))


class SharePoint2010(Family):
    name = "sharepoint2010"
    variants = ("a", "b")
    origin = (
        "Vietnamese SharePoint 2010 portal solutions (setsunafjava/vpsp VP.Sharepoint.CQ, setsunafjava/ttqn "
        "CQ.SharePoint.QN): v4 master, visual web parts with lblTitle, ?ItemID= / publishing sub-sites, IIS casing"
    )
    stable_old_pages = False  # "Tin mới" and "Tin đọc nhiều" on every page
    disallowed = ("/_layouts/",)

    def path(self, story: Story) -> str:
        if self.variant == "a":
            return f"/Pages/ChiTietTin.aspx?ItemID={story.id}"
        return f"{self.cfg['categories'][story.category]['web']}/Pages/{self._page_name(story)}.aspx"

    def published(self, story: Story) -> str:
        if self.variant == "a":
            return story.published.date().isoformat()  # "Ngày đăng: 01/05/2023"
        return story.published.isoformat()  # "Cập nhật: 05/03/2014 10:22"

    def listings(self) -> tuple[str, ...]:
        return tuple(c["first"] for c in self.cfg["categories"])

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        first, second = self.cfg["categories"]
        extra = ("/Pages/TimKiem.aspx?k=n%C3%B4ng+th%C3%B4n",) if self.variant == "a" else ("/Pages/SoDoSite.aspx",)
        return (
            "/Pages/default.aspx",
            first["first"],
            first["page"].format(n=2),
            second["first"],
            second["page"].format(n=3),
            "/Pages/GioiThieu.aspx",
            "/Pages/LienHe.aspx",
            *extra,
        )

    # -- the pages -------------------------------------------------------------------

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        base = base_url.rstrip("/")
        stories = state.stories
        categories = self.cfg["categories"]
        pages: dict[str, Page] = {}
        common: dict[str, Any] = {
            "site": self.cfg,
            "base": base,
            "categories": categories,
            "url_of": self.path,
            "cased": self._cased,
            "views": self._views,
            "page_name": self._page_name,
            "latest": stories[:6],
            "most_read": spread(stories, 6, salt=2),
            "notices": spread(stories, 5, salt=5),
            "wp": {key: "g_" + _guid(self.site_id, key).replace("-", "_") for key in self._webparts},
        }

        def page(path: str, template: str, modified: datetime, nfd: bool = False, **context: Any) -> None:
            body = self.env.get_template(f"{self.variant}/{template}").render(
                common, path=path, viewstate=self._viewstate(path), **context
            )
            if nfd:
                body = unicodedata.normalize("NFD", body)
            pages[path] = make_page(body, HTML, modified)

        blocks = [(c, [s for s in stories if s.category == i][:5]) for i, c in enumerate(categories)]
        page("/Pages/default.aspx", "home.html", state.updated, blocks=blocks, featured=stories[:5])
        for index, category in enumerate(categories):
            chunks = split([s for s in stories if s.category == index], self.cfg["per_page"])
            pager = [(n, paged(category["first"], category["page"], n)) for n in range(1, len(chunks) + 1)]
            for number, chunk in enumerate(chunks, start=1):
                context = {"category": category, "items": chunk, "pager": pager, "page_number": number}
                page(pager[number - 1][1], "listing.html", state.updated, **context)
                if number == 1 and self.variant == "a":  # the pager's "1" is the first page with &Page=1
                    page(category["page"].format(n=1), "listing.html", state.updated, **context)
        for story in stories:
            page(
                self.path(story),
                "article.html",
                story.modified,
                nfd=self.variant == "b" and story.id % 4 == 0,  # pasted from a decomposed-Unicode editor
                story=story,
                category=categories[story.category],
                related=nearest(story, stories, 4),
                others=nearest(story, stories, 8, same_category=False),
            )
        for path, title in (("/Pages/GioiThieu.aspx", "Giới thiệu"), ("/Pages/LienHe.aspx", "Liên hệ")):
            page(path, "page.html", state.updated, title=title)
        if self.variant == "a":
            page("/Pages/TimKiem.aspx", "page.html", state.updated, title="Tìm kiếm")
        else:
            page("/Pages/SoDoSite.aspx", "page.html", state.updated, title="Sơ đồ cổng thông tin")
        for path in ("/_layouts/OSSSearchResults.aspx", "/_layouts/Authenticate.aspx"):
            page(path, "page.html", state.updated, title="Đăng nhập" if "Auth" in path else "Kết quả tìm kiếm")
        pages["/"] = make_page(
            "<html><head><title>Object moved</title></head><body>\r\n<h2>Object moved to "
            '<a href="/Pages/default.aspx">here</a>.</h2>\r\n</body></html>\r\n',
            HTML,
            state.updated,
            status=302,
            headers=(("Location", base + "/Pages/default.aspx"),),
        )
        pages["/robots.txt"] = make_page(self._robots(base), TEXT, state.updated)
        not_found = self.env.get_template(f"{self.variant}/404.html").render(
            common, path="/404.aspx", viewstate=self._viewstate("/404")
        )
        by_key = {_key(path): p for path, p in pages.items()}
        return GeneratedPages(pages, functools.partial(self._any_case, by_key, pages)), make_page(
            not_found, HTML, state.updated
        )

    _webparts = ("detail", "others", "list", "latest", "mostread", "notices", "links", "counter", "home", "menu")

    def _any_case(
        self, index: dict[tuple[str, tuple[tuple[str, str], ...]], Page], pages: dict[str, Page], target: str
    ) -> Page | None:
        """IIS: any casing of a path and query answers the same page; ``TimKiem.aspx`` answers any ``k``."""
        found = index.get(_key(target))
        if found is None and self.variant == "a" and _key(target)[0] == "/pages/timkiem.aspx":
            return pages["/Pages/TimKiem.aspx"]
        if found is None and _key(target)[0] in ("/_layouts/osssearchresults.aspx", "/_layouts/authenticate.aspx"):
            return index.get((_key(target)[0], ()))
        return found

    def _cased(self, story: Story, where: str) -> str:
        """The link to ``story`` as one box of the portal writes it (IIS does not care)."""
        canonical = self.path(story)
        category = self.cfg["categories"][story.category]
        if self.variant == "a":
            return {
                "others": f"/pages/chitiettin.aspx?itemid={story.id}",
                "related": f"/Pages/ChiTietTin.aspx?ItemID={story.id}&CateID={category['cate_id']}",
                "mostread": f"/Pages/chitiettin.aspx?ItemId={story.id}",
            }.get(where, canonical)
        name = self._page_name(story)
        web = category["web"]
        return {
            "others": f"{web.title()}/Pages/{name.lower()}.aspx",
            "mostread": f"{web}/pages/{name}.aspx",
            "notices": f"{web.upper()}/Pages/{name}.aspx",
        }.get(where, canonical)

    @staticmethod
    def _page_name(story: Story) -> str:
        """A publishing page's file name as the editor typed it: the title's words, capitalised."""
        return "-".join(word.capitalize() for word in story.slug.split("-"))

    @staticmethod
    def _views(story: Story) -> int:
        return 120 + (story.id * 7919) % 2900

    def _robots(self, base: str) -> str:
        if self.variant == "a":
            return "User-agent: *\r\nDisallow: /_layouts/\r\nDisallow: /_vti_bin/\r\nDisallow: /_catalogs/\r\n"
        return (
            "User-agent: *\r\nDisallow: /_layouts/\r\nDisallow: /_vti_bin/\r\nDisallow: /_catalogs/\r\n"
            "Disallow: /Lists/\r\nDisallow: /Style%20Library/\r\n"
        )

    @staticmethod
    def _viewstate(path: str) -> str:
        seed = hashlib.sha256(path.casefold().encode("utf-8")).digest()
        return (
            "/wEPDwUBMA9kFgJmD2QWAgIBD2QWBAIBD2QWBgIHD2QWAgIBDxYCHgdWaXNpYmxlaGQCDQ9kFgIC"
            + base64.b64encode(seed * 40).decode()
        )
