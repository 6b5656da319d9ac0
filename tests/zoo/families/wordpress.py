"""A district WordPress site.

Origin: WordPress district and commune sites of Lạng Sơn (``/YYYY/MM/DD/slug/``,
``/category/tin-tuc/page/N/``): an endless calendar widget (any ``/YYYY/MM/`` answers),
``?s=`` search, ``utm_*`` links, print and no-trailing-slash variants, RSS/Atom feeds and
the core ``wp-sitemap.xml``.

Variant b: another district on an older WordPress (4.9: no core sitemap) with PATHINFO
permalinks as on Windows hosting (``/index.php/%year%/%monthnum%/%postname%/``, categories
``/index.php/category/<slug>/page/N/``), a Vietnamese-made theme printing the day only as
"23 Tháng Tám, 2022" (``j F, Y`` in the vi locale) and "Đăng bởi: X" (nothing for the admin
account), WP-PageNavi ("Trang 1 của 3"), a "Tin nổi bật" widget linking ``/?p=ID`` and the
core ``rel=shortlink``, which ``redirect_canonical`` (``wp-includes/canonical.php``) answers
with a 301 to the permalink, as it does ``/?cat=N``, ``…/page/1/`` (the menu's custom links
write page 1 explicitly) and a permalink without its trailing slash. RSS only, no Atom.
"""

from __future__ import annotations

import calendar
import functools
import html as html_lib
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit

from markupsafe import Markup

from scheduler.demo.mirror import GeneratedPages, Page
from zoo.family import ATOM, HTML, RSS, TEXT, XML, Family, FixtureSite, make_page, nearest, paged, split, spread, tags
from zoo.stories import SiteState, States, Story, slugify

