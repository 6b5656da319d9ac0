"""What is not body text, found and cut from the page tree before trafilatura reads it.

- junk: scripts, styles, frames, form controls, small forms (search, comment forms) —
  but not the ``<form>`` an ASP.NET page (SharePoint, DNN) wraps around everything;
- readers' comments ("Ý kiến bạn đọc", WordPress and Liferay discussions);
- related news: a "Tin liên quan" / "Đọc thêm" / "Tin cùng chuyên mục" / "Xem thêm" /
  "Các tin khác" heading and the links under it, blocks classed as related, and
  "Xem thêm: <a>…</a>" paragraphs inside the body;
- chrome: share, print and e-mail buttons, tags, ratings, pagers, breadcrumbs;
- captions, kept apart: ``<figcaption>``, caption classes, the caption cell of an image
  table, and the centred italic line right under an image.

An element is never cut when it holds the headline or running text (a paragraph of
real length): a class name is a hint, the article is not at its mercy. Bylines and
source lines in their own elements ("Tác giả: …", "Nguồn tin: …") are read, then cut;
the sapo (lead) element after the headline is found so that it stays in the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html

from crawler.extract.bylines import author_of, person_or_none, source_of
from crawler.extract.text import RELATED_HEADING, RELATED_LEAD, normalize_space

LONG_TEXT = 150
BLOCK_TAGS = {"p", "div", "ul", "ol", "li", "table", "tr", "td", "section", "article", "main", "header", "footer"}
BLOCK_TAGS |= {"aside", "nav", "form", "blockquote", "figure", "dl", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
SCOPE_SHARE = 0.85
TITLE_LINK = 15
LISTING_STORIES = 3
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
JUNK_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "input", "select", "textarea")
COMMENTS = re.compile(
    r"^(?:comments?(?:-(?:area|list|wrap|wrapper|box|block|form|respond|item|section|container))?|commentlist|"
    r"comment-respond|respond|news-comment|box-comment|fb-comments|disqus_thread|.*discussion.*|binh-?luan.*|"
    r"y-?kien.*)$"
)
RELATED = re.compile(
    r"related|lien-?quan|tinlienquan|same-?cat|cung-?chuyen-?muc|other-?news|othernews|news-?other|tin-?khac|"
    r"see-?also|seealso|xem-?them|doc-?them|more-?news|items-?more|asset-links|category-module|latestnews|"
    r"tin-?moi|most-?read|doc-?nhieu|xem-?nhieu|post-navigation|pagenav|pager|nav-links"
)
CHROME = re.compile(
    r"(?:^|[-_])(?:share|sharing|social|bookmarks?|print|tools?|toolbar|tags|tag-list|tag-cloud|tagcloud|keywords?|"
    r"ratings?|vote|likes?|breadcrumbs?|pathway|icons|dropdown-menu|entry-footer|cat-links|hits|views?|font-size|copy-link)"
    r"(?:[-_]|$)|^(?:tag|newstool|sharedaddy|addthis.*|a2a.*|fb-like|fb-share-button)$"
)
CAPTION = re.compile(r"caption|image_desc|image-desc|img-desc|photo-desc|chu-?thich|desc-img|expnote")
BYLINE = re.compile(r"author|byline|tac-?gia|^(?:source|nguon|nguon-?tin|news-?source|newssource)$|-source$")
SAPO = re.compile(r"sapo|chapeau|tom-?tat|(?:^|[-_])(?:lead|summary|excerpt|intro|desc|description)(?:[-_]|$)")


def tokens(element: lxml.html.HtmlElement) -> list[str]:
    """The element's class names and id, lower-cased."""
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower().split()


def drop(element: lxml.html.HtmlElement) -> None:
    """Remove an element but keep the text that follows it (its tail)."""
    if element.getparent() is not None:
        element.drop_tree()


