"""A provincial newspaper: variant ``a`` Báo Lạng Sơn style, variant ``b`` Báo Bạc Liêu on another vendor CMS.

Origin (a): baolangson.vn as described in ``shared/seeds/README.md`` (``/<slug>-<7 digits>.html``,
RSS ``/rss/home.rss``, weekday dates, uppercase bylines): category listings
``/thoi-su/trang-N.html`` with "next" links, a sitemap index (news sitemap + gzipped
sitemap), JSON-LD NewsArticle, tag and author pages.

Origin (b): the Mekong-delta provincial papers' CMS as crawler configs record it:
hailoc12/docbao ``resources/configs/newspaper/bao_bac_lieu_full_content.yaml`` and
``ca_mau_full_content.yaml`` (``div.date``, body ``div.newscontent`` whose first ``p`` is the
sapo, images in a ``p`` with the caption in an ``em`` in the next centred ``p``),
``baokontum_com_vn.yaml`` (sapo ``p > strong``), a provincial-site crawler config for
baohaugiang.com.vn (articles ``/<category>/<slug>-<id>.html``); real baobaclieu.vn URLs
(``/quoc-phong-an-ninh/<slug>-72306.html``, images ``/uploads/image/2021/08/06/…``) from a
news-app seed file; baocamau.vn listings ``/<category>/?page=86``. Traits: ``<title>`` "Báo X -
headline", ``<h1>`` headline, "Bài, ảnh: X" right under it, ``article:published_time`` in UTC
while the page prints Vietnam time, ``<meta name="author">`` = the paper, "Theo X" as the last
body line, an inline "Tin liên quan" box between two body paragraphs, "Tin cùng chuyên mục"
teasers, listings paged by relative ``?page=N`` links ("Xem tiếp"), every listing page
canonical to its first page, a sitemap index with monthly sitemaps and no RSS.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from markupsafe import Markup

from scheduler.demo.mirror import Page
from zoo.family import GZIP, HTML, RSS, TEXT, XML, Family, make_page, nearest, paged, split, spread, tags
from zoo.stories import SiteState, Story, slugify

PAGES_B = ("/gioi-thieu.html", "/lien-he.html", "/thong-bao/tuyen-cong-tac-vien.html", "/bang-gia-quang-cao.html")
TITLES_B = ("Giới thiệu", "Liên hệ", "Thông báo tuyển cộng tác viên", "Bảng giá quảng cáo")
LINKS_B = (
    ("Cổng TTĐT tỉnh Bạc Liêu", "https://baclieu.gov.vn/"),
    ("Báo điện tử Đảng Cộng sản Việt Nam", "https://dangcongsan.vn/"),
    ("Báo Cà Mau", "https://baocamau.vn/"),
    ("Báo Sóc Trăng", "https://baosoctrang.org.vn/"),
)


class Newspaper(Family):
    name = "newspaper"
    variants = ("a", "b")
    origin = "Provincial newspapers: baolangson.vn (a); baobaclieu.vn's vendor CMS, /<category>/<slug>-<id>.html (b)"
    per_page = 6
    disallowed = ("/tim-kiem",)
    feeds: tuple[str, ...] = ("/rss/home.rss", "/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/articles.xml.gz")

    def __init__(self, variant: str, site_id: str = "", cfg: dict[str, Any] | None = None) -> None:
        super().__init__(variant, site_id, cfg)
        if variant == "b":
            self.per_page = int(self.cfg["per_page"])
            self.feeds = ("/sitemap.xml", "/sitemaps/categories.xml")
            self.stable_old_pages = False  # "Tin mới nhất" and "Đọc nhiều" on every page

    def path(self, story: Story) -> str:
        if self.variant == "b":
            return f"{self.cfg['categories'][story.category]['first']}{story.slug}-{story.id}.html"
        return f"/{story.slug}-{story.id}.html"

    def listings(self) -> tuple[str, ...]:
        return tuple(c["first"] for c in self.cfg["categories"])

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        if self.variant == "b":
            first, second = self.cfg["categories"][:2]
            return ("/", first["first"], first["page"].format(n=2), second["page"].format(n=3), *PAGES_B[:3])
        tag = next(iter(tags(state.stories)))
        author = slugify(next(s.author for s in state.stories if s.author))
        return ("/", "/thoi-su", "/thoi-su/trang-2.html", f"/tag/{tag}", f"/tac-gia/{author}", "/lien-he.html")

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        if self.variant == "b":
            return self._render_b(state, base_url.rstrip("/"))
        base = base_url.rstrip("/")
        pages: dict[str, Page] = {}
        stories = state.stories
        categories = [dict(c, path=c["first"]) for c in self.cfg["categories"]]
        authors = sorted({s.author for s in stories if s.author})
        common: dict[str, Any] = {
            "site": self.cfg,
            "base": base,
            "categories": categories,
            "authors": [(name, f"/tac-gia/{slugify(name)}") for name in authors],
            "tags": [(tag, f"/tag/{slug}") for slug, (tag, _) in tags(stories).items()],
            "most_read": [s for s in stories if s.published < state.updated - timedelta(days=30)][3:8],
            "url_of": self.path,
        }
        add = self.html_maker(pages, common)
        add("/", "home.html", state.updated, latest=stories[:10], blocks=self._blocks(categories, stories))
        for index, category in enumerate(categories):
            self._listing(
                add,
                category["first"],
                category["page"],
                category["name"],
                [s for s in stories if s.category == index],
                state.updated,
            )
        for slug, (tag, tagged) in tags(stories).items():
            add(f"/tag/{slug}", "listing.html", state.updated, heading=f"Từ khóa: {tag}", items=tagged, pager=[])
        for name in authors:
            written = [s for s in stories if s.author == name]
            add(
                f"/tac-gia/{slugify(name)}",
                "listing.html",
                state.updated,
                heading=f"Tác giả: {name}",
                items=written,
                pager=[],
            )
        for story in stories:
            related = nearest(story, stories, 4)
            add(
                self.path(story),
                "article.html",
                story.modified,
                story=story,
                related=related,
                category=categories[story.category],
                jsonld=self._jsonld(story, base),
            )
        for path, title in (("/gioi-thieu.html", "Giới thiệu"), ("/lien-he.html", "Liên hệ"), ("/rss.html", "RSS")):
            add(path, "page.html", state.updated, title=title)
        add("/tim-kiem", "page.html", state.updated, title="Tìm kiếm")
        self._feeds(pages, state, base)
        self.gone_page(state, pages, "gone.html", common)
        not_found = self.env.get_template("404.html").render(common, path="")
        return pages, make_page(not_found, HTML, state.updated)

    def _blocks(self, categories: list[dict[str, Any]], stories: Sequence[Story]) -> list[tuple[dict, list[Story]]]:
        return [(c, [s for s in stories if s.category == i][:4]) for i, c in enumerate(categories)]

    def _listing(
        self, add: Callable[..., None], first: str, pattern: str, heading: str, items: list[Story], updated: datetime
    ) -> None:
        chunks = split(items, self.per_page)
        pager = [(n, paged(first, pattern, n)) for n in range(1, len(chunks) + 1)]
        for number, chunk in enumerate(chunks, start=1):
            add(
                paged(first, pattern, number),
                "listing.html",
                updated,
                heading=heading,
                items=chunk,
                pager=pager,
                page_number=number,
                next_path=pager[number][1] if number < len(chunks) else None,
                prev_path=pager[number - 2][1] if number > 1 else None,
            )

    def _jsonld(self, story: Story, base: str) -> Markup:
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": base + self.path(story)},
            "headline": story.title,
            "description": story.summary,
            "image": [f"{base}/uploads/{story.published:%Y/%m}/{story.slug}.jpg"],
            "datePublished": story.published.isoformat(),
            "dateModified": story.modified.isoformat(),
            "publisher": {"@type": "Organization", "name": self.cfg["name"], "logo": base + "/images/logo.png"},
        }
        if story.author:
            data["author"] = {"@type": "Person", "name": story.author}
        return Markup(json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/"))

    def _feeds(self, pages: dict[str, Page], state: SiteState, base: str) -> None:
        env, updated, stories = self.env, state.updated, state.stories
        robots = f"User-agent: *\nDisallow: /tim-kiem\nDisallow: /admin/\n\nSitemap: {base}/sitemap.xml\n"
        pages["/robots.txt"] = make_page(robots, TEXT, updated)
        items = [{"story": s, "link": base + self.path(s)} for s in stories[:20]]
        rss = env.get_template("rss.xml").render(
            title=self.cfg["name"], link=base + "/", items=items, updated=updated, self_url=base + "/rss/home.rss"
        )
        pages["/rss/home.rss"] = make_page(rss, RSS, updated)
        sitemaps = [f"{base}/sitemaps/news.xml", f"{base}/sitemaps/articles.xml.gz", f"{base}/sitemaps/categories.xml"]
        index = env.get_template("sitemapindex.xml").render(sitemaps=sitemaps, lastmod=updated)
        pages["/sitemap.xml"] = make_page(index, XML, updated)
        recent = [s for s in stories if s.published >= updated - timedelta(hours=48)]
        news = [(base + self.path(s), s.modified, s) for s in recent]
        pages["/sitemaps/news.xml"] = make_page(
            env.get_template("urlset.xml").render(urls=news, news=self.cfg), XML, updated
        )
        every = [(base + self.path(s), s.modified, None) for s in stories]
        body = env.get_template("urlset.xml").render(urls=every).encode("utf-8")
        pages["/sitemaps/articles.xml.gz"] = make_page(gzip.compress(body, mtime=0), GZIP, updated)
        listings = [(base + path, updated, None) for path in ("/", *self.listings())]
        pages["/sitemaps/categories.xml"] = make_page(
            env.get_template("urlset.xml").render(urls=listings), XML, updated
        )

    # -- variant b: Báo Bạc Liêu on its vendor CMS -------------------------------------------

    def _render_b(self, state: SiteState, base: str) -> tuple[dict[str, Page], Page]:
        pages: dict[str, Page] = {}
        stories = state.stories
        categories = [dict(c, path=c["first"]) for c in self.cfg["categories"]]
        common: dict[str, Any] = {
            "site": self.cfg,
            "base": base,
            "today": state.updated,
            "categories": categories,
            "latest": stories[:6],
            "most_read": spread(stories, 6, salt=2),
            "links": LINKS_B,
            "notices": list(zip(PAGES_B[2:], TITLES_B[2:], strict=True)),
            "url_of": self.path,
            "image_of": lambda s: f"/uploads/image/{s.published:%Y/%m/%d}/{s.published:%H%M%S}-{s.slug[:24]}.jpg",
            "utc": lambda d: d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        add = self.html_maker(pages, common)
        blocks = [(c, [s for s in stories if s.category == i][:5]) for i, c in enumerate(categories)]
        add("/", "b/home.html", state.updated, top=stories[0], newest=stories[1:9], blocks=blocks, canonical="/")
        for index, category in enumerate(categories):
            chunks = split([s for s in stories if s.category == index], self.per_page)
            for number, chunk in enumerate(chunks, start=1):
                add(
                    paged(category["first"], category["page"], number),
                    "b/listing.html",
                    state.updated,
                    category=category,
                    items=chunk,
                    page_number=number,
                    last=len(chunks),
                    canonical=category["first"],  # every page of a listing names its first page
                )
        for story in stories:
            same = [s for s in stories if s.category == story.category and s.id != story.id]
            older = [s for s in same if (s.published, s.id) < (story.published, story.id)]
            add(
                self.path(story),
                "b/article.html",
                story.modified,
                story=story,
                category=categories[story.category],
                inline=nearest(story, stories, 2, same_category=False),
                same=(older or same)[:6],
                byline="Tin, ảnh" if story.id % 4 == 0 else "Bài, ảnh",
                views=1000 + story.id * 37 % 4000,
            )
        for path, title in zip((*PAGES_B, "/tim-kiem.html"), (*TITLES_B, "Tìm kiếm"), strict=True):
            add(path, "b/page.html", state.updated, title=title)
        self._sitemaps_b(pages, state, base)
        not_found = self.env.get_template("b/404.html").render(common, path="")
        return pages, make_page(not_found, HTML, state.updated)

    def _sitemaps_b(self, pages: dict[str, Page], state: SiteState, base: str) -> None:
        env, updated = self.env, state.updated
        robots = "User-agent: *\nDisallow: /tim-kiem\nDisallow: /quan-tri/\nDisallow: /Scripts/\n"
        pages["/robots.txt"] = make_page(f"{robots}\nSitemap: {base}/sitemap.xml\n", TEXT, updated)
        months: dict[str, list[Story]] = {}
        for story in state.stories:
            months.setdefault(f"{story.published:%Y-%m}", []).append(story)
        maps = [(f"/sitemaps/articles-{month}.xml", items) for month, items in months.items()]
        urlset = env.get_template("urlset.xml")
        for path, items in maps:
            urls = [(base + self.path(s), s.modified, None) for s in items]
            pages[path] = make_page(urlset.render(urls=urls), XML, max(s.modified for s in items))
        listings = [(base + path, updated, None) for path in ("/", *self.listings())]
        pages["/sitemaps/categories.xml"] = make_page(urlset.render(urls=listings), XML, updated)
        index = env.get_template("sitemapindex.xml").render(
            sitemaps=[base + "/sitemaps/categories.xml", *(base + path for path, _ in maps)], lastmod=updated
        )
        pages["/sitemap.xml"] = make_page(index, XML, updated)