MONTHS = ("Một", "Hai", "Ba", "Tư", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười", "Mười Một", "Mười Hai")


def vietnamese_date(story: Story) -> str:
    """WordPress's ``j F, Y`` in the vi locale: ``23 Tháng Tám, 2022``."""
    when = story.published
    return f"{when.day} Tháng {MONTHS[when.month - 1]}, {when.year}"


class WordPress(Family):
    name = "wordpress"
    variants = ("a", "b")
    stable_old_pages = False  # the "Bài viết mới" widget on every page
    per_page = 10
    disallowed = ("/wp-admin/",)
    traps = (r"^/\d{4}/\d{2}/(\?.*)?$", r"[?&]s=")
    feeds = ("/feed/", "/feed/atom/", "/wp-sitemap.xml", "/wp-sitemap-posts-post-1.xml")
    logins = {"Nguyễn Thu Hà": "thuha", "Hoàng Văn Minh": "vanminh", "Lương Thị Thảo": "thaoluong"}
    searches = ("nông thôn mới", "chuyển đổi số", "học bổng", "du lịch")

    def __init__(self, variant: str, site_id: str = "", cfg: dict[str, Any] | None = None) -> None:
        super().__init__(variant, site_id, cfg)
        if variant == "b":
            self.per_page = int(self.cfg["per_page"])
            self.traps = (r"[?&]s=",)
            self.feeds = ("/index.php/feed/",)

    def path(self, story: Story) -> str:
        if self.variant == "b":
            return f"/index.php/{story.published:%Y/%m}/{story.slug}/"
        return f"/{story.published:%Y/%m/%d}/{story.slug}/"

    def published(self, story: Story) -> str:
        return story.published.date().isoformat() if self.variant == "b" else story.published.isoformat()

    def listings(self) -> tuple[str, ...]:
        if self.variant == "b":
            return tuple(f"/index.php/category/{c['slug']}/" for c in self.cfg["categories"])
        return ("/category/tin-tuc/",)

    def fixture_site(self, states: States, today: date) -> FixtureSite:
        site = super().fixture_site(states, today)
        return replace(site, edit_signalled=False) if self.variant == "b" else site  # RSS has no <updated>

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        story = state.stories[-1]
        if self.variant == "b":
            first, second = self.listings()
            month = f"/index.php/{story.published:%Y/%m}/"
            pages = ("/", first, first + "page/2/", second, second + "page/3/", month)
            return (*pages, "/index.php/gioi-thieu/", "/index.php/lien-he/", "/wp-login.php")
        return (
            "/",
            "/category/tin-tuc/",
            "/category/tin-tuc/page/2/",
            f"/tag/{slugify(story.tags[0])}/",
            f"/author/{self.logins[str(story.author)]}/",
            f"/{story.published:%Y/%m/%d}/",
            f"/{story.published:%Y/%m}/",
            "/gioi-thieu/",
            "/lien-he/",
            "/wp-login.php",
        )

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        if self.variant == "b":
            return self._render_b(state, base_url)
        base = base_url.rstrip("/")
        pages: dict[str, Page] = {}
        stories, updated = state.stories, state.updated
        common = self._common(state, base)
        add = self.html_maker(pages, common)
        add("/", "home.html", updated, latest=stories[:5])
        self._archive(add, "/category/tin-tuc/", "Chuyên mục: Tin tức", stories, state)
        for slug, (tag, tagged) in tags(stories).items():
            self._archive(add, f"/tag/{slug}/", f"Thẻ: {tag}", tagged, state)
        for name, login in self.logins.items():
            self._archive(add, f"/author/{login}/", f"Tác giả: {name}", [s for s in stories if s.author == name], state)
        for day in sorted({s.published.date() for s in stories}):
            dated = [s for s in stories if s.published.date() == day]
            self._archive(add, f"/{day:%Y/%m/%d}/", f"Ngày: {day:%d/%m/%Y}", dated, state)
        for index, story in enumerate(stories):
            self._article(pages, add, story, stories, index)
        for path, title in (("/gioi-thieu/", "Giới thiệu"), ("/lien-he/", "Liên hệ"), ("/wp-login.php", "Đăng nhập")):
            add(path, "page.html", updated, title=title)
        pages["/wp-admin/"] = make_page("", HTML, updated, status=302, headers=(("Location", base + "/wp-login.php"),))
        self._feeds(pages, state, base)
        self.gone_page(state, pages, "gone.html", common)
        generate = functools.partial(self._generated, state, common)
        not_found = self.env.get_template("404.html").render(common, path="/404")
        return GeneratedPages(pages, generate), make_page(not_found, HTML, updated)

    def _common(self, state: SiteState, base: str) -> dict[str, Any]:
        months = sorted({(s.published.year, s.published.month) for s in state.stories}, reverse=True)
        utm = "?utm_source=trang-chu&utm_medium=widget&utm_campaign=tin-noi-bat"
        featured = [(s, self.path(s) + utm) for s in state.stories[8:13]]
        now = state.updated.date()
        return {
            "site": self.cfg,
            "base": base,
            "url_of": self.path,
            "recent": state.stories[:5],
            "calendar": self._calendar(state.stories, now.year, now.month),
            "featured": featured,
            "months": months,
            "logins": self.logins,
            "count": len(state.stories),
            "searches": [(term, "/?s=" + quote_plus(term)) for term in self.searches],
        }

    def _article(
        self, pages: dict[str, Page], add: Callable[..., None], story: Story, stories: Sequence[Story], index: int
    ) -> None:
        path = self.path(story)
        newer = stories[index - 1] if index > 0 else None
        older = stories[index + 1] if index + 1 < len(stories) else None
        add(
            path,
            "article.html",
            story.modified,
            story=story,
            related=nearest(story, stories, 3),
            newer=newer,
            older=older,
            tags=[(t, slugify(t)) for t in story.tags],
            calendar=self._calendar(stories, story.published.year, story.published.month),
        )
        pages[path.rstrip("/")] = pages[path]  # the same page without its trailing slash
        add(path + "?print=1", "print.html", story.modified, story=story)

    def _archive(
        self, add: Callable[..., None], first: str, heading: str, items: Sequence[Story], state: SiteState
    ) -> None:
        chunks = split(items, self.per_page)
        for number, chunk in enumerate(chunks, start=1):
            add(
                paged(first, first + "page/{n}/", number),
                "archive.html",
                state.updated,
                heading=heading,
                items=chunk,
                page_number=number,
                page_count=len(chunks),
                pages=[(n, paged(first, first + "page/{n}/", n)) for n in range(1, len(chunks) + 1)],
            )

    def _calendar(self, stories: Sequence[Story], year: int, month: int) -> dict[str, Any]:
        """The calendar widget of a month: days with posts linked, and the months either side, forever."""
        days = {s.published.day for s in stories if (s.published.year, s.published.month) == (year, month)}
        prev_year, prev_month = (year, month - 1) if month > 1 else (year - 1, 12)
        next_year, next_month = (year, month + 1) if month < 12 else (year + 1, 1)
        weeks = [
            [(d, f"/{year:04d}/{month:02d}/{d:02d}/" if d in days else None) for d in week]
            for week in calendar.monthcalendar(year, month)
        ]
        return {
            "caption": f"Tháng {month} {year}",
            "weeks": weeks,
            "prev": (f"« Th{prev_month}", f"/{prev_year:04d}/{prev_month:02d}/") if prev_year >= 1 else None,
            "next": (f"Th{next_month} »", f"/{next_year:04d}/{next_month:02d}/") if next_year <= 9999 else None,
        }

    def _generated(self, state: SiteState, common: dict[str, Any], target: str) -> Page | None:
        """Month archives (any month at all: the calendar trap) and search results (any term)."""
        parts = urlsplit(target)
        month = re.fullmatch(r"/(\d{4})/(\d{2})/", parts.path)
        if month and not parts.query and 1 <= int(month[1]) and 1 <= int(month[2]) <= 12:
            year, number = int(month[1]), int(month[2])
            items = [s for s in state.stories if (s.published.year, s.published.month) == (year, number)]
            heading = f"Tháng: Tháng {number} {year}"
            return self._listing_page(
                state, common, target, heading, items, self._calendar(state.stories, year, number)
            )
        search = re.fullmatch(r"/(?:page/(\d+)/)?", parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if search and set(query) == {"s"}:
            term = query["s"].strip().casefold()
            found = [s for s in state.stories if term in (s.title + "\n" + s.text).casefold()]
            chunks = split(found, self.per_page)
            number = int(search[1] or 1)
            if number > len(chunks):
                return None
            pager = [
                (n, paged("/", "/page/{n}/", n) + "?s=" + quote_plus(query["s"])) for n in range(1, len(chunks) + 1)
            ]
            return self._listing_page(
                state,
                common,
                target,
                f"Kết quả tìm kiếm cho: “{query['s']}”",
                chunks[number - 1],
                pager=pager,
                page_number=number,
            )
        return None

    def _listing_page(
        self,
        state: SiteState,
        common: dict[str, Any],
        path: str,
        heading: str,
        items: Sequence[Story],
        calendar_widget: dict[str, Any] | None = None,
        pager: list[tuple[int, str]] | None = None,
        page_number: int = 1,
    ) -> Page:
        pager = pager or [(1, path)]
        body = self.env.get_template("archive.html").render(
            common,
            path=path,
            heading=heading,
            items=items,
            page_number=page_number,
            page_count=len(pager),
            pages=pager,
            calendar=calendar_widget or common["calendar"],
            noindex=True,
        )
        return make_page(body, HTML, state.updated)

    def _feeds(self, pages: dict[str, Page], state: SiteState, base: str) -> None:
        env, updated, stories = self.env, state.updated, state.stories
        robots = (
            f"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\nSitemap: {base}/wp-sitemap.xml\n"
        )
        pages["/robots.txt"] = make_page(robots, TEXT, updated)
        items = [
            {
                "story": s,
                "link": base + self.path(s),
                "guid": f"{base}/?p={s.id}",
                "content": Markup("".join(f"<p>{html_lib.escape(p)}</p>\n" for p in s.paragraphs)),
                "content_html": "".join(f"<p>{p}</p>\n" for p in s.paragraphs),
            }
            for s in stories[:10]
        ]
        rss = env.get_template("rss.xml").render(
            title=self.cfg["name"],
            link=base + "/",
            items=items,
            updated=updated,
            self_url=base + "/feed/",
            category="Tin tức",
        )
        pages["/feed/"] = make_page(rss, RSS, updated)
        newest = max(s.modified for s in stories)
        atom = env.get_template("atom.xml").render(site=self.cfg, base=base, items=items, updated=newest)
        pages["/feed/atom/"] = make_page(atom, ATOM, updated)
        comments = env.get_template("rss.xml").render(
            title=f"Bình luận cho {self.cfg['name']}",
            link=base + "/",
            items=[],
            updated=updated,
            self_url=base + "/comments/feed/",
        )
        pages["/comments/feed/"] = make_page(comments, RSS, updated)
        maps = ["posts-post-1", "posts-page-1", "taxonomies-category-1", "taxonomies-post_tag-1", "users-1"]
        index = env.get_template("sitemapindex.xml").render(sitemaps=[f"{base}/wp-sitemap-{m}.xml" for m in maps])
        pages["/wp-sitemap.xml"] = make_page(index, XML, updated)
        urlsets = {
            "posts-post-1": [(base + self.path(s), s.modified, None) for s in stories],
            "posts-page-1": [(base + p, updated, None) for p in ("/gioi-thieu/", "/lien-he/")],
            "taxonomies-category-1": [(base + "/category/tin-tuc/", None, None)],
            "taxonomies-post_tag-1": [(f"{base}/tag/{slug}/", None, None) for slug in tags(stories)],
            "users-1": [(f"{base}/author/{login}/", None, None) for login in self.logins.values()],
        }
        for name, urls in urlsets.items():
            pages[f"/wp-sitemap-{name}.xml"] = make_page(env.get_template("urlset.xml").render(urls=urls), XML, updated)

    # -- variant b: WordPress 4.9, PATHINFO permalinks ---------------------------------

    def _render_b(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        base = base_url.rstrip("/")
        pages: dict[str, Page] = {}
        stories, updated = state.stories, state.updated
        categories = self.cfg["categories"]
        months = sorted({(s.published.year, s.published.month) for s in stories}, reverse=True)
        common: dict[str, Any] = {
            "site": self.cfg,
            "base": base,
            "url_of": self.path,
            "date_of": vietnamese_date,
            "categories": categories,
            "recent": stories[:5],
            "featured": spread(stories, 5, salt=2),
            "months": months,
        }
        add = self.html_maker(pages, common)

        def moved(path: str, target: str) -> None:
            pages[path] = make_page("", HTML, updated, status=301, headers=(("Location", base + target),))

        by_category = [[s for s in stories if s.category == i] for i in range(len(categories))]
        blocks = [(c, items[:5]) for c, items in zip(categories, by_category, strict=True)]
        add("/", "b/home.html", updated, latest=stories[:6], blocks=blocks)
        for category, items in zip(categories, by_category, strict=True):
            root = f"/index.php/category/{category['slug']}/"
            self._archive_b(add, root, category["name"], items, updated)
            moved(f"/?cat={category['id']}", root)
            moved(root + "page/1/", root)
        for year, month in months:
            dated = [s for s in stories if (s.published.year, s.published.month) == (year, month)]
            self._archive_b(add, f"/index.php/{year:04d}/{month:02d}/", f"Tháng {month} {year}", dated, updated)
        for index, story in enumerate(stories):
            path = self.path(story)
            add(
                path,
                "b/article.html",
                story.modified,
                story=story,
                category=categories[story.category],
                related=nearest(story, stories, 4),
                newer=stories[index - 1] if index > 0 else None,
                older=stories[index + 1] if index + 1 < len(stories) else None,
                views=35 + story.id * 29 % 1400,
            )
            moved(f"/?p={story.id}", path)
            moved(path.rstrip("/"), path)
        for path, title in (("/index.php/gioi-thieu/", "Giới thiệu"), ("/index.php/lien-he/", "Liên hệ")):
            add(path, "b/page.html", updated, title=title)
        add("/wp-login.php", "b/page.html", updated, title="Đăng nhập")
        pages["/wp-admin/"] = make_page("", HTML, updated, status=302, headers=(("Location", base + "/wp-login.php"),))
        robots = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
        pages["/robots.txt"] = make_page(robots, TEXT, updated)
        items = [{"story": s, "link": base + self.path(s), "guid": f"{base}/?p={s.id}"} for s in stories[:10]]
        rss = self.env.get_template("rss.xml").render(
            title=self.cfg["name"], link=base + "/", items=items, updated=updated, self_url=base + "/index.php/feed/"
        )
        pages["/index.php/feed/"] = make_page(rss, RSS, updated)
        not_found = self.env.get_template("b/404.html").render(common, path="/404")
        return GeneratedPages(pages, functools.partial(self._search_b, state, common)), make_page(
            not_found, HTML, updated
        )

    def _archive_b(
        self, add: Callable[..., None], first: str, heading: str, items: Sequence[Story], updated: datetime
    ) -> None:
        chunks = split(items, self.per_page)
        links = [paged(first, first + "page/{n}/", n) for n in range(1, len(chunks) + 1)]
        for number, chunk in enumerate(chunks, start=1):
            add(
                links[number - 1],
                "b/archive.html",
                updated,
                heading=heading,
                items=chunk,
                page_number=number,
                page_count=len(chunks),
                pages=links,
            )

    def _search_b(self, state: SiteState, common: dict[str, Any], target: str) -> Page | None:
        """``/?s=…`` (any term) and its pages ``/index.php/page/N/?s=…``."""
        parts = urlsplit(target)
        search = re.fullmatch(r"/(?:index\.php/page/(\d+)/)?", parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if not search or set(query) != {"s"}:
            return None
        term = query["s"].strip().casefold()
        chunks = split([s for s in state.stories if term in (s.title + "\n" + s.text).casefold()], self.per_page)
        number = int(search[1] or 1)
        if number > len(chunks):
            return None
        links = [
            paged("/", "/index.php/page/{n}/", n) + "?s=" + quote_plus(query["s"]) for n in range(1, len(chunks) + 1)
        ]
        body = self.env.get_template("b/archive.html").render(
            common,
            path=target,
            heading=f"Kết quả tìm kiếm: {query['s']}",
            items=chunks[number - 1],
            page_number=number,
            page_count=len(chunks),
            pages=links,
        )
        return make_page(body, HTML, state.updated)
