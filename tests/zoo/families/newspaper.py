"""A provincial newspaper (Báo Lạng Sơn style).

Origin: baolangson.vn as described in ``shared/seeds/README.md`` (``/<slug>-<7 digits>.html``,
RSS ``/rss/home.rss``, weekday dates, uppercase bylines): category listings
``/thoi-su/trang-N.html`` with "next" links, a sitemap index (news sitemap + gzipped
sitemap), JSON-LD NewsArticle, tag and author pages.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup

from scheduler.mirror import Page
from zoo.family import GZIP, HTML, RSS, TEXT, XML, Family, make_page, nearest, paged, split, tags
from zoo.stories import SiteState, Story, slugify


class Newspaper(Family):
    name = "newspaper"
    variants = ("a",)
    per_page = 6
    disallowed = ("/tim-kiem",)
    feeds = ("/rss/home.rss", "/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/articles.xml.gz")

    def path(self, story: Story) -> str:
        return f"/{story.slug}-{story.id}.html"

    def listings(self) -> tuple[str, ...]:
        return tuple(c["first"] for c in self.cfg["categories"])

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        tag = next(iter(tags(state.stories)))
        author = slugify(next(s.author for s in state.stories if s.author))
        return ("/", "/thoi-su", "/thoi-su/trang-2.html", f"/tag/{tag}", f"/tac-gia/{author}", "/lien-he.html")

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
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
