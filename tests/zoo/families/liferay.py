"""Liferay portals of Lạng Sơn bodies: a department on Liferay 6.2, a district on Liferay 7.x/DXP.

Origin: Liferay 6.2 asset publisher JSPs (dinolupo/Liferay6.2-fixed:
``portal-web/docroot/html/portlet/asset_publisher/display/{abstracts,full_content}.jsp``,
``html/taglib/ui/page_iterator/start.jsp``: ``lfr-pagination``, ``_cur``/``_delta`` links, ``taglib-header``
with an ``h3.header-title`` under the ``h1.portlet-title`` of the portlet); the Vietnamese e-government hooks
and themes of kiennh4/portal-egov-plugin-ga2 (``ext/portal-egov-ext/.../asset_publisher/display/
{abstracts,full_content,related_assets}.jsp``: "Thứ Sáu, ngày dd/MM/yyyy HH:mm | GMT +7", newer/older
related lists; ``themes/portal-binh-dinh-theme/.../{portal_normal,portlet}.vm``); the Hòa Bình portal's
Liferay 7 theme (nguyenvanthuyfpt/hoabinhportal ``wars/hbportal/.../templates/portal_normal.ftl``,
``portlet.ftl``: ``#wrapper``, ``section.portlet``); liferay/liferay-portal
``view_asset_entry_full_content.jsp`` and ``journal_article/page.jsp`` (``journal-content-article``);
``PortalImpl.getCanonicalURL`` (agmip/liferay-portal-impl: the canonical drops ``redirect`` only); URL
shapes seen in scrapers of ncov.moh.gov.vn, cucthuy.gov.vn and other Liferay sites
(``/-/asset_publisher/<id>/content/<slug>?redirect=…p_p_id%3D101_INSTANCE_…``,
``_101_INSTANCE_<id>_cur=N``, ``p_r_p_564233524_resetCur``, ``/vi/web/guest/…``, ``/web/guest/-/<slug>``,
``?_com_liferay_…AssetPublisherPortlet_INSTANCE_<id>_assetEntryId=…&…_redirect=https%3A…`` on a 7.x site).
Variant 6 serves windows-1258 bytes with the charset in the header, in a meta, nowhere, or wrongly
declared (Liferay's hard-coded UTF-8 meta).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from scheduler.demo.mirror import GeneratedPages, Page
from zoo.family import HTML, TEXT, XML, Family, make_page, nearest, split, spread
from zoo.stories import SiteState, Story

AP7 = "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet"
HOME_INSTANCE = "Vn8sRk2LpQ5w"  # the home page's "Tin mới" asset publisher (variant 6)
RELATED_INSTANCE = "Rc1tVz4Hx8Ne"  # "Tin cùng chuyên mục" on the display page (variant 7)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bẩy", "Chủ Nhật")
SHAPES = "\u0302\u0306\u031b"  # circumflex, breve, horn: windows-1258 has them precomposed, tones combining
READERS = (
    ("Nông Văn Hải", "Mong các cấp, các ngành tiếp tục quan tâm, hỗ trợ bà con vùng sâu, vùng xa."),
    ("Hoàng Thị Thu", "Thông tin rất thiết thực, đề nghị Sở hướng dẫn cụ thể hơn cho các hộ dân."),
    ("Lý Minh Đức", "Cảm ơn ban biên tập đã kịp thời đưa tin."),
)


def cp1258(text: str) -> bytes:
    """``text`` in windows-1258: letters with a shape mark precomposed, tone marks as combining characters."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        shape = "".join(m for m in parts[1:] if m in SHAPES)
        tones = "".join(m for m in parts[1:] if m not in SHAPES)
        out += unicodedata.normalize("NFC", parts[0] + shape).encode("cp1258", "xmlcharrefreplace")
        out += tones.encode("cp1258", "xmlcharrefreplace")
    return bytes(out)


def long_date(when: datetime) -> str:
    return f"Ngày {when.day} tháng {when.month} năm {when.year}"


