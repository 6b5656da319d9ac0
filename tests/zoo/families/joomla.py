"""A Joomla site of a commune or a district office: Joomla 3 with SEF URLs, or a Joomla 1.5 left without them.

Origin: Joomla's own com_content layouts — 3.x ``components/com_content/views/article/tmpl/default.php``,
``views/category/tmpl/blog.php`` / ``blog_item.php``, ``layouts/joomla/content/info_block/{author,
publish_date,hits}.php`` (``itemprop="author"``, ``<time itemprop="datePublished">``,
``interactionCount``), the 2.5/3 ``JPagination`` list (``pagination-start`` … ``pagination-end``,
``class="pagenav"``), mod_articles_latest / mod_articles_popular / mod_related_items / mod_breadcrumbs
markup; 1.5 ``views/category/tmpl/blog_item.php`` (``contentpaneopen`` tables, ``contentheading``,
``buttonheading`` print/e-mail/PDF icons, ``createdate``, ``modifydate``, ``readon``) as kept in
``GreenCape/joomla-legacy``; the Vietnamese language pack of a provincial Joomla 3 site
(``phucnhdnict/CBCC``: ``language/vi-VN/vi-VN.com_content.ini`` "Viết bởi %s", "Được đăng: %s",
"Lượt xem: %s", "Xem thêm: "; ``vi-VN.ini`` DATE_FORMAT_LC2 "l, d F Y H:i", "Tháng 3", "Thứ năm");
joomla-cms pull requests #8280 / #19452 (first-page links ``?limitstart=0`` then ``?start=0``) and the
``/<catid>-<alias>/<id>-<alias>`` routes of articles linked from the home menu item.

Variant ``3``: ``/tin-tuc/123-alias.html``, blog listings ``/tin-tuc.html?start=5``, microdata, the
site name before every ``<title>``, the global meta description on every page, ``<base href>``, RSS
and Atom category feeds. Variant ``1``: ``index.php?option=com_content&view=article&id=123:alias&catid=
45:cat&Itemid=67`` (the server ignores Itemid, the alias, the order), a blog and a table listing with
``limitstart``, the 1.5 default meta description and keywords. Both: "Viết bởi Super User" /
"Administrator", print and e-mail popups, "Nguồn: …" typed as the last line of the text, the caption an
italic paragraph under the image inside the text.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from markupsafe import Markup, escape

from scheduler.demo.mirror import GeneratedPages, Page
from zoo.family import ATOM, HTML, RSS, TEXT, WEEKDAYS, Family, GoldArticle, make_page, nearest, split, spread, tags
from zoo.stories import SiteState, Story, slugify

ROBOTS = {
    "3": "administrator bin cache cli components includes installation language layouts libraries logs modules "
    "plugins tmp",
    "1": "administrator cache components images includes installation language libraries media modules plugins "
    "templates tmp xmlrpc",
}


def joomla_date(when: datetime) -> str:
    """DATE_FORMAT_LC2 of the Vietnamese pack: "Thứ năm, 05 Tháng 3 2014 08:15"."""
    return f"{WEEKDAYS[when.weekday()]}, {when:%d} Tháng {when.month} {when:%Y %H:%M}"


ACCOUNTS = ("Super User", "Administrator")


class Joomla(Family):
    name = "joomla"
    variants = ("3", "1")
    origin = (
        "Joomla 3.x / 1.5 com_content layouts (joomla/joomla-cms, GreenCape/joomla-legacy) with the vi-VN "
        "language pack of phucnhdnict/CBCC: SEF .html + ?start=N, or index.php?option=com_content&id=N:alias"
    )
    stable_old_pages = False  # "Tin mới" and "Đọc nhiều" modules on every page
    disallowed = ("/administrator/",)

    def __init__(self, variant: str, site_id: str = "", cfg: dict[str, Any] | None = None) -> None:
        super().__init__(variant, site_id, cfg)
        self.env.filters["jdate"] = joomla_date
        self.feeds = tuple(self._feed(c, "rss") for c in self.cfg["categories"])

    # -- URLs ----------------------------------------------------------------------

    def gold(self, story: Story) -> GoldArticle:
        """A byline that is the CMS account ("Viết bởi Super User", "Administrator") names no
        author: the archive leaves ``author`` empty, as for "admin" anywhere."""
        gold = super().gold(story)
        return replace(gold, author=None) if story.author in ACCOUNTS else gold

    def path(self, story: Story) -> str:
        c = self.cfg["categories"][story.category]
        if self.variant == "3":
            return f"/{c['slug']}/{story.id}-{story.slug}.html"
        return (
            f"/index.php?option=com_content&view=article&id={story.id}:{story.slug}"
            f"&catid={c['catid']}:{c['slug']}&Itemid={c['itemid']}"
        )

    def link(self, story: Story, where: str) -> str:
        """The same article as other modules link it: Joomla answers all of them."""
        c = self.cfg["categories"][story.category]
        if self.variant == "3":
            return f"/{c['catid']}-{c['slug']}/{story.id}-{story.slug}.html" if where == "home" else self.path(story)
        if where == "home":  # the front page's modules keep the front page's Itemid
            return self.path(story).replace(f"&Itemid={c['itemid']}", "&Itemid=1")
        if where == "popular":  # mod_mostread found no menu item: no Itemid at all
            return self.path(story).split("&Itemid=")[0]
        return self.path(story)

    def print_link(self, story: Story) -> str:
        if self.variant == "3":
            return self.path(story) + "?tmpl=component&print=1&layout=default"
        c = self.cfg["categories"][story.category]
        return (
            f"/index.php?view=article&catid={c['catid']}%3A{c['slug']}&id={story.id}%3A{story.slug}"
            f"&tmpl=component&print=1&layout=default&page=&option=com_content&Itemid={c['itemid']}"
        )

    def listing(self, category: dict[str, Any], number: int, pager: bool = False) -> str:
        """Page ``number`` of a category; ``pager``: as the pager links it (page 1 with ``start=0``)."""
        start = (number - 1) * self.cfg["per_page"]
        if self.variant == "3":
            first = f"/{category['slug']}.html"
            return f"{first}?start={start}" if number > 1 or pager else first
        layout = "&layout=blog" if category["layout"] == "blog" else ""
        first = (
            f"/index.php?option=com_content&view=category{layout}&id={category['catid']}&Itemid={category['itemid']}"
        )
        return f"{first}&limitstart={start}" if number > 1 or pager else first

    def _feed(self, category: dict[str, Any], kind: str) -> str:
        return self.listing(category, 1) + ("?" if self.variant == "3" else "&") + f"format=feed&type={kind}"

    def listings(self) -> tuple[str, ...]:
        return tuple(self.listing(c, 1) for c in self.cfg["categories"])

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        first, second = self.cfg["categories"]
        pages = (self.listing(first, 1), self.listing(first, 2), self.listing(second, 1), self.listing(second, 3))
        if self.variant == "3":
            tag = next(iter(tags(state.stories)))
            return (
                "/",
                *pages,
                "/gioi-thieu.html",
                "/lien-he.html",
                f"/component/tags/tag/{tag}.html",
                "/component/search/?searchword=n%C3%B4ng%20th%C3%B4n&searchphrase=all&Itemid=101",
                "/component/users/?view=reset&Itemid=101",
            )
        return (
            "/",
            *pages,
            "/index.php?option=com_content&view=article&id=5&Itemid=2",
            "/index.php?option=com_contact&view=contact&id=1&Itemid=3",
            "/index.php?option=com_search&searchword=gi%C3%A1o%20d%E1%BB%A5c",
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
            "link": self.link,
            "print_link": self.print_link,
            "listing": self.listing,
            "feed": self._feed,
            "hits": lambda s: 40 + (s.id * 2654435761) % 2400,
            "latest": stories[:5],
            "popular": spread(stories, 5, salt=1),
            "notices": spread(stories, 4, salt=4),
            "tag_slug": slugify,
            "mailto": self.mailto,
        }
        render = functools.partial(self._page, common)
        pages["/"] = render("/", "home.html", state.updated, featured=stories[:5], blocks=self._blocks(stories))
        for index, category in enumerate(categories):
            items = [s for s in stories if s.category == index]
            for number in range(1, len(split(items, self.cfg["per_page"])) + 1):
                target = self.listing(category, number)
                pages[target] = self._listing_page(common, state, category, items, target)
        for story in stories:
            pages[self.path(story)] = self._article(common, story, stories)
        for kind in ("rss", "atom") if self.variant == "3" else ("rss",):
            for index, category in enumerate(categories):
                items = [s for s in stories if s.category == index][:10]
                pages[self._feed(category, kind)] = self._feed_page(common, state, category, items, kind)
        lines = "".join(f"Disallow: /{name}/\n" for name in ROBOTS[self.variant].split())
        pages["/robots.txt"] = make_page("User-agent: *\n" + lines, TEXT, state.updated)
        pages["/administrator/"] = render("/administrator/", "page.html", state.updated, title="Quản trị")
        for path, title in self._static.items():
            pages[path] = render(path, "page.html", state.updated, title=title, items=[])
        if self.variant == "3":
            for slug, (tag, tagged) in tags(stories).items():
                path = f"/component/tags/tag/{slug}.html"
                pages[path] = render(path, "page.html", state.updated, title=tag, items=tagged)
        not_found = render("/404", "404.html", state.updated, status=404)
        generate = functools.partial(self._generated, common, state, {s.id: s for s in stories})
        return GeneratedPages(pages, generate), not_found

    def _page(self, common: dict[str, Any], path: str, template: str, modified: datetime, **context: Any) -> Page:
        status = context.pop("status", 200)
        body = self.env.get_template(f"{self.variant}/{template}").render(common, path=path, **context)
        return make_page(body, HTML, modified, status=status)

    def _blocks(self, stories: Sequence[Story]) -> list[tuple[dict[str, Any], list[Story]]]:
        return [(c, [s for s in stories if s.category == i][:4]) for i, c in enumerate(self.cfg["categories"])]

    def _article(self, common: dict[str, Any], story: Story, stories: Sequence[Story], printed: bool = False) -> Page:
        same = [s for s in stories if s.category == story.category]
        at = same.index(story)
        return self._page(
            common,
            self.print_link(story) if printed else self.path(story),
            "print.html" if printed else "article.html",
            story.modified,
            story=story,
            category=self.cfg["categories"][story.category],
            related=nearest(story, stories, 4),
            others=nearest(story, stories, 6, same_category=False),
            newer=same[at - 1] if at > 0 else None,
            older=same[at + 1] if at + 1 < len(same) else None,
            body=self._body(story),
        )

    @staticmethod
    def _body(story: Story) -> Markup:
        """The article's text as the editor left it: image and caption after the lead, the source last."""
        html = [f'<p style="text-align: justify;">{escape(p)}</p>' for p in story.paragraphs]
        image = f"/images/tin-tuc/{story.published:%Y/%m}/anh-{story.id}.jpg"
        html.insert(
            1,
            f'<p style="text-align: center;"><img src="{image}" alt="" width="500" height="333" /></p>\n'
            f'<p style="text-align: center;"><em>{escape(story.caption)}</em></p>',
        )
        if story.source:
            html.append(f'<p style="text-align: right;"><strong>Nguồn: {escape(story.source)}</strong></p>')
        return Markup("\n".join(html))

    def _listing_page(
        self, common: dict[str, Any], state: SiteState, category: dict[str, Any], items: Sequence[Story], target: str
    ) -> Page:
        per_page = self.cfg["per_page"]
        query = dict(parse_qsl(urlsplit(target).query))
        start = int(query.get("start") or query.get("limitstart") or 0)
        count = max(1, -(-len(items) // per_page))
        layout = category.get("layout", "blog")
        return self._page(
            common,
            target,
            f"{layout}.html",
            state.updated,
            category=category,
            items=items[start : start + per_page],
            more=items[start + per_page : start + per_page + 3],
            page_number=start // per_page + 1,
            page_count=count,
        )

    def _feed_page(
        self, common: dict[str, Any], state: SiteState, category: dict[str, Any], items: Sequence[Story], kind: str
    ) -> Page:
        base = common["base"]
        entries = [
            {
                "story": s,
                "link": base + self.path(s),
                "html": Markup(f"<p>{escape(s.paragraphs[0])}</p>"),
                "author": s.author,
            }
            for s in items
        ]
        body = self.env.get_template(f"{kind}.xml").render(
            common,
            title=category["name"],
            link=base + self.listing(category, 1),
            self_url=base + self._feed(category, kind),
            items=entries,
            updated=state.updated,
            generator="Joomla! - Open Source Content Management"
            if self.variant == "3"
            else "Joomla! 1.5 - Open Source Content Management",
        )
        return make_page(body, RSS if kind == "rss" else ATOM, state.updated)

    # -- pages made on request: what Joomla answers for any URL of its routes ---------------

    def _generated(self, common: dict[str, Any], state: SiteState, by_id: dict[int, Story], target: str) -> Page | None:
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if self.variant == "3":
            article = re.fullmatch(
                r"/(?:index\.php/)?(?:component/content/article/)?(?:[\w-]+/)?(\d+)-[\w-]*\.html", parts.path
            )
            listing = re.fullmatch(r"/(?:index\.php/)?([\w-]+)\.html", parts.path)
            story_id = int(article[1]) if article else None
            slug = listing[1] if listing else None
            special = parts.path.removeprefix("/index.php").rstrip("/") or "/"
        else:
            if parts.path not in ("/", "/index.php"):
                return None
            option, view = query.get("option", ""), query.get("view", "")
            number = re.match(r"\d+", query.get("id", ""))
            story_id = int(number[0]) if number and option == "com_content" and view == "article" else None
            wanted = [c for c in self.cfg["categories"] if number and str(c["catid"]) == number[0]]
            slug = wanted[0]["slug"] if wanted and option == "com_content" and view == "category" else None
            special = "/" + option.removeprefix("com_") + ("/" + view if view else "") if option else "/"
        return self._answer(common, state, by_id, target, query, story_id, slug, special)

    def _answer(
        self,
        common: dict[str, Any],
        state: SiteState,
        by_id: dict[int, Story],
        target: str,
        query: dict[str, str],
        story_id: int | None,
        slug: str | None,
        special: str,
    ) -> Page | None:
        stories = state.stories
        if story_id is not None:
            story = by_id.get(story_id)
            if story is None:
                return self._missing(common, state)
            if query.get("format") == "pdf":
                pdf = b"%PDF-1.3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
                return make_page(pdf, "application/pdf", story.modified)
            return self._article(common, story, stories, printed=query.get("print") == "1")
        categories = self.cfg["categories"]
        if slug is not None and slug in [c["slug"] for c in categories]:
            index = [c["slug"] for c in categories].index(slug)
            items = [s for s in stories if s.category == index]
            if query.get("format") == "feed":
                kind = "atom" if query.get("type") == "atom" and self.variant == "3" else "rss"
                return self._feed_page(common, state, categories[index], items[:10], kind)
            start = query.get("start") or query.get("limitstart") or "0"
            if not start.isdigit() or int(start) >= max(1, len(items)):
                return self._missing(common, state)
            return self._listing_page(common, state, categories[index], items, target)
        titles = {
            "/": None,
            "/content/frontpage": None,
            "/component/mailto": "Gửi liên kết này tới bạn bè",
            "/mailto": "Gửi liên kết này tới bạn bè",
            "/component/search": "Tìm kiếm",
            "/search": "Tìm kiếm",
            "/component/users": "Quên mật khẩu",
            "/user/reset": "Quên mật khẩu",
            "/contact/contact": "Liên hệ",
        }
        if special not in titles:
            return self._missing(common, state) if self.variant == "1" else None
        if titles[special] is None:
            featured, blocks = stories[:5], self._blocks(stories)
            return self._page(common, target, "home.html", state.updated, featured=featured, blocks=blocks)
        return self._page(common, target, "page.html", state.updated, title=titles[special], items=[])

    def _missing(self, common: dict[str, Any], state: SiteState) -> Page:
        """Joomla's own error page: an unknown article or component answers 404 (not the home page)."""
        return self._page(common, "/404", "404.html", state.updated, status=404)

    @property
    def _static(self) -> dict[str, str]:
        if self.variant == "3":
            return {"/gioi-thieu.html": "Giới thiệu", "/lien-he.html": "Liên hệ"}
        return {"/index.php?option=com_content&view=article&id=5&Itemid=2": "Giới thiệu"}

    def mailto(self, url: str) -> str:
        """The ``link`` of the e-mail popup: a hash of the URL (3.x), the URL in base64 (1.5)."""
        if self.variant == "3":
            return hashlib.sha1(url.encode()).hexdigest()
        return base64.b64encode(url.encode()).decode()
