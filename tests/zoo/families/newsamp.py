"""A provincial newspaper (merged with the province's radio and TV in 2025) on a vendor CMS with AMP pages.

Origin: the two CMSs provincial newspapers run, as public scrapers and feed bridges read them.
Variant ``a``, the ``-post<id>.html`` CMS of nhandan.vn, tienphong.vn, sggp.org.vn and provincial
papers (baogialai.com.vn, baohatinh.vn): ``h1.article__title.cms-title``, ``h2.article__sapo.cms-desc``,
``div.article__body.zce-content-body.cms-body`` with an inline ``related-news`` box of ``article.story``,
``.article__author.cms-author`` and ``time.time[datetime]`` under the headline, listings of
``.box-content.content-list .story`` with ``h2 a`` and a "Xem thêm" (``.btn-timeline-more``) button
(giapham123/crawl-news-python ``config.py``; DIYgod/RSSHub ``lib/routes/sggp`` and ``nhandan``; the
tienphong/hanoimoi selectors of a crawler config; the sggp "dttc" fixture of a news-service test).
Variant ``b``, the older provincial CMS as a crawl-source table of Báo Nghệ An records it
(``.article h1.title``, ``#content > p:first-child > strong`` sapo, inline ``table.rl`` related box,
``#tags_list > a``, ``#nav > a`` breadcrumb, listings ``ul#cate-content > li.item .bgborder`` with
``h1 > a``, ``div.lead``, ``a.avatar > img``), ``/<category>/<slug>-<id>.html`` as on baohaiduong.vn,
bold right-aligned bylines at the end of ``div.fck``/``#content``. Both: ``/rss/<category>.rss``
(the provincial feed list of a Vietnamese news aggregator), a sitemap index with a news sitemap,
AMP pages (``<html amp>``, ``amp-img``, ``amp-analytics``, canonical to the desktop page) announced by
``rel=amphtml`` and linked from "Phiên bản di động" links and the AMP pages' own related boxes.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup

from scheduler.demo.mirror import GeneratedPages, Page
from zoo.family import HTML, RSS, TEXT, XML, Family, make_page, nearest, paged, split, spread, tags
from zoo.stories import SiteState, Story

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
LINKS = (
    ("Cổng Thông tin điện tử Chính phủ", "https://chinhphu.vn"),
    ("Báo điện tử Đảng Cộng sản Việt Nam", "https://dangcongsan.vn"),
    ("Cổng thông tin điện tử tỉnh Cao Bằng", "https://caobang.gov.vn"),
    ("Cổng thông tin điện tử tỉnh Thái Nguyên", "https://thainguyen.gov.vn"),
    ("Cổng thông tin điện tử tỉnh Lạng Sơn", "https://langson.gov.vn"),
)
NOTICES = (
    "Thông báo tuyển dụng viên chức năm 2025",
    "Thông báo về việc tiếp nhận tin, bài cộng tác",
    "Thông báo lịch phát sóng chương trình Thời sự trên kênh truyền hình của tỉnh",
)


class NewsAmp(Family):
    name = "newsamp"
    variants = ("a", "b")
    origin = "Provincial newspaper CMSs (-post<id>.html vendor CMS; /<category>/<slug>-<id>.html CMS) with AMP pages"
    held_out = False
    stable_old_pages = False  # "Tin mới" and "Đọc nhiều" on every page

    def __init__(self, variant: str, site_id: str = "", cfg: dict[str, Any] | None = None) -> None:
        super().__init__(variant, site_id, cfg)
        self.search = "/tim-kiem" if variant == "a" else "/search"
        self.disallowed = (self.search,)
        rss = tuple(f"/rss/{c['slug']}.rss" for c in self.cfg["categories"])
        self.feeds = ("/rss/home.rss", *rss, "/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/articles.xml")
        self.media = ("/video/", "/anh/") if variant == "a" else ("/multimedia/video.html", "/multimedia/anh.html")
        self.tag_prefix = "/tu-khoa/" if variant == "a" else "/tag/"

    # -- URLs ---------------------------------------------------------------------------

    def path(self, story: Story) -> str:
        if self.variant == "a":
            return f"/{story.slug}-post{story.id}.html"
        return f"/{self.cfg['categories'][story.category]['slug']}/{story.slug}-{story.id}.html"

    def amp_path(self, story: Story) -> str:
        return "/amp" + self.path(story)

    def listings(self) -> tuple[str, ...]:
        return tuple(c["first"] for c in self.cfg["categories"])

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        first, second = self.cfg["categories"]
        tag = next(iter(tags(state.stories)))
        extra = ("/amp/",) if self.variant == "b" else ()
        return (
            "/",
            first["first"],
            first["page"].format(n=2),
            second["first"],
            *self.media,
            f"{self.tag_prefix}{tag}.html",
            "/gioi-thieu.html",
            "/lien-he.html",
            "/thong-bao.html",
            "/rss.html",
            *extra,
        )

    def printed(self, when: datetime) -> str:
        """The date line as the CMS prints it."""
        if self.variant == "a":
            return f"{WEEKDAYS[when.weekday()]}, {when:%d/%m/%Y - %H:%M}"
        return f"{when:%H:%M} ngày {when:%d/%m/%Y}"

    # -- pages --------------------------------------------------------------------------

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        base = base_url.rstrip("/")
        stories, updated, v = state.stories, state.updated, self.variant
        categories = self.cfg["categories"]
        pages: dict[str, Page] = {}
        common: dict[str, Any] = {
            "site": self.cfg,
            "variant": v,
            "base": base,
            "categories": categories,
            "url_of": self.path,
            "amp_of": self.amp_path,
            "when": self.printed,
            "today": f"{WEEKDAYS[updated.weekday()]}, {updated:%d/%m/%Y}",
            "latest": stories[:6],
            "most_read": spread(stories, 6, salt=len(stories) // 3),
            "hot_tags": list(tags(stories).items())[:5],
            "tag_prefix": self.tag_prefix,
            "search": self.search,
            "media": self.media,
            "links": LINKS,
            "notices": NOTICES,
        }
        add = self.html_maker(pages, common)
        blocks = [(c, [s for s in stories if s.category == i][:5]) for i, c in enumerate(categories)]
        add("/", f"{v}/home.html", updated, featured=stories[0], blocks=blocks, photos=stories[6:10])
        for index, category in enumerate(categories):
            self._listing(add, category, [s for s in stories if s.category == index], updated)
        for slug, (tag, tagged) in tags(stories).items():
            add(f"{self.tag_prefix}{slug}.html", f"{v}/listing.html", updated, heading=tag, items=tagged, pager=[])
        for story in stories:
            related = nearest(story, stories, 4)
            others = [s for s in stories if s.category != story.category]  # "Tin liên quan" inside the body
            inline = nearest(story, others, 2, same_category=False)
            context = {"story": story, "related": related, "category": categories[story.category]}
            jsonld = self._jsonld(story, base)
            add(
                self.path(story),
                f"{v}/article.html",
                story.modified,
                inline=inline,
                amp=self.amp_path(story),
                jsonld=jsonld,
                **context,
            )
            add(self.amp_path(story), "amp.html", story.modified, jsonld=jsonld, **context)
        if v == "b":
            add("/amp/", "amp_home.html", updated, items=stories[:15])
        add(self.media[0], f"{v}/media.html", updated, kind="video", items=stories[:6])
        add(self.media[1], f"{v}/media.html", updated, kind="photo", items=stories[2:10])
        for path, title in (
            ("/gioi-thieu.html", "Giới thiệu"),
            ("/lien-he.html", "Liên hệ"),
            ("/thong-bao.html", "Thông báo"),
            ("/rss.html", "RSS"),
        ):
            add(path, f"{v}/page.html", updated, title=title)
        self._feeds(pages, state, base)
        self.gone_page(state, pages, f"{v}/notfound.html", common)
        not_found = self.env.get_template(f"{v}/notfound.html").render(common, path="")
        generate = functools.partial(self._moved, {s.id: self.path(s) for s in stories}, base, updated)
        return GeneratedPages(pages, generate), make_page(not_found, HTML, updated)

    def _listing(
        self, add: Callable[..., None], category: dict[str, Any], items: Sequence[Story], updated: datetime
    ) -> None:
        chunks = split(items, int(self.cfg["per_page"]))
        pager = [(n, paged(category["first"], category["page"], n)) for n in range(1, len(chunks) + 1)]
        for number, chunk in enumerate(chunks, start=1):
            add(
                pager[number - 1][1],
                f"{self.variant}/listing.html",
                updated,
                heading=category["name"],
                category=category,
                items=chunk,
                pager=pager,
                page_number=number,
                next_path=pager[number][1] if number < len(chunks) else None,
            )

    def _moved(self, by_id: dict[int, str], base: str, updated: datetime, target: str) -> Page | None:
        """Variant a answers ``/<any slug>-post<id>.html`` with a 301 to the article's own slug, as the CMS does."""
        found = re.fullmatch(r"/[a-z0-9-]*-post(\d+)\.html", target.split("?", 1)[0])
        if self.variant != "a" or not found or int(found[1]) not in by_id:
            return None
        return make_page("", HTML, updated, status=301, headers=(("Location", base + by_id[int(found[1])]),))

    def _jsonld(self, story: Story, base: str) -> Markup:
        """NewsArticle data (the desktop page of variant a, the AMP pages of both), the paper as its author."""
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": base + self.path(story)},
            "headline": story.title,
            "description": story.summary,
            "image": {"@type": "ImageObject", "url": f"{base}/images/{story.published:%Y/%m/%d}/{story.id}.jpg"},
            "datePublished": story.published.isoformat(),
            "dateModified": story.modified.isoformat(),
            "author": {"@type": "Organization", "name": self.cfg["short"]},
            "publisher": {"@type": "Organization", "name": self.cfg["name"], "logo": base + "/images/logo.png"},
        }
        return Markup(json.dumps(data, ensure_ascii=False).replace("</", "<\\/"))

    def _feeds(self, pages: dict[str, Page], state: SiteState, base: str) -> None:
        env, updated, stories = self.env, state.updated, state.stories
        robots = (
            f"User-agent: *\nDisallow: {self.search}\nDisallow: /admin/\nDisallow: /api/\n\n"
            f"Sitemap: {base}/sitemap.xml\n"
        )
        pages["/robots.txt"] = make_page(robots, TEXT, updated)
        feeds: list[tuple[str, str, Sequence[Story]]] = [("home", self.cfg["short"], stories)]
        feeds += [
            (c["slug"], c["name"], [s for s in stories if s.category == i])
            for i, c in enumerate(self.cfg["categories"])
        ]
        for slug, title, items in feeds:
            rss = env.get_template("rss.xml").render(
                title=f"{self.cfg['short']} - {title}" if slug != "home" else title,
                link=base + "/",
                items=[{"story": s, "link": base + self.path(s)} for s in items[:20]],
                updated=updated,
                self_url=f"{base}/rss/{slug}.rss",
            )
            pages[f"/rss/{slug}.rss"] = make_page(rss, RSS, updated)
        maps = [f"{base}/sitemaps/news.xml", f"{base}/sitemaps/articles.xml", f"{base}/sitemaps/categories.xml"]
        pages["/sitemap.xml"] = make_page(
            env.get_template("sitemapindex.xml").render(sitemaps=maps, lastmod=updated), XML, updated
        )
        recent = [(base + self.path(s), s.modified, s) for s in stories if s.published >= updated - timedelta(days=2)]
        pages["/sitemaps/news.xml"] = make_page(
            env.get_template("urlset.xml").render(urls=recent, news={"name": self.cfg["short"]}), XML, updated
        )
        every = [(base + self.path(s), s.modified, None) for s in stories]
        pages["/sitemaps/articles.xml"] = make_page(env.get_template("urlset.xml").render(urls=every), XML, updated)
        listing = [(base + p, updated, None) for p in ("/", *self.listings(), *self.media)]
        pages["/sitemaps/categories.xml"] = make_page(env.get_template("urlset.xml").render(urls=listing), XML, updated)
