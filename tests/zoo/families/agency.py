"""The agency portal of the seed: the Lạng Sơn "Đảng ủy Khối các cơ quan tỉnh" CMS.

Origin: the real article page the project started from (``seeds/000_4af8925a5ba6af40.txt``)
and the portal it comes from, rebuilt in ``seeds/mirror/`` (its templates are this
family's): listing ``?page=N``, articles ``/tin-tuc-su-kien/hoat-dong-dang-uy-khoi/<slug>-<id>.html``,
"Tin liên quan" under every article, dates ``DD-MM-YYYY HH:MM``.

Variant b, a bigger portal of the same kind (Ban Tuyên giáo Tỉnh ủy, 72 articles, 10 a page,
templates ``tests/fixtures/zoo/agency/b/``): two category listings ``?page=N`` with « Đầu
‹ Trước 1 2 3 Sau › Cuối »; menus, breadcrumbs and "Xem thêm" links write page 1 as
``?page=1``; a "Tin đọc nhiều" box on every page (``spread``) and, under every article, "Tin
liên quan" (nearest in date) and "Các tin đã đưa" (the next older ones of its category), so
that related and most-read links reach articles that sit deep in the listings; the home page
aggregates "Tin mới"; "Ngày đăng: DD/MM/YYYY HH:MM", "Lượt xem", a bold sapo, bylines as a
right-aligned bold name, "Nguồn: …". Its structure follows the seed portal and the layouts
of Vietnamese agency portals (``duongnguyen2k2/portal-en-v5``: ``Views/Articles/Detail.cshtml``,
``Views/Shared/Templates/ThemeVPUB/_Layout.cshtml``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from scheduler.demo.mirror import Page, build_pages, load_site
from zoo.family import HTML, TEXT, WEEKDAYS, Family, make_page, nearest, paged, split, spread
from zoo.stories import SiteState, Story

MIRROR_DIR = Path(__file__).resolve().parents[3] / "seeds" / "mirror"


class Agency(Family):
    name = "agency"
    variants = ("a", "b")
    disallowed = ("/tim-kiem",)

    def __init__(self, variant: str, site_id: str = "", cfg: dict[str, Any] | None = None) -> None:
        super().__init__(variant, site_id, cfg)
        self.data = load_site(MIRROR_DIR)
        self.site = self.data["site"]
        if variant == "b":
            self.disallowed = ("/tim-kiem", "/admin/")
            self.stable_old_pages = False  # "Tin đọc nhiều" on every page

    def path(self, story: Story) -> str:
        if self.variant == "b":
            return f"/tin-tuc-su-kien/{self.cfg['categories'][story.category]['slug']}/{story.slug}-{story.id}.html"
        return str(self.site["article_path"]).format(slug=story.slug, id=story.id)

    def listings(self) -> tuple[str, ...]:
        if self.variant == "b":
            return tuple(c["first"] for c in self.cfg["categories"])
        return (self.site["category_path"],)

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        if self.variant == "b":
            first, second = self.cfg["categories"]
            pages = (
                first["first"],
                f"{first['first']}?page=1",
                f"{first['first']}?page=2",
                f"{second['first']}?page=4",
            )
            return ("/", *pages, "/gioi-thieu.html", "/lien-he.html", "/van-ban.html")
        category = self.site["category_path"]
        return ("/", category, f"{category}?page=2", f"{category}?page=3", "/gioi-thieu.html", "/lien-he.html")

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        if self.variant == "b":
            return self._render_b(state, base_url)
        data = copy.deepcopy(self.data)
        site = data["site"]
        site["updated"] = state.updated
        site["menu"].append({"label": "Tìm kiếm", "path": site["search_path"]})  # a linked, disallowed path
        data["articles"] = [self._article(story) for story in state.stories]
        return build_pages(data, MIRROR_DIR / "templates", base_url)

    def _article(self, story: Story) -> dict[str, Any]:
        fmt = self.site["date_format"]
        image = {"image": f"/uploads/{story.published:%Y/%m}/{story.slug}-1.jpg", "caption": story.caption}
        blocks = [{"p": story.paragraphs[0]}, image, *({"p": p} for p in story.paragraphs[1:])]
        article = {
            "id": story.id,
            "slug": story.slug,
            "title": story.title,
            "published": story.published.strftime(fmt),
            "summary": story.summary,
            "blocks": blocks,
        }
        if story.modified != story.published:
            article["modified"] = story.modified.strftime(fmt)
        if story.source:
            article["source"] = story.source
        return article

    def _render_b(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
        pages: dict[str, Page] = {}
        stories, updated = state.stories, state.updated
        categories = self.cfg["categories"]
        common: dict[str, Any] = {
            "site": self.cfg,
            "base": base_url.rstrip("/"),
            "categories": categories,
            "url_of": self.path,
            "most_read": spread(stories, 8, salt=5),
            "today": f"{WEEKDAYS[updated.weekday()]}, ngày {updated:%d/%m/%Y}",
        }
        add = self.html_maker(pages, common)
        by_category = [[s for s in stories if s.category == i] for i in range(len(categories))]
        blocks = [(c, items[:6]) for c, items in zip(categories, by_category, strict=True)]
        add("/", "b/home.html", updated, featured=stories[:4], latest_box=stories[:10], blocks=blocks)
        for category, items in zip(categories, by_category, strict=True):
            self._listing_b(add, category, items, updated)
            for index, story in enumerate(items):
                add(
                    self.path(story),
                    "b/article.html",
                    story.modified,
                    story=story,
                    category=category,
                    related=nearest(story, stories, 5),
                    earlier=items[index + 1 : index + 6],
                    views=211 + story.id * 53 % 4800,
                )
        for path, title in (
            ("/gioi-thieu.html", "Giới thiệu"),
            ("/lien-he.html", "Liên hệ"),
            ("/van-ban.html", "Văn bản"),
            ("/tim-kiem", "Tìm kiếm"),
        ):
            add(path, "b/page.html", updated, title=title)
        robots = "User-agent: *\nDisallow: /tim-kiem\nDisallow: /admin/\n"
        pages["/robots.txt"] = make_page(robots, TEXT, updated)
        not_found = self.env.get_template("b/404.html").render(common, path="/404")
        return pages, make_page(not_found, HTML, updated)

    def _listing_b(
        self, add: Callable[..., None], category: dict[str, Any], items: Sequence[Story], updated: datetime
    ) -> None:
        chunks = split(items, int(self.cfg["per_page"]))
        for number, chunk in enumerate(chunks, start=1):
            add(
                paged(category["first"], category["page"], number),
                "b/listing.html",
                updated,
                category=category,
                items=chunk,
                page_number=number,
                page_count=len(chunks),
            )
