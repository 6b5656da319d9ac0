"""The extraction core: ``extract_article(body, url) -> Article | None``.

A pure function of the page's bytes and URL, built on trafilatura, with the rules
Vietnamese news pages need. No Scrapy in here, so an archive can be re-extracted later
from its stored pages (``provnews reextract``). In order:

1. bytes to NFC text whatever the charset claims (``crawler.extract.encoding``);
2. machine metadata, the title without the site name and its headline element, and the
   dates printed by the headline (``crawler.extract.metadata``, ``crawler.extract.dates``);
3. what is not body text cut from the tree: comments, related news, share/print/tags
   chrome; captions and byline elements taken apart (``crawler.extract.boilerplate``);
4. trafilatura reads the body; the lines are cleaned (``crawler.extract.text``), the sapo kept
   first, the source line and the byline cut from the end (``crawler.extract.bylines``);
5. not an article: no title or no body of real length; a listing or home page (story
   titles with teasers and no text of its own, a body made of link titles, or an
   archive's title: "Từ khóa: …", "Tác giả: …", "Ngày: …"); or neither a date nor article markup
   (og:type article, a JSON-LD Article, ``itemprop="articleBody"``): an "about" page
   → ``None``.

``EXTRACTOR_VERSION`` names the rules and the trafilatura release; every article records
it. Bump ``RULES`` whenever a change can change what is extracted: ``provnews
reextract`` then stores a new version of each article whose result changed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache

import lxml.html
import trafilatura
from justext import get_stoplist
from lxml.etree import ElementDefaultClassLookup, ParserError
from trafilatura import external

from crawler.extract import boilerplate
from crawler.extract.bylines import person_or_none, take_byline
from crawler.extract.dates import choose_published, choose_updated, find_dates
from crawler.extract.encoding import decode_html
from crawler.extract.headline import find_title
from crawler.extract.metadata import printed_dates, read_metadata
from crawler.extract.text import clean_lines, normalize_space
from storage.records import Article

__all__ = [
    "EXTRACTOR_VERSION",
    "RULES",
    "Reading",
    "decode_html",
    "extract_article",
    "normalize_space",
    "parse_html",
    "read_page",
    "read_tree",
]

logger = logging.getLogger(__name__)

RULES = 3
EXTRACTOR_VERSION = f"provnews-rules-{RULES}+trafilatura-{trafilatura.__version__}"
_HTML_PARSER = lxml.html.HTMLParser(huge_tree=True)
# lxml.html picks each element's class in Python (a call per element the code touches, about
# a tenth of the time to read a page); these are the same classes, picked in C (form fields
# are plain elements: nothing here uses lxml's form API)
_HTML_PARSER.set_element_class_lookup(
    ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
MIN_TEXT_CHARS = 200
MIN_HEADLINE_WORDS = 4  # an undated page's title shorter than this names the page
PAGE_NAME_WORDS = 2  # so does any title this short
MIN_LINK_TITLE = 20
LISTING_LINES = 3
LISTING_SHARE = 0.5
STATIC_PAGE = re.compile(
    r"^(?:giới\s*thiệu|liên\s*hệ|sơ\s*đồ|chức\s*năng|cơ\s*cấu\s*tổ\s*chức|lịch\s*sử\s*hình\s*thành|"
    r"thông\s*tin\s*liên\s*hệ|bản\s*đồ|danh\s*bạ|hỏi\s*đáp|góp\s*ý|lãnh\s*đạo)\b",
    re.IGNORECASE,
)
ARCHIVE_TITLE = re.compile(
    r"^(?:từ\s*khóa|từ\s*khoá|thẻ|tags?|tác\s*giả|chuyên\s*mục|danh\s*mục|lưu\s*trữ|ngày|tháng|năm|"
    r"kết\s*quả\s*tìm\s*kiếm|tìm\s*kiếm|category|archives?|author)\s*:",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reading:
    """Everything read from a page, and the verdict: ``reason`` is None for an article,
    else why it is not one (the article is still filled in, for benchmarks and debugging)."""

    article: Article | None
    reason: str | None = None


def extract_article(body: bytes, url: str, content_type: str | None = None) -> Article | None:
    """Turn one page into an :class:`Article`, or ``None`` when it is not an article."""
    reading = read_page(body, url, content_type)
    if reading.reason:
        logger.debug("%s: not an article: %s", url, reading.reason)
        return None
    return reading.article


def parse_html(body: bytes, content_type: str | None = None) -> lxml.html.HtmlElement:
    """The page's tree, however deep: libxml2's default parser silently drops what lies deeper
    than 256 elements, and pages nested that deep (layout tables in layout tables) exist.
    Raises ``ParserError`` or ``ValueError`` when the bytes are not HTML at all."""
    return lxml.html.fromstring(decode_html(body, content_type), parser=_HTML_PARSER)


def read_page(body: bytes, url: str, content_type: str | None = None) -> Reading:
    """Read a page as an article, and say whether it is one (see the module docstring)."""
    try:
        tree = parse_html(body, content_type)
    except (ParserError, ValueError):
        logger.info("%s: not parseable as HTML", url)
        return Reading(None, "not parseable as HTML")
    return read_tree(tree, url)


def read_tree(
    tree: lxml.html.HtmlElement, url: str, link_text: str = "", shared_titles: frozenset[str] = frozenset()
) -> Reading:
    """:func:`read_page` on a parsed page; the tree is cut as the rules read it. ``link_text``:
    the text of the link the page was reached by; ``shared_titles``: ``<title>``s the site
    gives many pages (no page's own title)."""
    metadata = read_metadata(tree)
    title, headline = find_title(tree, metadata, link_text, shared_titles)
    boilerplate.remove_junk(tree, headline)
    printed, updated = printed_dates(tree, headline)
    if printed is None and updated is not None and not metadata.published:
        # the only date the page prints by its headline is labelled an update ("Cập nhật: …",
        # as some CMSs label every article's date): it is the article's date
        printed, updated = replace(updated, label=None), None
    link_titles = {t for a in tree.iter("a") if len(t := normalize_space(a.text_content())) >= MIN_LINK_TITLE}
    read = _body(tree, headline, title, url)
    published = choose_published(printed, metadata.published, url)
    article = Article(
        url=url,
        title=title or "",
        text="\n".join(read.lines),
        published=published.value if published else None,
        published_from=published.source if published else None,
        updated=choose_updated(updated, metadata.updated, published.value if published else None),
        author=read.author or next(filter(None, map(person_or_none, metadata.authors)), None),
        source=read.source,
        captions=tuple(read.captions),
        description=metadata.description,
        language=metadata.language,
        extractor_version=EXTRACTOR_VERSION,
    )
    return Reading(article, _not_an_article(article, read, link_titles, metadata.is_article))


@dataclass(frozen=True)
class _Body:
    """The body as read, and what was taken apart from it."""

    lines: list[str]
    captions: list[str]
    author: str | None
    source: str | None
    stories: int


def _body(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None, title: str | None, url: str) -> _Body:
    """The body without what is not body text, and the bylines and captions taken apart."""
    boilerplate.remove_comments(tree, headline)
    boilerplate.remove_related(tree, headline)
    element_author, element_source = boilerplate.take_byline_elements(tree, headline)
    signed = boilerplate.signatures(tree)
    boilerplate.remove_chrome(tree, headline)
    scope = boilerplate.article_scope(tree, headline)  # captions count: a photo story's text is theirs
    captions = boilerplate.take_captions(tree)
    boilerplate.unwrap_layout_tables(tree, headline)
    sapo = boilerplate.find_sapo(tree, headline)
    stories = boilerplate.listed_stories(scope, headline)
    boilerplate.keep_only(scope)
    items = {normalize_space(li.text_content()) for li in scope.iter("li")}
    lines = clean_lines(_body_lines(tree, url), title=title, captions=captions)
    lines = [line[2:] if line.startswith("- ") and line[2:] in items else line for line in lines]
    if sapo and sapo != title and not any(sapo in line for line in lines[:3]):
        lines.insert(0, sapo)
    if sum(map(len, lines)) < MIN_TEXT_CHARS <= sum(map(len, captions)):
        # a photo story: its text is the photos' captions
        lines, captions = lines + [c for c in captions if c not in lines], []
    lines, author, source = take_byline(lines, signatures=signed)
    return _Body(lines, captions, author or element_author, source or element_source, stories)


def _not_an_article(article: Article, body: _Body, link_titles: set[str], marked: bool) -> str | None:
    """Why the page is not an article, or None when it is one."""
    if not article.title:
        return "no title"
    if len(article.text) < MIN_TEXT_CHARS:
        return f"body under {MIN_TEXT_CHARS} characters"
    if body.stories:
        return "story titles and teasers, no text of its own (a listing)"
    if ARCHIVE_TITLE.match(article.title):
        return "an archive's title (a tag, author, category or date listing)"
    dated = [line for line in body.lines if find_dates(line[-60:])]
    if len(dated) >= LISTING_LINES and len(dated) >= LISTING_SHARE * len(body.lines):
        return "a list of dated items (a listing)"
    linked = [line for line in body.lines if line in link_titles]
    if len(linked) >= LISTING_LINES and sum(map(len, linked)) >= LISTING_SHARE * len(article.text):
        return "the body is made of link titles (a listing)"
    if article.published is None and not marked:
        return "neither a date nor article markup"
    words = len(article.title.split())
    if words <= PAGE_NAME_WORDS or (article.published is None and words < MIN_HEADLINE_WORDS):
        return "a page whose title names it (Giới thiệu, Liên hệ), not a story"
    if article.published is None and STATIC_PAGE.match(article.title):
        return "an undated page about the site or its body (Giới thiệu chung …), not a story"
    return None


# jusText, trafilatura's second fallback, counts stop words to tell body from chrome
JUSTEXT_LANGUAGES = ("Vietnamese", "English")


@cache
def justext_stoplist() -> frozenset[str]:
    """The stop words of ``JUSTEXT_LANGUAGES``, lower-cased."""
    return frozenset(word.lower() for language in JUSTEXT_LANGUAGES for word in get_stoplist(language))


@contextmanager
def _justext_stop_words() -> Iterator[None]:
    """trafilatura's jusText fallback with the stop words of ``JUSTEXT_LANGUAGES``.

    Without a target language it unites the stop words of all 100 languages jusText knows:
    a tuple of 150,000 words, made on the first page that needs the fallback (about 35 MB
    of memory in every process that reads pages, kept for good) and hashed again on every
    later call. The module global is put back afterwards, for other callers of trafilatura.
    """
    saved, external.JT_STOPLIST = external.JT_STOPLIST, justext_stoplist()  # type: ignore[assignment]
    try:
        yield
    finally:
        external.JT_STOPLIST = saved


def _body_lines(tree: lxml.html.HtmlElement, url: str) -> list[str]:
    """The body as trafilatura reads it from the cleaned page, one line per paragraph."""
    with _justext_stop_words():
        document = _bare_extraction(tree, url)
    text = getattr(document, "text", None) if document is not None else None
    return (text or "").split("\n")


def _bare_extraction(tree: lxml.html.HtmlElement, url: str) -> object:
    return trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        include_images=False,
        favor_precision=False,
        deduplicate=False,
    )
