"""The extraction core: ``extract_article(body, url) -> Article | None``.

A pure function of the page's bytes and URL, built on trafilatura, with the rules
Vietnamese news pages need: day-first dates in Vietnam time, "Nguồn:" source lines,
uppercase bylines, captions kept apart, related-news blocks ("Tin liên quan") cut.
No Scrapy in here, so an archive can be re-extracted later from its stored pages.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from importlib.metadata import version

import lxml.html
import trafilatura
from lxml.etree import ParserError
from w3lib.encoding import html_to_unicode

from crawler.dates import date_from_url, find_dates, parse_iso
from storage.records import Article

logger = logging.getLogger(__name__)

EXTRACTOR_VERSION = f"provnews-{version('provnews')}+trafilatura-{trafilatura.__version__}"
MIN_TEXT_CHARS = 200
MAX_BYLINE_WORDS = 5

RELATED_HEADING = re.compile(
    r"^\s*(tin\s+liên\s+quan|bài\s+liên\s+quan|đọc\s+thêm|xem\s+thêm|tin\s+cùng\s+chuyên\s+mục|"
    r"tin\s+khác|các\s+tin\s+khác|tin\s+mới\s+hơn|tin\s+cũ\s+hơn|tin\s+đã\s+đưa|cùng\s+chuyên\s+mục|"
    r"bài\s+viết\s+liên\s+quan|tin\s+bài\s+liên\s+quan|tin\s+mới\s+nhất|tin\s+xem\s+nhiều)\s*:?\s*$",
    re.IGNORECASE,
)
SOURCE_LINE = re.compile(
    r"^\(?\s*(?:nguồn\s*:?\s*(?P<named>[^!?]{2,80}?)|theo\s+(?P<credited>[^,;:!?]{2,60}?))\s*\)?\s*\.?$", re.I
)
AUTHOR_LINE = re.compile(r"^(?:tác\s+giả|bài\s+và\s+ảnh|bài,\s*ảnh|người\s+viết)\s*:\s*(?P<author>.{2,60})$", re.I)
CAPTION_XPATH = (
    "//figcaption | //*[contains(concat(' ', normalize-space(@class), ' '), ' image_desc ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' wp-caption-text ')]"
    " | //*[contains(@class, 'PhotoCMS_Caption')] | //*[contains(@class, 'caption') and not(.//img)]"
    " | //table[contains(concat(' ', normalize-space(@class), ' '), ' image ')]//td[not(.//img)]"
)
DROP_XPATH = "//script | //style | //noscript | //template | //iframe | //form"
ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle"}


def extract_article(body: bytes, url: str, content_type: str | None = None) -> Article | None:
    """Turn one page into an :class:`Article`, or ``None`` when it is not an article.

    Not an article: no body of real length, a body made of link titles (a listing or
    home page), or a page with neither a date nor article markup (an "about" page).
    """
    html = decode_html(body, content_type)
    try:
        tree = lxml.html.fromstring(html)
    except (ParserError, ValueError):
        logger.info("%s: not parseable as HTML", url)
        return None
    metadata = _page_metadata(tree)
    link_titles = _link_titles(tree)
    for element in tree.xpath(DROP_XPATH):
        _drop(element)
    _drop_related_blocks(tree)
    captions = _take_captions(tree)
    title = _title(tree, metadata)
    published, published_from, updated = _dates(tree, metadata, url)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=False,
        deduplicate=False,
    )
    raw_text = getattr(document, "text", None) or "" if document is not None else ""
    lines = clean_lines(raw_text.split("\n"), title=title, captions=captions)
    lines, source = _take_source(lines)
    lines, author = _take_author(lines)
    text = "\n".join(lines)
    if not title or len(text) < MIN_TEXT_CHARS:
        return None
    if sum(1 for line in lines if normalize_space(line) in link_titles) >= 3:
        return None
    if published is None and not metadata["is_article"]:
        return None
    return Article(
        url=url,
        title=title,
        text=text,
        published=published,
        published_from=published_from,
        updated=updated,
        author=author or _nfc(metadata.get("author")),
        source=source,
        captions=tuple(captions),
        description=_nfc(metadata.get("description")),
        language=metadata.get("language") or getattr(document, "language", None),
        extractor_version=EXTRACTOR_VERSION,
    )


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a page to NFC text: BOM, then HTTP charset, then ``<meta>``, then guessing.

    A declared single-byte charset (ISO-8859-1, windows-1252) is not trusted when the
    bytes are valid UTF-8: Vietnamese servers often declare one and send the other.
    windows-1258 decodes to decomposed marks; NFC repairs them.
    """
    encoding, text = html_to_unicode(content_type, body)
    if encoding.lower().replace("_", "-") in ("cp1252", "latin-1", "iso8859-1", "windows-1252", "ascii"):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return unicodedata.normalize("NFC", text)


