"""What a page says about its article, apart from the body: machine metadata and printed dates.

Machine-readable facts come from ``<meta>`` tags, JSON-LD and schema.org microdata;
printed dates are read next to the headline (found by :mod:`crawler.extract.headline`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import lxml.html

from crawler.extract.dates import Evidence, FoundDate, find_dates, parse_iso
from crawler.extract.text import normalize_space

ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle", "report"}
PUBLISHED_KEYS = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "date",
)
UPDATED_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "dc.date.modified", "last-modified")
_HEADLINE_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = {"p", "div", "li", "td", "th", "dd", "dt", "blockquote", "figure", "pre", "address", *_HEADLINE_TAGS}
_CONTAINERS = {"section", "article", "header", "footer", "table", "ul", "ol", "dl", "form", "main", "body", "aside"}
_CONTAINERS |= {"nav", "html"}
_BLOCKS |= _CONTAINERS
LONG_BLOCK = 150
SAPO_CLASS = re.compile(r"sapo|chapeau|tom-?tat|(?:^|[-_\s])(?:lead|summary|excerpt|intro)(?:[-_\s]|$)")
_INLINE = {"span", "a", "b", "strong", "em", "i", "small", "font", "time", "label", "u", "sup", "sub"}


@dataclass
class Metadata:
    """The machine-readable facts of one page."""

    meta: dict[str, str] = field(default_factory=dict)
    is_article: bool = False  # og:type article, a JSON-LD Article, or itemprop="articleBody"
    language: str | None = None
    titles: list[str] = field(default_factory=list)
    site_names: set[str] = field(default_factory=set)
    published: list[Evidence] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    authors: list[Any] = field(default_factory=list)

    @property
    def description(self) -> str | None:
        value = self.meta.get("description") or self.meta.get("og:description")
        return normalize_space(value) or None if value else None


def read_metadata(tree: lxml.html.HtmlElement) -> Metadata:
    """``<meta>`` tags, JSON-LD and microdata, read before anything is removed."""
    md = Metadata(language=tree.get("lang") or None)
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
        value = element.get("content")
        if key and value and value.strip() and key not in md.meta:
            md.meta[key] = value.strip()
    md.is_article = md.meta.get("og:type", "").lower() == "article"
    ld_published, ld_pages = _read_json_ld(tree, md)
    _read_microdata(tree, md, ld_published)
    for key in PUBLISHED_KEYS:
        value = parse_iso(md.meta[key]) if key in md.meta else None
        if value:
            md.published.append(Evidence(value, key))
    md.published.extend(ld_pages)
    md.published.extend(_time_elements(tree, "published"))
    md.updated.extend(v for k in UPDATED_KEYS if k in md.meta and (v := parse_iso(md.meta[k])))
    md.updated.extend(e.value for e in _time_elements(tree, "updated"))
    for key in ("og:title", "twitter:title", "title"):
        if md.meta.get(key):
            md.titles.append(normalize_space(md.meta[key]))
    titles = tree.xpath("//title")
    if titles:
        md.titles.append(normalize_space(titles[0].text_content()))
    md.site_names |= {normalize_space(md.meta[k]) for k in ("og:site_name", "application-name") if k in md.meta}
    md.authors.extend(md.meta[k] for k in ("author", "article:author", "dc.creator") if k in md.meta)
    return md


def _read_json_ld(tree: lxml.html.HtmlElement, md: Metadata) -> tuple[list[Evidence], list[Evidence]]:
    articles: list[Evidence] = []
    pages: list[Evidence] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        for item in _json_ld_items(script.text_content()):
            kind = item.get("@type")
            kinds = {k.lower() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}
            published = parse_iso(item["datePublished"]) if isinstance(item.get("datePublished"), str) else None
            if kinds & ARTICLE_TYPES:
                md.is_article = True
                if published:
                    articles.append(Evidence(published, "datePublished"))
                if isinstance(item.get("dateModified"), str) and (modified := parse_iso(item["dateModified"])):
                    md.updated.append(modified)
                if isinstance(item.get("headline"), str):
                    md.titles.insert(0, normalize_space(item["headline"]))
                md.authors.extend(_ld_people(item.get("author")))
            elif kinds & {"webpage", "itempage"} and published:
                pages.append(Evidence(published, "datePublished"))
            if kinds & {"website", "organization", "newsmediaorganization"} and isinstance(item.get("name"), str):
                md.site_names.add(normalize_space(item["name"]))
    md.published.extend(articles)
    return articles, pages


def _json_ld_items(raw: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    items = data if isinstance(data, list) else [data]
    expanded: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict):
            expanded.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list):
                expanded.extend(x for x in graph if isinstance(x, dict))
    return expanded


def _ld_people(value: object) -> list[str]:
    people = value if isinstance(value, list) else [value]
    names = []
    for person in people:
        if isinstance(person, dict) and str(person.get("@type", "Person")).lower() == "person":
            names.append(person.get("name"))
        elif isinstance(person, str):
            names.append(person)
    return [n for n in names if isinstance(n, str)]


def _read_microdata(tree: lxml.html.HtmlElement, md: Metadata, ld_published: list[Evidence]) -> None:
    """schema.org microdata: ``itemprop="datePublished"`` (and dateCreated, dateModified)."""
    if tree.xpath("//*[@itemprop='articleBody']"):
        md.is_article = True
    for prop, target in (("datePublished", "published"), ("dateCreated", "created"), ("dateModified", "updated")):
        for element in tree.xpath(f"//*[@itemprop='{prop}']"):
            raw = element.get("datetime") or element.get("content") or element.text_content()
            value = parse_iso(raw) if raw else None
            if not value:
                continue
            if target == "updated":
                md.updated.append(value)
            elif not ld_published:
                md.published.append(Evidence(value, prop))
            break


def _time_elements(tree: lxml.html.HtmlElement, kind: str) -> list[Evidence]:
    """``<time datetime>`` marked as a publication (``published``, ``entry-date``, ``pubdate``)
    or an update (``updated``, ``modified``)."""
    words = ("updated", "modified") if kind == "updated" else ("published", "entry-date", "pubdate", "post-date")
    found = []
    for element in tree.xpath("//time[@datetime]"):
        classes = (element.get("class") or "").lower()
        marked = any(w in classes for w in words) or (kind == "published" and element.get("pubdate") is not None)
        if kind == "published" and "updated" in classes:
            marked = False
        value = parse_iso(element.get("datetime")) if marked else None
        if value:
            found.append(Evidence(value, "time"))
    return found


def printed_dates(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> tuple[FoundDate | None, ...]:
    """``(published, updated)`` as printed by the headline: the short lines right after it
    (up to the first body paragraph), else just before it in its own container; an
    update or publication *labelled* further down (below the body) also counts."""
    if headline is None:
        return None, None
    segments = _segments(tree)
    own = set(headline.iter())  # elements, not id()s: lxml may reuse a freed proxy's id
    positions = [i for i, (_, ctx, _) in enumerate(segments) if ctx in own]
    if not positions:
        return None, None
    after = _window(segments[positions[-1] + 1 :], stop_at_long=True)
    scope = _heading_block(headline)
    before = [
        s for s in segments[max(0, positions[0] - 12) : positions[0]] if scope is not None and _inside(s[1], scope)
    ]
    later = _window(segments[positions[-1] + 1 :], stop_at_long=False, limit=6000)
    near = find_dates(after)
    prior = find_dates(" ".join(s[0] for s in before)[-200:])
    below = [d for d in find_dates(later) if d.label]
    published = next((d for d in near if d.label != "updated"), None)
    published = published or next((d for d in reversed(prior) if d.label != "updated"), None)
    published = published or next((d for d in below if d.label == "published"), None)
    updated = next((d for d in near + prior + below if d.label == "updated"), None)
    return published, updated


def _segments(tree: lxml.html.HtmlElement) -> list[tuple[str, lxml.html.HtmlElement, int]]:
    """Every text piece in document order, with the element it reads in and the length of
    the block (paragraph, list item, cell…) around it; a long block that is a sapo (the lead,
    classed or set in bold) counts as short: a date line may follow it."""
    sizes: dict[lxml.html.HtmlElement, int] = {}
    lengths_checked: dict[lxml.html.HtmlElement, bool] = {}
    out = []
    for piece in tree.xpath("//text()"):
        text = normalize_space(str(piece))
        owner = piece.getparent()
        if not text or owner is None:
            continue
        context = owner.getparent() if piece.is_tail and owner.getparent() is not None else owner
        if context.tag in ("script", "style", "title", "noscript"):
            continue
        block = context
        while block.tag not in _BLOCKS and block.getparent() is not None:
            block = block.getparent()
        if block.tag in _CONTAINERS:
            block = context
        if block not in sizes:
            sizes[block] = len(normalize_space(block.text_content()))
        size = sizes[block]
        if size > LONG_BLOCK and context.tag in _INLINE and len(text) <= LONG_BLOCK:
            size = len(text)  # a short line of its own in a block that holds the whole article (<br> layouts)
        elif size > LONG_BLOCK and block not in lengths_checked:
            lengths_checked[block] = _sapo(block)
        if size > LONG_BLOCK and lengths_checked.get(block):
            continue  # the sapo's text is no date line; what follows it may be
        out.append((text, context, size))
    return out


def _window(segments: list[tuple[str, Any, int]], *, stop_at_long: bool, limit: int = 400) -> str:
    """The short lines of ``segments`` up to ``limit`` characters (with ``stop_at_long``, up to
    the first paragraph of running text)."""
    chunks: list[str] = []
    size = 0
    for text, _, block in segments:
        if block > LONG_BLOCK:
            if stop_at_long:
                break
            continue
        chunks.append(text)
        size += len(text)
        if size > limit:
            break
    return " ".join(chunks)


def _heading_block(headline: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The block the headline heads: its parent, or the grandparent when the parent holds
    nothing but the headline; never the page's ``<body>``."""
    parent = headline.getparent()
    if parent is None or parent.tag in ("body", "html"):
        return None
    rest = len(normalize_space(parent.text_content())) - len(normalize_space(headline.text_content()))
    grandparent = parent.getparent()
    if rest < 20 and grandparent is not None and grandparent.tag not in ("body", "html"):
        return grandparent
    return parent


def _inside(element: lxml.html.HtmlElement, scope: lxml.html.HtmlElement | None) -> bool:
    return scope is not None and any(a is scope for a in element.iterancestors())


def _sapo(block: lxml.html.HtmlElement) -> bool:
    """A lead printed between a headline and its body: classed as one, or all in bold."""
    classes = f"{block.get('class') or ''} {block.get('id') or ''}".lower()
    if SAPO_CLASS.search(classes):
        return True
    text = normalize_space(block.text_content())
    bold = normalize_space(" ".join(e.text_content() for e in block.iter("b", "strong")))
    return bool(text) and bold == text
