"""A home-made provincial portal whose category listings load through bare HTML fragments.

Origin: home-made ASP.NET MVC and PHP portals of Vietnamese districts and departments, and
the load-more code of Vietnamese CMSs on GitHub: ``duongnguyen2k2/portal-en-v5`` (a
district/commune portal CMS: ``Views/Articles/GetByCat.cshtml``, ``Views/Articles/Detail.cshtml``,
``Views/Shared/Templates/ThemeVPUB/_Layout.cshtml``: ``/{alias}-{id}.html`` articles,
``article-item`` rows with ``(PublishUpShow)``, "Thông báo", "Liên kết website" as a
``<select>``, right-aligned ``AuthorName``); ``Hoangquan-061199/Sundiva``
(``Views/PartialContent/PartialNews.cshtml`` + ``wwwroot/html/process/tags.js``: the first
items in the page, then a partial view of ``item-news`` blocks ending in a ``btn-block``
whose button carries the next page, appended by jQuery); ``duy-humg/doan`` (FinalStyle PHP
CMS, ``modules/news/views/cat/default.php`` + ``assets/js/cat.js``: "Xem thêm" with
``data-nextpage``, ``index.php?module=news&view=cat&raw=1&task=loadmore`` answering bare
HTML); ``quochoangvp/mvc_cms`` (``app/views/home/index.php``: ``$.post(… + page)`` appending
the answer); Thanh Niên's ``/timelinelist/{cat}/{n}.htm`` fragments (VCCorp vendor CMS).

Variant a (ASP.NET MVC, IIS: any URL casing answers): the category page shows 6 items and a
``<button class="btn-xem-them" data-url="/Articles/LoadMore?CatId=12&Page=2">``; the fragment
is only ``article-item`` blocks and the next button, until the last one. No ``?page=N``.
Variant b (PHP): ``onclick="loadMore(3, 2)"`` with ``$.get('/ajax/news/list?cat=' + cat +
'&page=' + p)`` in an inline script; the fragment is ``<li>`` items and a next ``li-more``
with its own ``onclick``. The plain URLs a generic reader can find are the ``<noscript>``
pager of server-rendered ``?page=N`` pages (what the PHP page renders without JavaScript),
not the fragment URLs, which only appear in script text. Weekday dates, a bold sapo,
"Tin, ảnh: X" bylines or "Theo X", deleted articles answer 410.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scheduler.demo.mirror import GeneratedPages, Page
from zoo.family import HTML, TEXT, WEEKDAYS, Family, make_page, nearest, split, spread
from zoo.stories import SiteState, Story


class Fragment(Family):
    name = "fragment"
    variants = ("a", "b")
    origin = "home-made ASP.NET MVC / PHP district and department portals with load-more HTML fragments"
    stable_old_pages = False  # "Tin mới" and "Tin đọc nhiều" on every page

    def __init__(self, variant: str, site_id: str = "", cfg: dict[str, Any] | None = None) -> None:
        super().__init__(variant, site_id, cfg)
        self.disallowed = ("/Admin/", "/tim-kiem.html") if variant == "a" else ("/admin/", "/tim-kiem.html")
        self.categories: list[dict[str, Any]] = self.cfg["categories"]

    def path(self, story: Story) -> str:
        category = self.categories[story.category]
        return str(self.cfg["article"]).format(slug=story.slug, id=story.id, cat=category["slug"])

    def listings(self) -> tuple[str, ...]:
        return tuple(c["first"] for c in self.categories)

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        first, second = self.categories[:2]
        paths = ["/", first["first"], first["more"].format(n=2), second["first"], second["more"].format(n=3)]
        paths += ["/gioi-thieu.html", "/lien-he.html"]
        if self.variant == "a":
            return (*paths, "/thong-bao.html")
        return (*paths, "/index.php", first["page"].format(n=2), "/van-ban/thong-bao.html")

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        base = base_url.rstrip("/")
        pages: dict[str, Page] = {}
        stories, updated = state.stories, state.updated
        folder = self.variant
        common: dict[str, Any] = {
            "site": self.cfg,
            "base": base,
            "categories": self.categories,
            "url_of": self.path,
            "latest": stories[:6],
            "most_read": spread(stories, 6, salt=3),
            "updated": updated,
            "today": f"{WEEKDAYS[updated.weekday()]}, {updated:%d/%m/%Y}",
        }
        add = self.html_maker(pages, common)
        by_category = [[s for s in stories if s.category == i] for i in range(len(self.categories))]
        blocks = [(c, items[:4]) for c, items in zip(self.categories, by_category, strict=True)]
        add("/", f"{folder}/home.html", updated, featured=stories[:5], blocks=blocks)
        if self.variant == "b":
            pages["/index.php"] = pages["/"]
        for category, items in zip(self.categories, by_category, strict=True):
            self._listing(add, category, items, updated)
        for story in stories:
            category = self.categories[story.category]
            add(
                self.path(story),
                f"{folder}/article.html",
                story.modified,
                story=story,
                category=category,
                related=nearest(story, stories, 5 if self.variant == "b" else 3),
                others=nearest(story, stories, 5, same_category=False),
                views=97 + story.id * 37 % 1900,
            )
        notices = "/thong-bao.html" if self.variant == "a" else "/van-ban/thong-bao.html"
        login = "/Admin/Account/Login" if self.variant == "a" else "/admin/login.php"
        for path, title in (
            ("/gioi-thieu.html", "Giới thiệu"),
            ("/lien-he.html", "Liên hệ"),
            (notices, "Thông báo"),
            ("/tim-kiem.html", "Tìm kiếm"),
            (login, "Đăng nhập"),
        ):
            add(path, f"{folder}/page.html", updated, title=title)
        admin = "\n".join(f"Disallow: {p}" for p in self.disallowed)
        pages["/robots.txt"] = make_page(f"User-agent: *\n{admin}\n", TEXT, updated)
        if self.variant == "b":
            self.gone_page(state, pages, "b/gone.html", common)
        not_found = make_page(self.env.get_template(f"{folder}/404.html").render(common, path="/404"), HTML, updated)
        if self.variant == "a":  # IIS and MVC routes: any casing of a path or of the query answers
            folded = {key.casefold(): page for key, page in pages.items()}
            return GeneratedPages(pages, functools.partial(self._any_case, folded, updated)), not_found
        return pages, not_found

    def _listing(
        self,
        add: Callable[..., None],
        category: dict[str, Any],
        items: Sequence[Story],
        updated: datetime,
    ) -> None:
        """The category page (page 1), the fragments of pages 1 to the last, and (b) full ``?page=N`` pages."""
        folder = self.variant
        chunks = split(items, int(self.cfg["per_page"]))
        count = len(chunks)
        full = [category["first"], *(category.get("page", "").format(n=n) for n in range(2, count + 1))]
        for number, chunk in enumerate(chunks, start=1):
            following = number + 1 if number < count else None
            context = {
                "category": category,
                "items": chunk,
                "next_page": following,
                "next_more": category["more"].format(n=following) if following else None,
                "page_number": number,
                "page_count": count,
                "pages": full,
            }
            if number == 1 or self.variant == "b":
                add(full[number - 1], f"{folder}/listing.html", updated, **context)
            add(category["more"].format(n=number), f"{folder}/fragment.html", updated, **context)

    @staticmethod
    def _any_case(folded: dict[str, Page], updated: datetime, target: str) -> Page | None:
        """Any casing of a page; a ``LoadMore`` page past the last answers 200 with nothing in it."""
        page = folded.get(target.casefold())
        parts = urlsplit(target.casefold())
        query = dict(parse_qsl(parts.query))
        if page is None and parts.path == "/articles/loadmore" and query.get("page", "").isdigit():
            first = folded.get(f"{parts.path}?catid={query.get('catid')}&page=1")
            return None if first is None else make_page("", HTML, updated)
        return page
