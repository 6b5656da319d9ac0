"""The longform ("eMagazine") pages of a provincial newspaper, beside its ordinary articles.

Origin: the longform skins Vietnamese newspapers use, as public scrapers read them. Skin ``a``, the
"e-magazine" layout of Dân Trí's Dmagazine copied by provincial papers: ``article.e-magazine.d-magazine``,
a ``div.e-magazine__cover`` whose image carries the headline (scrapers fall back to its ``img[alt]``
for want of an ``h1``), ``h2.e-magazine__sapo.sapo-top``, ``div.e-magazine__body`` of ``p`` and
``figure.image.align-center`` with lazy ``img[data-original]`` and ``figcaption``, the credits as a
right-aligned line at the end of the body (which scrapers must drop), ``e-magazine__meta-item`` for the
date, listings ``/<category>.htm`` and ``/<category>/trang-N.htm`` (the ``e-magazine`` branches of
public Java, C#, PHP and Python Dân Trí parsers found by code search). Skin ``b``,
the "sc-longform" builder of hanoimoi.vn, congly.vn and nguoiquansat.vn: ``div.sc-longform-header``
inside ``article.entry``, ``sc-longform-header-title block-sc-title``, ``p.sc-longform-header-sapo
block-sc-sapo``, ``span.sc-longform-header-date block-sc-publish-time`` (``%d/%m/%Y - %H:%M``),
``sc-longform-header-meta`` with the credits, ``div.sc-empty-layer`` spacers (giapham123/crawl-news-python
``config.py`` for congly.vn/baotintuc.vn; public crawler rules for nguoiquansat.vn and hanoimoi.vn).
Both: no sidebars, the date printed small, little or no metadata, a section listing of cover tiles,
ordinary listings mixing longforms with news.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from scheduler.demo.mirror import Page
from zoo.family import HTML, RSS, TEXT, XML, Family, make_page, nearest, paged, split, spread
from zoo.stories import SiteState, Story

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
LINKS = (
    ("Cổng Thông tin điện tử Chính phủ", "https://chinhphu.vn"),
    ("Báo Nhân Dân điện tử", "https://nhandan.vn"),
    ("Cổng thông tin điện tử tỉnh Tuyên Quang", "https://tuyenquang.gov.vn"),
    ("Cổng thông tin điện tử tỉnh Lào Cai", "https://laocai.gov.vn"),
)
NOTICES = ("Thông báo tuyển dụng viên chức năm 2025", "Thể lệ cuộc thi ảnh “Sắc màu quê hương”")


class EMagazine(Family):
    name = "emagazine"
    variants = ("a", "b")
    origin = "Longform skins of Vietnamese newspapers (Dmagazine e-magazine layout; sc-longform builder)"
    held_out = False
    stable_old_pages = False  # "Tin mới" on the ordinary pages

    def __init__(self, variant: str, site_id: str = "", cfg: dict[str, Any] | None = None) -> None:
        super().__init__(variant, site_id, cfg)
        self.ext = ".htm" if variant == "a" else ".html"
        self.search = "/tim-kiem.htm" if variant == "a" else "/tim-kiem"
        self.disallowed = (self.search,)
        rss = tuple(f"/rss/{c['slug']}.rss" for c in self.cfg["categories"]) if variant == "a" else ()
        self.feeds = ("/rss/home.rss", *rss, "/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/articles.xml")

    @staticmethod
    def longform(story: Story) -> bool:
        return story.id % 2 == 0

    def path(self, story: Story) -> str:
        folder = self.cfg["section"]["slug"] if self.longform(story) else self.cfg["categories"][story.category]["slug"]
        return f"/{folder}/{story.slug}-{story.id}{self.ext}"

    def listings(self) -> tuple[str, ...]:
        return (*(c["first"] for c in self.cfg["categories"]), self.cfg["section"]["first"])

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        first, second = self.cfg["categories"]
        section = self.cfg["section"]
        pages = (first["first"], first["page"].format(n=2), second["first"], section["first"])
        return ("/", *pages, section["page"].format(n=2), f"/gioi-thieu{self.ext}", f"/lien-he{self.ext}")

    def printed(self, when: datetime, longform: bool) -> str:
        """Longforms print the date small (skin a ``05/03/2014 | 00:01``, skin b ``05/03/2014 - 00:01``)."""
        if longform:
            return f"{when:%d/%m/%Y | %H:%M}" if self.variant == "a" else f"{when:%d/%m/%Y - %H:%M}"
        return f"{WEEKDAYS[when.weekday()]}, {when:%d/%m/%Y - %H:%M}"

    def credits(self, story: Story) -> str:
        """The longform's credits: writer (the byline), photographer, designer."""
        photo = self.cfg["photographers"][story.id % len(self.cfg["photographers"])]
        design = self.cfg["designers"][story.id % len(self.cfg["designers"])]
        writer = f"Bài: {story.author} - " if story.author else ""
        return f"{writer}Ảnh: {photo} - Thiết kế: {design}"

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        base = base_url.rstrip("/")
        stories, updated, v = state.stories, state.updated, self.variant
        categories, section = self.cfg["categories"], self.cfg["section"]
        longforms = [s for s in stories if self.longform(s)]
        pages: dict[str, Page] = {}
        common: dict[str, Any] = {
            "site": self.cfg,
            "variant": v,
            "base": base,
            "ext": self.ext,
            "categories": categories,
            "section": section,
            "url_of": self.path,
            "is_longform": self.longform,
            "when": self.printed,
            "today": f"{WEEKDAYS[updated.weekday()]}, {updated:%d/%m/%Y}",
            "latest": stories[:6],
            "most_read": spread(stories, 5, salt=len(stories) // 4),
            "search": self.search,
            "links": LINKS,
            "notices": NOTICES,
        }
        add = self.html_maker(pages, common)
        blocks = [(c, [s for s in stories if s.category == i][:5]) for i, c in enumerate(categories)]
        ordinary = [s for s in stories if not self.longform(s)]
        add("/", "home.html", updated, featured=ordinary[0], blocks=blocks, covers=longforms[:4])
        for index, category in enumerate(categories):
            items = [s for s in stories if s.category == index]
            self._listing(add, "listing.html", category, items, updated)
        self._listing(add, "covers.html", section, longforms, updated)
        for story in stories:
            if self.longform(story):
                others = [s for s in longforms if s.id != story.id][:3]
                add(
                    self.path(story),
                    f"longform_{v}.html",
                    story.modified,
                    story=story,
                    others=others,
                    credits=self.credits(story),
                    photos=self._photos(story),
                )
            else:
                related = nearest(story, stories, 4)
                add(
                    self.path(story),
                    "article.html",
                    story.modified,
                    story=story,
                    related=related,
                    category=categories[story.category],
                )
        for slug, title in (("gioi-thieu", "Giới thiệu"), ("lien-he", "Liên hệ")):
            add(f"/{slug}{self.ext}", "page.html", updated, title=title)
        self._feeds(pages, state, base)
        self.gone_page(state, pages, "notfound.html", common)
        not_found = self.env.get_template("notfound.html").render(common, path="")
        return pages, make_page(not_found, HTML, updated)

    @staticmethod
    def _photos(story: Story) -> list[str]:
        """The large images between a longform's sections (the first one carries the caption)."""
        return [f"/images/longform/{story.published:%Y/%m}/{story.id}/anh-{n}.jpg" for n in range(1, 5)]

    def _listing(
        self,
        add: Callable[..., None],
        template: str,
        category: dict[str, Any],
        items: Sequence[Story],
        updated: datetime,
    ) -> None:
        chunks = split(items, int(self.cfg["per_page"]))
        pager = [(n, paged(category["first"], category["page"], n)) for n in range(1, len(chunks) + 1)]
        for number, chunk in enumerate(chunks, start=1):
            add(
                pager[number - 1][1],
                template,
                updated,
                category=category,
                items=chunk,
                pager=pager,
                page_number=number,
                next_path=pager[number][1] if number < len(chunks) else None,
            )

    def _feeds(self, pages: dict[str, Page], state: SiteState, base: str) -> None:
        env, updated, stories = self.env, state.updated, state.stories
        robots = f"User-agent: *\nDisallow: {self.search}\nDisallow: /admin/\n\nSitemap: {base}/sitemap.xml\n"
        pages["/robots.txt"] = make_page(robots, TEXT, updated)
        feeds: list[tuple[str, Sequence[Story]]] = [("home", stories)]
        if self.variant == "a":
            feeds += [
                (c["slug"], [s for s in stories if s.category == i]) for i, c in enumerate(self.cfg["categories"])
            ]
        for slug, items in feeds:
            rss = env.get_template("rss.xml").render(
                title=self.cfg["short"],
                link=base + "/",
                items=[{"story": s, "link": base + self.path(s)} for s in items[:20]],
                updated=updated,
                self_url=f"{base}/rss/{slug}.rss",
            )
            pages[f"/rss/{slug}.rss"] = make_page(rss, RSS, updated)
        maps = [f"{base}/sitemaps/news.xml", f"{base}/sitemaps/articles.xml"]
        pages["/sitemap.xml"] = make_page(
            env.get_template("sitemapindex.xml").render(sitemaps=maps, lastmod=updated), XML, updated
        )
        recent = [(base + self.path(s), s.modified, s) for s in stories if s.published >= updated - timedelta(days=2)]
        pages["/sitemaps/news.xml"] = make_page(
            env.get_template("urlset.xml").render(urls=recent, news={"name": self.cfg["short"]}), XML, updated
        )
        every = [(base + self.path(s), s.modified, None) for s in stories]
        pages["/sitemaps/articles.xml"] = make_page(env.get_template("urlset.xml").render(urls=every), XML, updated)
