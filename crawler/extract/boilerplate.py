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
from crawler.extract.dates import find_dates
from crawler.extract.text import RELATED_HEADING, RELATED_LEAD, normalize_space

LONG_TEXT = 150
BLOCK_TAGS = {"p", "div", "ul", "ol", "li", "table", "tr", "td", "section", "article", "main", "header", "footer"}
BLOCK_TAGS |= {"aside", "nav", "form", "blockquote", "figure", "dl", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
SCOPE_SHARE = 0.85
TITLE_LINK = 15
MIN_CAPTION, MIN_PHOTO = 15, 100  # characters of a caption; pixels of a photo (an icon is smaller)
SAPO_SEARCH = 400  # elements after the headline where a lead may stand
LEAD_MIN, LEAD_MAX = 60, 600
TEASER_ITEM = 300  # what a listed story holds beside its teaser: its title, date, a "more" link
TITLE_LINK_XPATH = f".//a[string-length(normalize-space()) > {TITLE_LINK}]"
TITLE_LINK_XPATH = f".//a[string-length(normalize-space()) > {TITLE_LINK}]"
LISTING_STORIES = 3
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
JUNK_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "input",
    "select",
    "textarea",
    "marquee",
)
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
CAPTION = re.compile(
    r"caption|chu-?thich|desc-img|expnote|(?:^|[-_])(?:image|img|photo|media|picture|anh|hinh)[-_]?(?:desc|description|note)"
)
BYLINE = re.compile(r"author|byline|tac-?gia|^(?:nguon|nguon-?tin)$|source$")
SOURCE_CLASS = re.compile(r"source|nguon")
LABEL = re.compile(r"^(?:tác\s*giả|nguồn(?:\s*tin)?|người\s*viết|bài|ảnh|theo|author|source|by)$", re.IGNORECASE)
RIGHT_ALIGNED = re.compile(r"text-align\s*:\s*right|^\s*right\b|\bright\b|text-right|align-?right|pull-right")
BOLD_CLASS = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)|\bbold\b|font-weight-bold")
FOOTER = re.compile(r"^(?:footer|site-?footer|page-?footer|bottom|copyright|ban-?quyen|chan-?trang)(?:$|[-_])")
CONTACT = re.compile(
    r"địa\s*chỉ\s*:|điện\s*thoại\s*:|\bfax\s*:|e-?mail\s*:|giấy\s*phép|chịu\s*trách\s*nhiệm|bản\s*quyền|©",
    re.IGNORECASE,
)
HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
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
    for element in list(tree.iter()):  # what the page hides is no reader's text ("Tóm tắt" field labels)
        if isinstance(element.tag, str) and HIDDEN.search(element.get("style") or "") and not _holds(element, headline):
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
        elif element.getparent() is not None and (element.tag == "footer" or _footer_block(element)):
            if not _holds(element, headline) and not _has_article_text(element):
                drop(element)  # the site's footer: its address, telephone, licence


