"""DotNetNuke portals of Lạng Sơn districts, as VNPT built them: DNN 5 with a news module, DNN 8 with URLs.

Origin: DNN core behaviour and markup (an ASP.NET ``<form id="Form">`` wrapping the page, ``__VIEWSTATE``,
``dnn_ctr<mid>_…`` ids, ``DnnModule-<mid>`` containers, ``dnn_dnnLOGIN_loginLink``, the default
``robots.txt`` of DNN 5 and of DNN 7+ with ``Disallow: /*/ctl/`` and sites adding ``Disallow: /*?returnurl=``:
robots files and saved DNN pages found in public repositories, e.g. a saved yyc.com home page); the Ventrian
News Articles module (ventrian/News-Articles ``Templates/Default/{View,Listing,Print}.Item.html``,
``Components/WebControls/PagingControl.vb``: ``/tabid/N/ctl/ArticleView/mid/M/articleId/K/…``, print view,
page links); Vietnamese DNN skins (tho7mau/KNTCVLL ``Portals/_default/Skins/DLK/Home.ascx``: login link,
panes); URL shapes of DNN news sites (``/tabid/124/ctl/ArticleView/mid/519/articleId/14499/…``,
``…/ArtMID/10198/ArticleID/16278/<Title-Slug>``, ``Default.aspx?tabid=89&cateid=546`` on gdnn.gov.vn).
Variant a: DNN 5, pages by tab id, ``?pageindex=N`` paging, ``<br><br>`` paragraphs, "HH:MM | DD/MM/YYYY",
the same ``<title>`` ("portal > page") on every article of a page, IIS answering any casing of a URL.
Variant b: DNN 8 advanced URLs (``/tin-tuc-su-kien/ArtMID/M/ArticleID/K/<slug>``, ``…/PgrID/M/PageID/N``),
wrong casing 301-redirected to lower case, "Cập nhật lúc HH:MM ngày DD/MM/YYYY", ``?print=1``, and a
``windows-1252`` Content-Type header on UTF-8 bytes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from scheduler.demo.mirror import GeneratedPages, Page
from zoo.family import TEXT, XML, Family, make_page, nearest, split, spread
from zoo.stories import SiteState, Story

ROBOTS_A = """# Begin robots.txt file
User-agent: *
Disallow: /admin/
Disallow: /App_Browsers/
Disallow: /App_Code/
Disallow: /App_Data/
Disallow: /App_GlobalResources/
Disallow: /bin/
Disallow: /Components/
Disallow: /Config/
Disallow: /contest/
Disallow: /controls/
Disallow: /DesktopModules/
Disallow: /Documentation/
Disallow: /HttpModules/
Disallow: /images/
Disallow: /Install/
Disallow: /Providers/
# End of robots.txt file
"""
ROBOTS_B = """# Begin robots.txt file
#/-----------------------------------------------\\
#| In single portal/domain situations, uncomment the sitmap line and enter domain name
#\\-----------------------------------------------/
Sitemap: {base}/SiteMap.aspx

