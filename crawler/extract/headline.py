"""The headline of a page, and the element it is printed in.

The evidence, in order of trust, none of it per site:

1. the text of the link the page was reached by (a listing's item, a feed entry's
   title): an element printing exactly that text, not itself a link, is the headline;
2. the page's titles (``<title>``, ``og:title``, JSON-LD ``headline``) without the
   site's name (``… - Báo Lạng Sơn``, ``Báo X - …``): the heading or title-classed element
   that prints one of them (an ``<h1>``, but also a SharePoint ``span.ArticleTitle`` or
   ``span#…lblTitle``, a Liferay ``span.asset-title``, a Joomla ``<h2 itemprop=headline>``);
3. the page's own ``<h1>``, when it is no site name or logo;
4. a ``<title>`` the site gives to many pages (``shared_titles``: "Chi tiết tin tức" on
   every article), that names a kind of page rather than a story ("Tin tức - Sự kiện",
   "Trang chủ") or the site, or that no element prints, is no headline: then the headline
   is the last heading-like element (a heading, a title-classed element, a bold line)
   before the first paragraph of running text;
5. failing all that, the title itself, with no element.
"""

from __future__ import annotations

import re

import lxml.html

from crawler.extract.metadata import Metadata
from crawler.extract.text import RELATED_HEADING, normalize_space

_TITLE_CLASS = re.compile(r"title|headline|heading|tieu-?de|contentheading", re.IGNORECASE)
_SEPARATOR = re.compile(r"(\s+[-|–—»>:]{1,2}\s+)")
SITE_WORDS = re.compile(
    r"^(?:báo|cổng|trang|website|tạp\s*chí|đài|sở|ubnd|ủy\s*ban|uỷ\s*ban|tỉnh\s*đoàn|huyện\s*ủy|tỉnh\s*ủy|"
    r"đảng\s*ủy|tin\s*tức(?:\s*-\s*sự\s*kiện)?)(?:\s|$)|\.(?:vn|com|net|org)$",
    re.IGNORECASE,
)
# titles that name a kind of page, not a story
GENERIC_TITLE = re.compile(
    r"^(?:chi\s*tiết(?:\s*(?:tin(?:\s*(?:tức|bài))?|bài\s*viết|bản\s*tin))?|tin\s*tức(?:\s*[-–]?\s*sự\s*kiện)?|"
    r"trang\s*chủ|xem\s*tin(?:\s*tức)?|bài\s*viết|nội\s*dung(?:\s*tin)?|thông\s*tin|tin\s*bài|tin\s*hoạt\s*động|"
    r"tin\s*tổng\s*hợp|hoạt\s*động|thông\s*báo|tin\s*nổi\s*bật|tin\s*mới(?:\s*nhất|\s*cập\s*nhật)?|tiêu\s*điểm|"
    r"sự\s*kiện(?:\s*nổi\s*bật)?|tin\s*(?:đọc|xem)\s*nhiều|văn\s*bản(?:\s*mới)?|video|hình\s*ảnh|tin\s*ảnh|"
    r"chuyên\s*mục|liên\s*kết(?:\s*website)?|home|news|article|default)\s*$",
    re.IGNORECASE,
)
HEADLINE_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
MIN_HEADLINE, MAX_HEADLINE = 8, 400
MAX_BOLD_HEADLINE = 250
MIN_OWN_WORDS = 4  # an <h1> no title repeats, shorter than this, names a section
RUNNING_TEXT = 150
BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)


def strip_site_name(title: str, site_names: set[str]) -> str:
    """A ``<title>``/og:title without the site name prefix or suffix ("… - Báo Lạng Sơn")."""
    parts = _SEPARATOR.split(title)
    names = {n.casefold() for n in site_names}

    def is_site(part: str) -> bool:
        part = part.strip()
        return part.casefold() in names or bool(SITE_WORDS.search(part))

    while len(parts) >= 3 and is_site(parts[-1]):
        parts = parts[:-2]
    while len(parts) >= 3 and is_site(parts[0]):
        parts = parts[2:]
    return normalize_space("".join(parts))


def is_generic_title(text: str, site_names: set[str] = frozenset()) -> bool:  # type: ignore[assignment]
    """A title that names a kind of page or the site, not a story."""
    text = normalize_space(text)
    return bool(GENERIC_TITLE.match(text)) or text.casefold() in {n.casefold() for n in site_names}


def find_title(
    tree: lxml.html.HtmlElement, md: Metadata, link_text: str = "", shared_titles: frozenset[str] = frozenset()
) -> tuple[str | None, lxml.html.HtmlElement | None]:
    """The headline and its element, by the evidence in the module docstring."""
    by_link = _by_link_text(tree, link_text, md.site_names)
    if by_link is not None:
        return by_link
    own_titles = [t for t in md.titles if t and normalize_space(t) not in shared_titles]
    cores = [c for t in own_titles if (c := strip_site_name(t, md.site_names)) and not is_generic_title(c)]
    longest = max(map(len, cores), default=0)
    partial: tuple[str, lxml.html.HtmlElement] | None = None
    candidates = _headline_candidates(tree)
    for element in candidates:
        text = normalize_space(element.text_content())
        if not MIN_HEADLINE <= len(text) <= MAX_HEADLINE:
            continue
        if text in cores:
            return text, element
        if partial is None and cores and any(text in t for t in own_titles) and len(text) >= 0.5 * longest:
            partial = (text, element)
    if partial:
        return partial
    own = next((h for h in tree.iter("h1") if _own_headline(h, md.site_names)), None)
    if own is not None:
        return normalize_space(own.text_content()), own
    above = _above_the_text(tree, candidates, md.site_names)  # a title no element prints is suspect
    if above is not None:
        return normalize_space(above.text_content()), above
    return (cores[0], None) if cores else (None, None)


