"""The agency portal of the seed: the Lạng Sơn "Đảng ủy Khối các cơ quan tỉnh" CMS.

Origin: the real article page the project started from (``seeds/000_4af8925a5ba6af40.txt``)
and the portal it comes from, rebuilt in ``seeds/mirror/`` (its templates are this
family's): listing ``?page=N``, articles ``/tin-tuc-su-kien/hoat-dong-dang-uy-khoi/<slug>-<id>.html``,
"Tin liên quan" under every article, dates ``DD-MM-YYYY HH:MM``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from scheduler.mirror import Page, build_pages, load_site
from zoo.family import Family
from zoo.stories import SiteState, Story

MIRROR_DIR = Path(__file__).resolve().parents[3] / "seeds" / "mirror"


class Agency(Family):
    name = "agency"
    variants = ("a",)
    disallowed = ("/tim-kiem",)

    def __init__(self, variant: str, site_id: str = "", cfg: dict[str, Any] | None = None) -> None:
        super().__init__(variant, site_id, cfg)
        self.data = load_site(MIRROR_DIR)
        self.site = self.data["site"]

    def path(self, story: Story) -> str:
        return str(self.site["article_path"]).format(slug=story.slug, id=story.id)

    def listings(self) -> tuple[str, ...]:
        return (self.site["category_path"],)

    def non_articles(self, state: SiteState) -> tuple[str, ...]:
        category = self.site["category_path"]
        return ("/", category, f"{category}?page=2", f"{category}?page=3", "/gioi-thieu.html", "/lien-he.html")

    def render(self, state: SiteState, base_url: str) -> tuple[dict[str, Page], Page]:
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