def normalize_space(text: str) -> str:
    """NFC, no-break and zero-width spaces made plain, runs of white space collapsed."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u200b", "")
    return re.sub(r"\s+", " ", text).strip()


def clean_lines(lines: Iterable[str], *, title: str | None = None, captions: Iterable[str] = ()) -> list[str]:
    """Body lines without blanks, related headings, the title or a caption repeated."""
    skip = {normalize_space(c) for c in captions}
    if title:
        skip.add(normalize_space(title))
    out: list[str] = []
    for line in lines:
        line = normalize_space(line)
        if not line or line in skip or RELATED_HEADING.match(line):
            continue
        out.append(line)
    return out


def _nfc(value: object) -> str | None:
    return normalize_space(value) if isinstance(value, str) and value.strip() else None


def _drop(element: lxml.html.HtmlElement) -> None:
    """Remove an element but keep the text that follows it (its tail)."""
    if element.getparent() is not None:
        element.drop_tree()


def _link_titles(tree: lxml.html.HtmlElement) -> set[str]:
    titles = (normalize_space(a.text_content()) for a in tree.iter("a"))
    return {t for t in titles if len(t) >= 20}


def _drop_related_blocks(tree: lxml.html.HtmlElement) -> None:
    """Cut "Tin liên quan"-style blocks: the heading and the link list it introduces."""
    for heading in list(tree.iter("h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b")):
        if heading.getparent() is None or len(heading.text_content()) > 60:
            continue
        if not RELATED_HEADING.match(normalize_space(heading.text_content())):
            continue
        block = heading
        while block.getparent() is not None and len(block.getparent().xpath(".//a")) < 2:
            if block.getparent().tag in ("body", "html"):
                break
            block = block.getparent()
        parent = block.getparent()
        if parent is not None and parent.tag not in ("body", "html") and _is_link_list(parent, block):
            block = parent
        for sibling in list(block.itersiblings()):
            if not _is_link_list(sibling):
                break
            _drop(sibling)
        _drop(block)


def _is_link_list(element: lxml.html.HtmlElement, heading: lxml.html.HtmlElement | None = None) -> bool:
    """True when the element is mostly links (a related-news list), not running text."""
    links = element.xpath(".//a")
    if len(links) < 1:
        return False
    text = normalize_space(element.text_content())
    if heading is not None:
        text = text.replace(normalize_space(heading.text_content()), "", 1)
    link_text = sum(len(normalize_space(a.text_content())) for a in links)
    return link_text >= 0.5 * max(1, len(text.replace(" ", "")) * 0.9)


def _take_captions(tree: lxml.html.HtmlElement) -> list[str]:
    """Image captions, in page order, removed from the tree (a split word rejoined)."""
    captions: list[str] = []
    for element in tree.xpath(CAPTION_XPATH):
        if element.getparent() is None:
            continue
        caption = normalize_space(element.text_content())
        if caption and caption not in captions:
            captions.append(caption)
        _drop(element)
    return captions


def _take_source(lines: list[str]) -> tuple[list[str], str | None]:
    """The credited origin from a trailing "Nguồn: X" / "(Theo X)" line, cut from the text."""
    for index in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
        match = SOURCE_LINE.match(lines[index])
        if match and len((match.group("credited") or "").split()) <= 6:
            source = (match.group("named") or match.group("credited")).strip()
            return lines[:index] + lines[index + 1 :], source
    return lines, None


def _take_author(lines: list[str]) -> tuple[list[str], str | None]:
    """A byline: "Tác giả: X", or an uppercase name alone on the last line."""
    for index in range(len(lines) - 1, max(-1, len(lines) - 3), -1):
        line = lines[index]
        match = AUTHOR_LINE.match(line)
        words = line.strip("()- ").split()
        is_upper_name = (
            0 < len(words) <= MAX_BYLINE_WORDS
            and line.upper() == line
            and all(w.isalpha() or w in ("-", "–") for w in words)
            and any(c.isalpha() for c in line)
        )
        if match or is_upper_name:
            author = match.group("author") if match else line.strip("()- ")
            return lines[:index] + lines[index + 1 :], author.strip()
    return lines, None


def _page_metadata(tree: lxml.html.HtmlElement) -> dict:
    """Machine-readable facts: ``<meta>`` tags, JSON-LD, ``<title>``, ``lang``."""
    meta: dict = {"is_article": False, "language": tree.get("lang")}
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
        value = element.get("content")
        if key and value and key not in meta:
            meta[key] = value
    meta["description"] = meta.get("description") or meta.get("og:description")
    meta["author"] = meta.get("author") or meta.get("article:author")
    meta["is_article"] = meta.get("og:type", "").lower() == "article"
    for script in tree.xpath("//script[@type='application/ld+json']"):
        for item in _json_ld_items(script.text_content()):
            kind = item.get("@type")
            kinds = {k.lower() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}
            if kinds & ARTICLE_TYPES:
                meta["is_article"] = True
                meta.setdefault("ld:datePublished", item.get("datePublished"))
                meta.setdefault("ld:dateModified", item.get("dateModified"))
                meta.setdefault("ld:headline", item.get("headline"))
    if tree.xpath("//article"):
        meta["is_article"] = meta["is_article"] or len(tree.xpath("//article")) == 1
    titles = tree.xpath("//title")
    meta["html_title"] = normalize_space(titles[0].text_content()) if titles else ""
    return meta


def _json_ld_items(raw: str) -> list[dict]:
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    items = data if isinstance(data, list) else [data]
    expanded: list[dict] = []
    for item in items:
        if isinstance(item, dict):
            expanded.append(item)
            expanded.extend(x for x in item.get("@graph", []) if isinstance(x, dict))
    return expanded


def _title(tree: lxml.html.HtmlElement, meta: dict) -> str | None:
    """The headline: an ``<h1>`` the page's ``<title>`` or og:title repeats, else those
    titles without the site name."""
    named = [normalize_space(meta.get(k) or "") for k in ("og:title", "ld:headline", "html_title")]
    named = [n for n in named if n]
    for h1 in tree.iter("h1", "h2"):
        text = normalize_space(h1.text_content())
        if len(text) >= 10 and any(text in n for n in named):
            return text
    for candidate in named:
        parts = [p.strip() for p in re.split(r"\s+[-|–—:»]\s+", candidate) if p.strip()]
        site = normalize_space(meta.get("og:site_name") or "")
        parts = [p for p in parts if p != site] or parts
        if parts:
            return max(parts, key=len)
    return None


def _dates(tree: lxml.html.HtmlElement, meta: dict, url: str) -> tuple[str | None, str | None, str | None]:
    """``(published, where it came from, updated)`` by a fixed order of trust.

    1. the date printed near the headline (what readers see), when it has a time;
    2. JSON-LD ``datePublished``, then ``article:published_time`` and friends;
    3. a date printed near the headline without a time; 4. ``<time datetime>``;
    5. a ``/YYYY/MM/DD/`` date in the URL. Nothing found: ``None``, never today.
    A date labelled as an update ("Cập nhật") is kept as ``updated``, never published.
    """
    visible = [d for d in _visible_dates(tree) if not d.updated]
    updated = next((d.value for d in _visible_dates(tree) if d.updated), None)
    parsed = [
        (key, parse_iso(meta[key]))
        for key in (
            "ld:datePublished",
            "article:published_time",
            "og:published_time",
            "datepublished",
            "pubdate",
            "publishdate",
            "dc.date.issued",
            "date",
        )
        if isinstance(meta.get(key), str)
    ]
    machine = [(k, v) for k, v in parsed if v is not None]
    updated = updated or next(
        (parse_iso(meta[k]) for k in ("ld:dateModified", "article:modified_time") if isinstance(meta.get(k), str)),
        None,
    )
    if visible and visible[0].has_time:
        return visible[0].value, "page", updated
    if machine:
        if visible and not machine[0][1].startswith(visible[0].value):
            return visible[0].value, "page", updated
        return machine[0][1], machine[0][0], updated
    if visible:
        return visible[0].value, "page", updated
    for element in tree.xpath("//time[@datetime]"):
        value = parse_iso(element.get("datetime"))
        if value:
            return value, "time", updated
    from_url = date_from_url(url)
    return (from_url, "url", updated) if from_url else (None, None, updated)


def _visible_dates(tree: lxml.html.HtmlElement) -> list:
    """Dates printed right after the headline (the first ~600 characters of text)."""
    headline = next(iter(tree.iter("h1")), None)
    if headline is None:
        return []
    chunks: list[str] = []
    size = 0
    for text in headline.xpath("following::text()"):
        chunk = normalize_space(str(text))
        if chunk:
            chunks.append(chunk)
            size += len(chunk)
        if size > 600:
            break
    return find_dates(" ".join(chunks))