User-agent: *
Disallow: /*/ctl/\t\t# Googlebot permits *
Disallow: /admin/
Disallow: /App_Browsers/
Disallow: /App_Code/
Disallow: /App_Data/
Disallow: /App_GlobalResources/
Disallow: /bin/
Disallow: /Components/
Disallow: /Config/
Disallow: /contest/
Disallow: /controls/
Disallow: /Documentation/
Disallow: /HttpModules/
Disallow: /Install/
Disallow: /Providers/
Disallow: /Activity-Feed/userId/\t# Do not index user profiles
Disallow: /*?returnurl=

# End of robots.txt file
"""


def dnn_quote(path: str) -> str:
    """A return URL as ASP.NET's ``HttpUtility.UrlEncode`` writes it (lower-case escapes)."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), quote(path, safe=""))


class DNN(Family):
    name = "dnn"
    variants = ("a", "b")
    origin = "DotNetNuke 5 / 8 district portals (VNPT): news modules, tab-id and advanced URLs, ASP.NET forms"
    held_out = False
    stable_old_pages = False  # "Tin mới" on every page

    def __init__(self, variant: str, site_id: str = "", cfg: dict[str, Any] | None = None) -> None:
        super().__init__(variant, site_id, cfg)
        self.classic = variant == "a"
        self.per_page = int(self.cfg["per_page"])
        self.disallowed = () if self.classic else ("/Login.aspx",)
        self.traps = (r"/ctl/Login/",) if self.classic else (r"[?&]returnurl=",)

    # -- URLs -----------------------------------------------------------------------

    def first(self, category: dict[str, Any]) -> str:
        return f"/tabid/{category['tab']}/Default.aspx" if self.classic else str(category["first"])

    def path(self, story: Story) -> str:
        c = self.cfg["categories"][story.category]
        if self.classic:
            return f"/tabid/{c['tab']}/ctl/ArticleView/mid/{c['mid']}/articleId/{story.id}/Default.aspx"
        return f"{c['first']}/ArtMID/{c['mid']}/ArticleID/{story.id}/{story.slug}"

    def other_case(self, story: Story) -> str:
        """The article as another module writes its link: a different casing, which IIS answers as well."""
        if self.classic:
            c = self.cfg["categories"][story.category]
            return f"/TabID/{c['tab']}/ctl/ArticleView/mid/{c['mid']}/ArticleID/{story.id}/Default.aspx"
        head, _, tail = self.path(story).rpartition("/")
        return head[:1] + head[1:2].upper() + head[2:] + "/" + "-".join(w.capitalize() for w in tail.split("-"))

    def print_url(self, story: Story) -> str:
        if self.classic:
            c = self.cfg["categories"][story.category]
            return f"/tabid/{c['tab']}/ctl/Print/mid/{c['mid']}/articleId/{story.id}/Default.aspx"
        return self.path(story) + "?print=1"

    def page_url(self, category: dict[str, Any], number: int) -> str:
        first = self.first(category)
        if number == 1:
            return first
        return f"{first}?pageindex={number}" if self.classic else f"{first}/PgrID/{category['mid']}/PageID/{number}"

    def login_url(self, here: str) -> str:
        if self.classic:
            return f"/tabid/{self.cfg['home_tab']}/ctl/Login/Default.aspx?returnurl={dnn_quote(here)}"
        return f"/Login.aspx?returnurl={dnn_quote(here)}"

    def statics(self) -> list[tuple[str, str]]:
        return [(t, f"/tabid/{p}/Default.aspx" if self.classic else str(p)) for t, p in self.cfg["statics"]]

    def legal(self) -> list[tuple[str, str]]:
        """DNN 8's terms and privacy pages, linked from the skin's footer."""
        return [] if self.classic else [("Điều khoản sử dụng", "/Terms"), ("Chính sách riêng tư", "/Privacy")]

    def listings(self) -> tuple[str, ...]:
        return tuple(self.first(c) for c in self.cfg["categories"])

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        first, second = self.cfg["categories"]
        listings = (self.first(first), self.page_url(first, 2), self.first(second), self.page_url(second, 3))
        return ("/", *listings, *(p for _, p in self.statics()))

    # -- pages ----------------------------------------------------------------------

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        base = base_url.rstrip("/")
        stories, updated, cfg = state.stories, state.updated, self.cfg
        categories = [dict(c, link=self.first(c)) for c in cfg["categories"]]
        common: dict[str, Any] = {
            "site": cfg,
            "v": self.variant,
            "base": base,
            "now": updated,
            "categories": categories,
            "statics": self.statics(),
            "url_of": self.path,
            "other_case": self.other_case,
            "print_url": self.print_url,
            "login_url": self.login_url,
            "latest": stories[:6],
            "most_read": spread(stories, 6, salt=2),
            "views": lambda s: (s.id * 53) % 3100 + 87,
        }
        pages: dict[str, Page] = {}

        def add(path: str, template: str, modified: datetime, tab: int, **context: Any) -> None:
            viewstate = base64.b64encode(hashlib.sha256(path.encode()).digest() * (40 if self.classic else 12)).decode()
            body = self.env.get_template(f"{template}_{self.variant}.html").render(
                common, path=path, tab=tab, viewstate=viewstate, **context
            )
            pages[path] = self._page(body, modified)

        home_tab = int(cfg["home_tab"])
        blocks = [(c, [s for s in stories if s.category == i][:5]) for i, c in enumerate(categories)]
        add("/", "home", updated, home_tab, blocks=blocks, title="Trang chủ")
        if self.classic:
            pages["/Default.aspx"] = pages[f"/tabid/{home_tab}/Default.aspx"] = pages["/"]
        for index, category in enumerate(categories):
            chunks = split([s for s in stories if s.category == index], self.per_page)
            pager = [self.page_url(category, n) for n in range(1, len(chunks) + 1)]
            for number, chunk in enumerate(chunks, start=1):
                context = {"category": category, "items": chunk, "number": number, "pager": pager}
                add(pager[number - 1], "listing", updated, category["tab"], title=category["name"], **context)
        for story in stories:
            category = categories[story.category]
            context = {"story": story, "category": category, "title": category["name"]}
            related = {"related": nearest(story, stories, 4), "others": nearest(story, stories, 6, same_category=False)}
            add(self.path(story), "article", story.modified, category["tab"], **context, **related)
            add(self.print_url(story), "print", story.modified, category["tab"], **context)
        for title, path in self.statics() + self.legal():
            add(path, "page", updated, home_tab + len(title), title=title)
        add(self.login_url("/").split("?")[0], "page", updated, home_tab, title="Đăng nhập")
        robots = ROBOTS_A if self.classic else ROBOTS_B.format(base=base)
        pages["/robots.txt"] = make_page(robots, TEXT, updated)
        tabs = ["/", *self.listings(), *(p for _, p in self.statics())]
        sitemap = self.env.get_template("urlset.xml").render(urls=[(base + p, updated, None) for p in tabs])
        pages["/SiteMap.aspx"] = make_page(sitemap, XML, updated)
        folded = {key.casefold(): key for key in pages}
        generate = functools.partial(self._generated, pages, folded, base)
        not_found = self.env.get_template(f"page_{self.variant}.html").render(
            common, path="/404", tab=home_tab, viewstate="", title="Không tìm thấy trang"
        )
        page = self._page(not_found, updated)
        return GeneratedPages(pages, generate), Page(page.body, page.content_type, page.last_modified, status=404)

    def _page(self, html: str, modified: datetime) -> Page:
        # variant b: IIS sends windows-1252 in the header while the page, and its meta, are UTF-8
        content_type = "text/html; charset=utf-8" if self.classic else "text/html; charset=windows-1252"
        return make_page(html.encode("utf-8"), content_type, modified)

    def _generated(self, pages: dict[str, Page], folded: dict[str, str], base: str, target: str) -> Page | None:
        """IIS and DNN: any casing of a URL (a: the same page; b: 301 to the lower-case URL), the login page
        for any return URL, a print view for ``?print=1`` (b)."""
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        login = "/tabid/{}/ctl/login/default.aspx".format(self.cfg["home_tab"]) if self.classic else "/login.aspx"
        if parts.path.casefold() == login:
            return pages.get(self.login_url("/").split("?")[0])
        if not self.classic and query.get("print") == "1":
            key = folded.get(parts.path.casefold() + "?print=1")
            return pages.get(key) if key else None
        key = folded.get(target.casefold())
        if key is None or key == target:
            return None
        if self.classic:
            return pages[key]
        return make_page(
            "", "text/html; charset=utf-8", pages[key].last_modified, status=301, headers=(("Location", base + key),)
        )