def remove_related(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> None:
    """Related-news blocks: by class, by heading, and "Xem thêm: <a>" paragraphs."""
    total = len(normalize_space(tree.text_content()))
    for element in _elements(tree):
        if not any(RELATED.search(t) for t in tokens(element)) or element.getparent() is None:
            continue
        if not protected(element, headline) or (not _holds(element, headline) and _story_list(element, total)):
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


def _story_list(element: lxml.html.HtmlElement, page_chars: int) -> bool:
    """Stories listed with their teasers ("Tin cùng chuyên mục" with a summary under each
    title): two or more title links, and far from most of the page's text."""
    titles = sum(1 for a in element.iter("a") if len(normalize_space(a.text_content())) >= TITLE_LINK)
    return titles >= 2 and len(normalize_space(element.text_content())) < 0.5 * page_chars


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
            if parent.tag in ("body", "html") or _holds(parent, headline) or _has_running_text(parent):
                break  # (a related list the page fills by script is empty: the climb stops at the text)
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
    if element.tag == "td" and _image_table_text(element):
        return True
    previous = element.getprevious()
    if element.tag not in ("p", "div") or previous is None or not previous.xpath(".//img"):
        return False
    text = short_text(element, 300)
    if not text or element.xpath(".//img"):
        return False
    emphasis = normalize_space(" ".join(e.text_content() for e in element.iter("em", "i")))
    return emphasis == text and not normalize_space(previous.text_content())


def _image_table_text(cell: lxml.html.HtmlElement) -> bool:
    """The text cell of a small table that frames an image: its other cells hold the image
    and nothing else (a caption under a photo, as CMS editors lay them out)."""
    table = next(cell.iterancestors("table"), None)
    if table is None or cell.xpath(".//img") or cell.xpath(".//a"):
        return False
    cells = [c for c in table.iter("td", "th") if next(c.iterancestors("table"), None) is table]
    if not 2 <= len(cells) <= 4:
        return False
    text = short_text(cell, 300)
    if not text or len(text) < MIN_CAPTION:
        return False
    row = cell.getparent()
    earlier_rows = list(row.itersiblings(preceding=True)) if row is not None and row.tag == "tr" else []
    above = [c for r in earlier_rows for c in r.iter("td", "th")]
    others = [c for c in cells if c is not cell]
    # a photo (not a linked icon) in a row above, and nothing else written in the table
    photos = [c for c in above if _photo(c) and not normalize_space(c.text_content())]
    return bool(photos) and all(c in photos or not normalize_space(c.text_content()) for c in others)


def signatures(tree: lxml.html.HtmlElement) -> set[str]:
    """The short lines the page sets apart as a signature: right-aligned, or all in bold or
    italics, in a block of their own ("<p style="text-align:right"><strong>Vi Thảo</strong></p>",
    "<div class="text-right font-weight-bold">…</div>"). A person's name on such a line, at the
    end of the text, is the byline (see :func:`crawler.extract.bylines.take_byline`)."""
    found = set()
    for element in tree.iter("p", "div", "td", "span"):
        text = short_text(element, 80)
        if not text or element.xpath(".//p|.//div|.//img"):
            continue
        style = f"{element.get('style') or ''} {element.get('align') or ''} {element.get('class') or ''}".lower()
        aligned = bool(RIGHT_ALIGNED.search(style))
        emphasis = normalize_space(" ".join(e.text_content() for e in element.iter("b", "strong", "em", "i")))
        if aligned or emphasis == text or BOLD_CLASS.search(style):
            found.add(text)
    return found


def _photo(cell: lxml.html.HtmlElement) -> bool:
    """A photograph in the cell: an image not inside a link, and not icon-sized."""
    for image in cell.xpath(".//img[not(ancestor::a)]"):
        sizes = [image.get("width") or "", image.get("height") or ""]
        if not any(size.isdigit() and int(size) < MIN_PHOTO for size in sizes):
            return True
    return False


def take_byline_elements(
    tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None
) -> tuple[str | None, str | None]:
    """``(author, source)`` from elements classed as such ("Tác giả: …", "Nguồn tin: …", or an
    unlabelled name in ``p.author`` and an unlabelled origin in ``p.source``)."""
    author = source = None
    taken_elements: list[lxml.html.HtmlElement] = []
    for element in _elements(tree):
        if element.getparent() is None or not any(BYLINE.search(t) for t in tokens(element)):
            continue
        if any(a in taken_elements for a in element.iterancestors()):
            continue  # inside a byline element taken already
        if any(BYLINE.search(t) for d in element.iterdescendants() if isinstance(d.tag, str) for t in tokens(d)):
            continue  # its classed parts ("p.author", "p.source") are read one by one
        text = normalize_space(element.text_content())
        if not text or len(text) > LONG_TEXT or _holds(element, headline):
            continue
        if len(element.xpath(".//a|.//li")) >= 2:
            continue  # a box listing the site's authors, a list of links: no byline
        sourced = any(SOURCE_CLASS.search(t) for t in tokens(element))
        taken = False
        for line in _lines(element):  # "Lộc Văn Hưng<br>(Nguồn: Báo Lạng Sơn)": a byline, then a source
            found_source = source_of(line) or (_origin(line) if sourced else None)
            found_author = None if found_source else author_of(line) or person_or_none(line)
            if found_source and source is None:
                source, taken = found_source, True
            elif found_author and author is None:
                author, taken = found_author, True
        if taken:
            taken_elements.append(element)
            holder = next((a for a in element.iterancestors() if any(BYLINE.search(t) for t in tokens(a))), None)
            drop(element)
            if holder is not None and holder.getparent() is not None and not _holds(holder, headline):
                rest = normalize_space(holder.text_content()).strip(" :")
                if not rest or LABEL.match(rest):
                    drop(holder)  # "<div class=tacgia><b>Tác giả:</b> <span>…</span></div>": the label too
    return author, source


def _origin(line: str) -> str | None:
    """An unlabelled origin in an element classed as the source ("Nhịp sống thị trường")."""
    line = line.strip(" .()")
    return line if 0 < len(line.split()) <= 10 and not any(c in line for c in ".!?:;") else None


def _lines(element: lxml.html.HtmlElement) -> list[str]:
    """The element's text as the page shows it, one line per ``<br>`` or block inside it."""
    lines: list[str] = []
    current: list[str] = [element.text or ""]
    for child in element.iter():
        if child is element or not isinstance(child.tag, str):
            continue
        if child.tag == "br" or child.tag in BLOCK_TAGS:
            lines.append(" ".join(current))
            current = []
        if child.tag != "br" and child.text and child.getparent() is not None:
            current.append(child.text)
        current.append(child.tail or "")
    lines.append(" ".join(current))
    return [text for line in lines if (text := normalize_space(line))]


def find_sapo(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> str | None:
    """The lead printed between the headline and the body: a "sapo" element, else the first
    block of sentences right after the headline (past its date line), if any."""
    if headline is None:
        return None
    passed, seen, first = False, 0, None
    for element in tree.iter():
        if element is headline:
            passed = True
            continue
        if not passed or not isinstance(element.tag, str) or _holds(element, headline):
            continue
        seen += 1
        if seen > SAPO_SEARCH:
            break
        text = normalize_space(element.text_content()) if element.tag in ("p", "div", "h2", "h3", "strong") else ""
        if any(SAPO.search(t) for t in tokens(element)):
            parent = element.getparent()
            item = parent is not None and len(normalize_space(parent.text_content())) <= len(text) + TEASER_ITEM
            if item and parent.xpath(TITLE_LINK_XPATH):
                continue  # a teaser, in the item of another story's title
            if 40 <= len(text) <= 1500 and len(element.xpath(".//p")) <= 1:
                return text
        if first is None and text and _lead_like(element, text):
            first = text
        elif first is None and len(text) > LEAD_MAX:
            first = ""  # the body began: no lead of its own
    return first or None


def _lead_like(element: lxml.html.HtmlElement, text: str) -> bool:
    """A block of one or two sentences of its own, not links, not a date line."""
    if not LEAD_MIN <= len(text) <= LEAD_MAX or text[-1] not in '.!?…”"':
        return False
    if element.xpath(".//p|.//div|.//li|.//img") or next(element.iterancestors("li", "a"), None) is not None:
        return False
    links = sum(len(normalize_space(a.text_content())) for a in element.iter("a"))
    return links < 0.2 * len(text) and not find_dates(text[:40])


def article_scope(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> lxml.html.HtmlElement:
    """The headline's smallest container that holds nearly all the page's running text
    (the article column, without sidebars, polls, counters and footers), else the page."""
    blocks = [(b, len(normalize_space(_own_text(b)))) for b in tree.iter("p", "div", "td", "blockquote", "li")]
    running = [(b, n) for b, n in blocks if n > LONG_TEXT and not _is_link_list(b) and not _site_footer(b)]
    total = sum(n for _, n in running)
    if headline is None or not total:
        return tree
    ancestry = [{*b.iterancestors(), b} for b, _ in running]  # elements, not id()s: lxml reuses proxies
    for ancestor in headline.iterancestors():
        inside = sum(n for (_, n), above in zip(running, ancestry, strict=True) if ancestor in above)
        if inside >= SCOPE_SHARE * total:
            return ancestor
    return tree


def _footer_block(element: lxml.html.HtmlElement) -> bool:
    """A block classed as the site's footer, or holding its address and telephone."""
    if any(FOOTER.search(t) for t in tokens(element)):
        return True
    return element.tag in ("div", "td", "p", "table") and len(CONTACT.findall(short_text(element, 600) or "")) >= 2


def _has_article_text(element: lxml.html.HtmlElement) -> bool:
    """Paragraphs of running text that are not the footer's own lines."""
    return any(
        len(normalize_space(_own_text(b))) > LONG_TEXT and len(CONTACT.findall(b.text_content())) < 2
        for b in element.iter("p", "div", "td")
        if b is not element
    )


def _site_footer(block: lxml.html.HtmlElement) -> bool:
    """A block that is the site's footer (its address, telephone, licence), not running text:
    a list of titles is no running text either (see :func:`article_scope`)."""
    if any(FOOTER.search(t) for a in (block, *block.iterancestors()) for t in tokens(a)):
        return True
    return len(CONTACT.findall(block.text_content())) >= 2


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