def _elements(tree: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    return (e for e in list(tree.iter()) if isinstance(e.tag, str) and e.getparent() is not None)


def short_text(element: lxml.html.HtmlElement, limit: int) -> str | None:
    """The element's text when it is at most ``limit`` characters, else None (read lazily)."""
    parts: list[str] = []
    size = 0
    for piece in element.itertext():
        size += len(piece.strip())
        if size > limit:
            return None
        parts.append(piece)
    return normalize_space("".join(parts))


def _first_chars(element: lxml.html.HtmlElement, limit: int) -> Iterator[str]:
    size = 0
    for piece in element.itertext():
        yield piece
        size += len(piece)
        if size >= limit:
            return


def _holds(element: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> bool:
    return headline is not None and (element is headline or any(a is element for a in headline.iterancestors()))


def _has_running_text(element: lxml.html.HtmlElement) -> bool:
    blocks = element.iter("p", "div", "td", "blockquote")
    return any(len(normalize_space(_own_text(b))) > LONG_TEXT for b in blocks)


def _own_text(element: lxml.html.HtmlElement) -> str:
    """The text of an element without that of the blocks nested in it."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in BLOCK_TAGS:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return " ".join(parts)


def protected(element: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> bool:
    """True when cutting the element could cut the article: it holds the headline or text."""
    return _holds(element, headline) or _has_running_text(element)


def remove_junk(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> None:
    for element in list(
        tree.iter(*JUNK_TAGS, "button", lxml.html.etree.Comment, lxml.html.etree.ProcessingInstruction)
    ):
        drop(element)
    for form in list(tree.iter("form")):
        if not protected(form, headline):
            drop(form)


def remove_comments(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> None:
    for element in _elements(tree):
        if any(COMMENTS.match(t) for t in tokens(element)) and not _holds(element, headline):
            drop(element)


def remove_chrome(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> None:
    for element in _elements(tree):
        if element.tag in ("nav", "aside") or any(CHROME.search(t) for t in tokens(element)):
            if not protected(element, headline):
                drop(element)


def remove_related(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> None:
    """Related-news blocks: by class, by heading, and "Xem thêm: <a>" paragraphs."""
    for element in _elements(tree):
        if any(RELATED.search(t) for t in tokens(element)) and not protected(element, headline):
            drop(element)
    for element in _elements(tree):
        if element.tag not in ("p", "div", "li") or element.getparent() is None:
            continue
        head = "".join(_first_chars(element, 40))
        if not RELATED_LEAD.match(normalize_space(head)) or not short_text(element, 300):
            continue
        if element.xpath(".//a") and not _holds(element, headline):
            drop(element)
    _remove_related_headings(tree, headline)


def _remove_related_headings(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> None:
    """A "Tin liên quan"-style heading and the link list it introduces."""
    for heading in _elements(tree):
        if heading.tag not in ("h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b", "em", "th"):
            continue
        text = short_text(heading, 60) if heading.getparent() is not None else None
        if not text or not RELATED_HEADING.match(text):
            continue
        block = heading
        while (parent := block.getparent()) is not None and len(parent.xpath(".//a")) < 2:
            if parent.tag in ("body", "html") or _holds(parent, headline):
                break
            block = parent
        parent = block.getparent()
        if parent is not None and parent.tag not in ("body", "html") and _is_link_list(parent, block):
            if not protected(parent, headline):
                block = parent
        for sibling in list(block.itersiblings()):
            if not _is_link_list(sibling):
                break
            drop(sibling)
        if not _holds(block, headline):
            drop(block)


def _is_link_list(element: lxml.html.HtmlElement, heading: lxml.html.HtmlElement | None = None) -> bool:
    """Mostly links (a related-news list), not running text."""
    links = element.xpath(".//a")
    if not links or not isinstance(element.tag, str):
        return False
    text = normalize_space(element.text_content())
    if heading is not None:
        text = text.replace(normalize_space(heading.text_content()), "", 1)
    link_text = sum(len(normalize_space(a.text_content())) for a in links)
    return link_text >= 0.45 * max(1, len(text.replace(" ", "")))


def take_captions(tree: lxml.html.HtmlElement) -> list[str]:
    """Image captions in page order, cut from the tree (a word split across inline
    elements stays whole: the caption is its elements' text joined as the page shows it)."""
    captions: list[str] = []
    for element in _elements(tree):
        if element.getparent() is None:
            continue
        if _is_caption(element):
            caption = normalize_space(element.text_content())
            if caption and caption not in captions:
                captions.append(caption)
            drop(element)
    return captions


def _is_caption(element: lxml.html.HtmlElement) -> bool:
    if element.tag == "figcaption" or any(CAPTION.search(t) for t in tokens(element)):
        return not element.xpath(".//img")
    if element.tag == "td" and element.xpath("ancestor::table[1][contains(concat(' ', @class, ' '), ' image ')]"):
        return not element.xpath(".//img")
    previous = element.getprevious()
    if element.tag not in ("p", "div") or previous is None or not previous.xpath(".//img"):
        return False
    text = short_text(element, 300)
    if not text or element.xpath(".//img"):
        return False
    emphasis = normalize_space(" ".join(e.text_content() for e in element.iter("em", "i")))
    return emphasis == text and not normalize_space(previous.text_content())


def take_byline_elements(
    tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None
) -> tuple[str | None, str | None]:
    """``(author, source)`` from elements classed as such ("Tác giả: …", "Nguồn tin: …")."""
    author = source = None
    for element in _elements(tree):
        if element.getparent() is None or not any(BYLINE.search(t) for t in tokens(element)):
            continue
        text = normalize_space(element.text_content())
        if not text or len(text) > LONG_TEXT or _holds(element, headline):
            continue
        found_source = source_of(text)
        found_author = None if found_source else author_of(text) or person_or_none(text)
        if found_source and source is None:
            source = found_source
        elif found_author and author is None:
            author = found_author
        else:
            continue
        drop(element)
    return author, source


def find_sapo(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> str | None:
    """The lead printed between the headline and the body (a "sapo" element), if any."""
    if headline is None:
        return None
    passed = False
    for count, element in enumerate(tree.iter()):
        if element is headline:
            passed = True
            continue
        if not passed or not isinstance(element.tag, str) or _holds(element, headline):
            continue
        if count > 5000:
            break
        if any(SAPO.search(t) for t in tokens(element)):
            text = normalize_space(element.text_content())
            if 40 <= len(text) <= 1500 and len(element.xpath(".//p")) <= 1:
                return text
    return None


def article_scope(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> lxml.html.HtmlElement:
    """The headline's smallest container that holds nearly all the page's running text
    (the article column, without sidebars, polls, counters and footers), else the page."""
    blocks = [(b, len(normalize_space(_own_text(b)))) for b in tree.iter("p", "div", "td", "blockquote", "li")]
    running = [(b, n) for b, n in blocks if n > LONG_TEXT]
    total = sum(n for _, n in running)
    if headline is None or not total:
        return tree
    ancestry = [{*b.iterancestors(), b} for b, _ in running]  # elements, not id()s: lxml reuses proxies
    for ancestor in headline.iterancestors():
        inside = sum(n for (_, n), above in zip(running, ancestry, strict=True) if ancestor in above)
        if inside >= SCOPE_SHARE * total:
            return ancestor
    return tree


def keep_only(scope: lxml.html.HtmlElement) -> None:
    """Cut everything outside ``scope`` but ``<head>``; its ancestors (and their classes,
    which trafilatura reads) stay."""
    node = scope
    while (parent := node.getparent()) is not None:
        for sibling in list(parent):
            if sibling is not node and sibling.tag != "head":
                parent.remove(sibling)
        node = parent


def unwrap_layout_tables(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> None:
    """Tables used for layout (a cell holds the headline, paragraphs or running text, as in
    old Joomla and portal templates) become plain blocks; data tables stay tables."""
    for table in list(tree.iter("table")):
        cells = [c for c in table.iter("td", "th") if _nearest_table(c) is table]
        blocks = any(c.xpath("./p|./div|./table|./ul|./ol") or len(_own_text(c)) > LONG_TEXT for c in cells)
        if not blocks and not _holds(table, headline):
            continue
        for element in [table, *table.iter("thead", "tbody", "tfoot", "tr", "td", "th")]:
            if element is table or _nearest_table(element) is table:
                element.tag = "div"


def _nearest_table(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    return next(element.iterancestors("table"), None)


def listed_stories(scope: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> int:
    """The stories a listing page shows (headings that link to other pages), or 0 when the
    page has running text of its own: an article's paragraphs stand alone, a listing's
    are teasers, each under its story's linked title."""
    heads = [h for h in scope.iter(*HEADINGS) if h is not headline and not _holds(h, headline) and _links_out(h)]
    if len(heads) < LISTING_STORIES:
        return 0
    inside: dict[lxml.html.HtmlElement, int] = {}
    for head in heads:
        for ancestor in head.iterancestors():
            inside[ancestor] = inside.get(ancestor, 0) + 1
            if ancestor is scope:
                break
    for block in scope.iter("p", "div", "td", "blockquote"):
        if len(normalize_space(_own_text(block))) > LONG_TEXT and not _is_link_list(block):
            if not _teaser(block, inside, set(heads)):
                return 0
    return len(heads)


def _links_out(heading: lxml.html.HtmlElement) -> bool:
    text = short_text(heading, 300) or ""
    link = heading.find(".//a[@href]")
    return link is not None and len(text) >= TITLE_LINK and len(normalize_space(link.text_content())) >= 0.8 * len(text)


def _teaser(
    block: lxml.html.HtmlElement, inside: dict[lxml.html.HtmlElement, int], heads: set[lxml.html.HtmlElement]
) -> bool:
    """Under one story's title: its nearest container holding titles holds just one, or a
    title is among the few elements right before it."""
    nearest = next((a for a in block.iterancestors() if a in inside), None)
    if nearest is not None and inside[nearest] == 1:
        return True
    sibling = block.getprevious()
    for _ in range(3):
        if sibling is None:
            return False
        if sibling in heads or any(h in heads for h in sibling.iter(*HEADINGS)):
            return True
        sibling = sibling.getprevious()
    return False