class Liferay(Family):
    name = "liferay"
    variants = ("6", "7")
    origin = "Liferay 6.2 / 7.x asset publisher and journal content portals of Vietnamese provinces"
    held_out = False
    stable_old_pages = False  # "Tin mới" on every page

    def __init__(self, variant: str, site_id: str = "", cfg: dict[str, Any] | None = None) -> None:
        super().__init__(variant, site_id, cfg)
        self.v6 = variant == "6"
        self.site = self.cfg["site"]
        self.home = self.cfg["home"]
        self.delta = int(self.cfg["delta"])
        self.deltas = tuple(int(d) for d in self.cfg["deltas"])
        self.disallowed = ("/c/",) if self.v6 else ()
        self.feeds = () if self.v6 else ("/sitemap.xml",)

    # -- URLs -----------------------------------------------------------------------

    def path(self, story: Story) -> str:
        category = self.cfg["categories"][story.category]
        if self.v6:
            return f"{category['first']}/-/asset_publisher/{category['instance']}/content/{story.slug}"
        return f"{self.site}/-/{story.slug}"

    def published(self, story: Story) -> str:
        return story.published.isoformat() if self.v6 else story.published.date().isoformat()

    def listings(self) -> tuple[str, ...]:
        return tuple(c["first"] for c in self.cfg["categories"])

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        first, second = self.cfg["categories"]
        listings = (first["first"], self.page_url(first, 2), second["first"], self.page_url(second, 3))
        return ("/", self.home, *listings, *self.static_pages())

    def static_pages(self) -> tuple[str, ...]:
        return tuple(f"{self.site}/{slug}" for slug in ("gioi-thieu", "lien-he", "tim-kiem"))

    def namespace(self, category: dict[str, Any]) -> str:
        return f"_101_INSTANCE_{category['instance']}_" if self.v6 else f"_{AP7}_INSTANCE_{category['instance']}_"

    def page_url(self, category: dict[str, Any], number: int, delta: int | None = None) -> str:
        """A listing page as the paginator links it (page 1 without a delta is the bare page)."""
        if number == 1 and delta is None:
            return str(category["first"])
        ns, instance = self.namespace(category), category["instance"]
        head = [("p_p_lifecycle", "0"), ("p_p_state", "normal"), ("p_p_mode", "view")]
        if self.v6:
            params = [("p_p_id", f"101_INSTANCE_{instance}"), *head, ("p_p_col_id", "column-1"), ("p_p_col_count", "1")]
            params += [(ns + "delta", str(delta or self.delta)), (ns + "keywords", "")]
            params += [(ns + "advancedSearch", "false"), (ns + "andOperator", "true")]
            params += [("p_r_p_564233524_resetCur", "false"), (ns + "cur", str(number))]
        else:
            params = [("p_p_id", f"{AP7}_INSTANCE_{instance}"), *head, (ns + "delta", str(delta or self.delta))]
            params += [("p_r_p_resetCur", "false"), (ns + "cur", str(number))]
        return f"{category['first']}?{urlencode(params)}"

    def linked(self, story: Story, redirect: str) -> str:
        """The article as a listing links it: with the listing's URL as the back link."""
        return f"{self.path(story)}?{urlencode([('redirect', redirect)])}"

    def in_context(self, story: Story, current: Story, base: str) -> str:
        """7.x: the article as the display page's own asset publisher links it, with namespaced parameters."""
        ns = f"_{AP7}_INSTANCE_{RELATED_INSTANCE}_"
        query = [(ns + "assetEntryId", str(story.id + 4)), (ns + "redirect", base + self.path(current))]
        return f"{self.path(story)}?{urlencode(query)}"

    def home_linked(self, story: Story) -> str:
        """The article as the home page's own asset publisher links it (6.2: shown in the home layout)."""
        if not self.v6:
            return self.linked(story, self.home)
        url = f"{self.home}/-/asset_publisher/{HOME_INSTANCE}/content/{story.slug}"
        return f"{url}?{urlencode([('redirect', self.home)])}"

    # -- pages ----------------------------------------------------------------------

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        base = base_url.rstrip("/")
        stories, updated, cfg = state.stories, state.updated, self.cfg
        categories = cfg["categories"]
        v = self.variant
        common: dict[str, Any] = {
            "site": cfg,
            "v": v,
            "ap7": AP7,
            "base": base,
            "categories": categories,
            "url_of": self.path,
            "linked": self.linked,
            "home_linked": self.home_linked,
            "in_context": functools.partial(self.in_context, base=base),
            "now": updated,
            "latest": stories[:6],
            "most_read": spread(stories, 6, salt=5),
            "weekday": lambda d: f"{WEEKDAYS[d.weekday()]}, ngày {d:%d/%m/%Y %H:%M}",
            "long_date": long_date,
            "views": lambda s: f"{(s.id * 37) % 2900 + 112:,}".replace(",", "."),
        }
        pages: dict[str, Page] = {}

        def add(path: str, template: str, modified: datetime, mode: str = "header", **context: Any) -> Page:
            charset = {"header": "UTF-8", "meta": "windows-1258", "wrong": "UTF-8", "none": ""}[mode]
            body = self.env.get_template(f"{template}{v}.html").render(
                common, path=path, canonical=context.pop("canonical", path), meta_charset=charset, **context
            )
            page = self._page(body, modified, mode)
            pages[path] = page
            return page

        blocks = [(c, [s for s in stories if s.category == i][:5]) for i, c in enumerate(categories)]
        home = add(self.home, "home", updated, blocks=blocks, canonical=self.site)
        pages[self.site] = home
        if self.v6:
            pages["/"] = home
        else:  # the portal's default landing page
            pages["/"] = make_page("", HTML, updated, status=302, headers=(("Location", base + self.site),))
        listings: dict[tuple[int, int, int], Page] = {}
        for index, category in enumerate(categories):
            items = [s for s in stories if s.category == index]
            for delta in self.deltas:
                chunks = split(items, delta)
                pager = [self.page_url(category, n, delta) for n in range(1, len(chunks) + 1)]
                others = [(d, self.page_url(category, 1, d)) for d in self.deltas]
                for number, chunk in enumerate(chunks, start=1):
                    context = {"category": category, "items": chunk, "number": number, "count": len(chunks)}
                    context |= {"delta": delta, "pager": pager, "others": others, "total": len(items)}
                    listings[index, delta, number] = add(
                        pager[number - 1], "listing", updated, here=pager[number - 1], **context
                    )
                    if number == 1 and delta == self.delta:
                        add(category["first"], "listing", updated, here=category["first"], **context)
        articles: dict[str, Page] = {}
        for story in stories:
            same = nearest(story, stories, 6)
            articles[story.slug] = add(
                self.path(story),
                "article",
                story.modified,
                mode=("meta", "none", "wrong")[story.id % 3],
                story=story,
                category=categories[story.category],
                related=nearest(story, stories, 3),
                newer=[s for s in same if s.published > story.published][-3:],
                older=[s for s in same if s.published <= story.published][:3],
                others=nearest(story, stories, 5, same_category=False),
                comments=READERS[: story.id % 4] if story.id % 2 else (),
            )
        for static, title in zip(self.static_pages(), ("Giới thiệu", "Liên hệ", "Tìm kiếm"), strict=True):
            add(static, "page", updated, title=title)
        login = self._login_url()
        add(login, "page", updated, title="Đăng nhập", canonical=self.home)
        self._robots_and_sitemap(pages, state, base)
        generate = functools.partial(self._generated, pages, listings, articles, login, base, updated)
        not_found = self.env.get_template(f"page{v}.html").render(
            common, path="/404", canonical=self.home, meta_charset="UTF-8", title="Không tìm thấy trang"
        )
        return GeneratedPages(pages, generate), replace_status(self._page(not_found, updated, "header"), 404)

    def _page(self, html: str, modified: datetime, mode: str) -> Page:
        if not self.v6:
            return make_page(html, HTML, modified)
        content_type = "text/html; charset=windows-1258" if mode == "header" else "text/html"
        return make_page(cp1258(html), content_type, modified)

    def _login_url(self) -> str:
        if self.v6:
            params = [("p_p_id", "58"), ("p_p_lifecycle", "0"), ("p_p_state", "maximized"), ("p_p_mode", "view")]
            params += [("saveLastPath", "false"), ("_58_struts_action", "/login/login")]
        else:
            portlet = "com_liferay_login_web_portlet_LoginPortlet"
            params = [("p_p_id", portlet), ("p_p_lifecycle", "0"), ("p_p_state", "maximized"), ("p_p_mode", "view")]
            params += [("saveLastPath", "false"), (f"_{portlet}_mvcRenderCommandName", "/login/login")]
        return f"{self.home}?{urlencode(params)}"

    def _robots_and_sitemap(self, pages: dict[str, Page], state: SiteState, base: str) -> None:
        disallow = "Disallow: /c/\nDisallow: /group/\n" if self.v6 else "Disallow:\n"
        pages["/robots.txt"] = make_page(f"User-Agent: *\n{disallow}Sitemap: {base}/sitemap.xml\n", TEXT, state.updated)
        layouts = (self.home, *self.listings(), *self.static_pages())
        urls: list[tuple[str, datetime | None, None]] = [(base + p, None, None) for p in layouts]
        if not self.v6:  # 7.x lists the web content articles that have a display page
            urls += [(base + self.path(s), s.modified, None) for s in state.stories]
        body = self.env.get_template("urlset.xml").render(urls=urls)
        pages["/sitemap.xml"] = make_page(body, XML, state.updated)

    def _generated(
        self,
        pages: dict[str, Page],
        listings: dict[tuple[int, int, int], Page],
        articles: dict[str, Page],
        login: str,
        base: str,
        updated: datetime,
        target: str,
    ) -> Page | None:
        """What Liferay answers for URLs it was not linked by: a locale prefix, portlet-state parameters and
        back links it ignores, a listing's ``_cur``/``_delta`` in any order, the sign-in redirect."""
        parts = urlsplit(target)
        path = re.sub(r"^/(?:vi|en)(?=/web/)", "", parts.path)
        path = re.sub(r"/(?:maximized|normal|pop_up)$", "", path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if path == "/c/portal/login":
            return make_page("", HTML, updated, status=302, headers=(("Location", base + login),))
        in_home = re.fullmatch(rf"{re.escape(self.home)}/-/asset_publisher/{HOME_INSTANCE}/content/([^/]+)", path)
        if in_home:
            return articles.get(in_home[1])
        for index, category in enumerate(self.cfg["categories"]):
            ns = self.namespace(category)
            if path == category["first"] and (ns + "cur" in query or ns + "delta" in query):
                try:
                    key = (index, int(query.get(ns + "delta", self.delta)), int(query.get(ns + "cur", 1)))
                except ValueError:
                    return None
                return listings.get(key)
        if query.get("p_p_id", "").endswith(("58", "LoginPortlet")) and path == self.home:
            return pages.get(login)
        return pages.get(path) if path != parts.path or parts.query else None


def replace_status(page: Page, status: int) -> Page:
    return Page(page.body, page.content_type, page.last_modified, status=status)