def _by_link_text(
    tree: lxml.html.HtmlElement, link_text: str, site_names: set[str]
) -> tuple[str, lxml.html.HtmlElement] | None:
    """The element printing the text of the link the page was reached by (a headline-like
    element first; never a link, an option or a ``<title>``)."""
    wanted = normalize_space(link_text).rstrip(".… ")
    if len(wanted) < 20 or len(wanted.split()) < 4 or is_generic_title(wanted, site_names):
        return None
    truncated = normalize_space(link_text).endswith(("...", "…"))
    found: list[lxml.html.HtmlElement] = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("a", "option", "title", "script", "style", "body"):
            continue
        if len(element) > 6:
            continue
        text = normalize_space(element.text_content())
        if text == wanted or (truncated and text.startswith(wanted) and len(text) <= MAX_HEADLINE):
            if any(a.tag in ("a", "option", "title", "select") for a in element.iterancestors()):
                continue
            found.append(element)
    if not found:
        return None
    headline = next((e for e in found if _headline_like(e)), found[0])
    while len(headline) == 1 and normalize_space(headline[0].text_content()) == normalize_space(
        headline.text_content()
    ):
        if headline[0].tag in ("a", "br"):
            break
        headline = headline[0]  # the innermost element printing it
    return normalize_space(headline.text_content()), headline


def _headline_like(element: lxml.html.HtmlElement) -> bool:
    return (
        element.tag in HEADLINE_TAGS
        or element.get("itemprop") == "headline"
        or bool(_TITLE_CLASS.search(f"{element.get('class') or ''} {element.get('id') or ''}"))
        or _bold(element)
    )


def _bold(element: lxml.html.HtmlElement) -> bool:
    if element.tag in ("b", "strong"):
        return True
    if BOLD_STYLE.search(element.get("style") or "") or "bold" in (element.get("class") or "").lower():
        return True
    children = [c for c in element if isinstance(c.tag, str)]
    return len(children) == 1 and children[0].tag in ("b", "strong") and not (element.text or "").strip()


def _own_headline(h1: lxml.html.HtmlElement, site_names: set[str]) -> bool:
    """An ``<h1>`` that is a headline, not the site's logo or name, nor a kind of page."""
    text = normalize_space(h1.text_content())
    if not MIN_HEADLINE <= len(text) <= MAX_HEADLINE or text in site_names or SITE_WORDS.search(text):
        return False
    if len(text.split()) < MIN_OWN_WORDS:
        return False  # "Tin nổi bật" over a box of stories: a section's name
    if is_generic_title(text):
        return False
    return not any((a.get("href") or "").rstrip("/") in ("", ".") for a in h1.iter("a"))


def _headline_candidates(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    found = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in HEADLINE_TAGS or element.get("itemprop") == "headline":
            found.append(element)
        elif element.tag in ("span", "p", "td", "div", "a", "strong", "b") and len(element) <= 3:
            if _TITLE_CLASS.search(element.get("class") or "") or _TITLE_CLASS.search(element.get("id") or ""):
                found.append(element)
    return found


def _above_the_text(
    tree: lxml.html.HtmlElement, candidates: list[lxml.html.HtmlElement], site_names: set[str]
) -> lxml.html.HtmlElement | None:
    """The last heading-like element before the first paragraph of running text: the
    headline of a page whose titles name no story."""
    first_text = None
    for block in tree.iter("p", "div", "td", "span"):
        own = normalize_space(" ".join([block.text or "", *(c.tail or "" for c in block)]))
        if len(own) > RUNNING_TEXT and not any(a.tag in ("a", "li", "nav") for a in block.iterancestors()):
            first_text = block
            break
    if first_text is None:
        return None
    order = {element: index for index, element in enumerate(tree.iter())}
    limit = order.get(first_text, 0)
    bold = [e for e in tree.iter("b", "strong", "div", "p", "span") if _bold(e)]
    best = None
    for element in sorted({*candidates, *bold}, key=lambda e: order.get(e, 0)):
        if order.get(element, 0) >= limit:
            break
        text = normalize_space(element.text_content())
        if not 20 <= len(text) <= MAX_BOLD_HEADLINE or len(text.split()) < 4 or text.endswith((".", ":", ";")):
            continue  # a lead paragraph in bold is a sentence; a headline is not
        if is_generic_title(text, site_names) or SITE_WORDS.search(text) or RELATED_HEADING.match(text):
            continue
        if (
            any(a.tag in ("a", "nav", "li", "option", "select") for a in element.iterancestors())
            or element.find(".//a") is not None
        ):
            continue
        best = element
    return best
