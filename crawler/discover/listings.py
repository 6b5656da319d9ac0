"""Listings: pagination read from the pager itself, and a listing's identity.

A listing is a chain of pages (a category, a tag, an archive) walked one page at a time.
Which links of a page are its pager is read from the links, whatever the CMS:

- the numbered links: links whose text is a number (``1``, ``2`` … ``20``), grouped by the
  shape of their URL (the URL with its digit runs taken out); in a group, the page number is
  the digit run that follows the link texts (``?page=3`` for "3", a zero-based ``?page=2``
  for "3", ``?start=20`` for "3" at 10 a page, ``/trang-3.html``, ``…_cur=3``), whatever its
  parameter is called;
- the step links: "Trang sau", "Tiếp", "»", "Next", "Xem thêm" … (and their "before"
  and "first/last" kin), taken as a next page when they lead to another page of the same
  listing or when no numbered link says otherwise.

A listing's identity is the shape of its pages' URLs with the page number marked
(``http://h/tin-tuc?page={}``): the same whether page 1 was linked as ``/tin-tuc``,
``/tin-tuc?page=1`` or ``/tin-tuc/trang-1.html``, and different for two categories that
differ in a number (``?CatID=12`` and ``?CatID=13``). A link that looks like a page of a
listing by its URL alone (``?page=N``, ``/page/N/``, ``/trang-N``) but says something else
(a headline, a menu label: ``/?p=123``, a menu's ``?page=1``) is not pagination.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DIGITS = re.compile(r"\d+")
NEXT_TEXT = re.compile(
    r"^\W*(?:trang\s*(?:sau|kế(?:\s*tiếp)?|tiếp(?:\s*theo)?)|tiếp(?:\s*theo)?|kế\s*tiếp|sau|next(?:\s*page)?|"
    r"xem\s*(?:tiếp|thêm)|tải\s*thêm|tin\s*(?:cũ\s*hơn|tiếp\s*theo)|cũ\s*hơn|older(?:\s*posts)?|more|"
    r"[›»>→]+|&gt;+)\W*$",
    re.IGNORECASE,
)
PREVIOUS_TEXT = re.compile(
    r"^\W*(?:trang\s*trước|trước|quay\s*lại|prev(?:ious)?|mới\s*hơn|newer(?:\s*posts)?|[‹«<←]+|&lt;+)\W*$",
    re.IGNORECASE,
)
EDGE_TEXT = re.compile(r"^\W*(?:trang\s*)?(?:đầu(?:\s*tiên)?|cuối(?:\s*cùng)?|first|last|[«»]{2}|\|[<>])\W*$", re.I)
MAX_PAGE_TEXT = 100_000
MAX_BELOW = 4  # path segments a listing's numbered pages may add to its first page's path
# a URL shape, as a key: digits runs replaced by this mark
SLOT = "\x00"


def shape(url: str) -> str:
    """``url`` with each run of digits replaced by one mark: the pages of one listing share it."""
    return DIGITS.sub(SLOT, url)


def slots(url: str) -> list[int]:
    return [int(run) for run in DIGITS.findall(url)]


def page_text_number(text: str) -> int | None:
    """The page number a link's text says (``3``, ``[3]``, ``Trang 3``), else None."""
    cleaned = re.sub(r"^\W*(?:trang|page|tr\.?)\s*", "", text.strip(), flags=re.I)
    cleaned = cleaned.strip(" []().:|")
    if cleaned.isdigit() and 0 < int(cleaned) <= MAX_PAGE_TEXT and len(cleaned) <= 6:
        return int(cleaned)
    return None


def is_step_text(text: str) -> bool:
    """A pager's "next", "previous", "first" or "last" link text."""
    text = text.strip()
    return bool(text) and bool(NEXT_TEXT.match(text) or PREVIOUS_TEXT.match(text) or EDGE_TEXT.match(text))


@dataclass(frozen=True)
class PageSlot:
    """Where a listing's page number sits in its URLs: digit run ``index`` of the URL
    shape ``shape``, whose value is ``step * page + offset``."""

    shape: str
    index: int
    step: int = 1
    offset: int = 0

    def number(self, url: str) -> int | None:
        """The page number of ``url`` when it is a page of this shape, else None."""
        if shape(url) != self.shape:
            return None
        page, rest = divmod(slots(url)[self.index] - self.offset, self.step)
        return page if rest == 0 and page >= 1 else None

    def identity(self, member: str) -> str:
        """The listing's identity, from one of its page URLs: the page number marked ``{}``."""
        run = list(DIGITS.finditer(member))[self.index]
        return member[: run.start()] + "{}" + member[run.end() :]

    def first_page_forms(self, member: str) -> tuple[str, ...]:
        """The URLs page 1 may have when it is not written with a number: ``member`` without
        its page parameter (or with no query at all), without its page segment (and a short
        word before it, as in ``/page/2/`` or ``-trang-2.html``)."""
        run = list(DIGITS.finditer(member))[self.index]
        parts = urlsplit(member)
        base = f"{parts.scheme}://{parts.netloc}"
        forms = []
        if run.start() > len(member) - len(parts.query) - 1 and parts.query:
            kept = [pair for pair in parts.query.split("&") if not _holds(member, pair, run)]
            forms.append(base + parts.path + ("?" + "&".join(kept) if kept else ""))
            forms.append(base + parts.path)  # page 1 without the pager's parameters (a portlet's state)
        else:
            path_start = len(base)
            at = run.start() - path_start
            path = parts.path
            head, tail = path[:at], path[at + len(run.group()) :]
            segment_start = head.rfind("/") + 1
            segment_end = len(path) - len(tail) + (tail.find("/") if "/" in tail else len(tail))
            segment = path[segment_start:segment_end]
            prefix = path[:segment_start]
            word = re.sub(r"[-_]?(?:trang|page|p|pg)?[-_]?\d+$", "", re.sub(r"\.\w+$", "", segment), flags=re.I)
            suffix = segment[len(re.sub(r"\.\w+$", "", segment)) :]
            if word:
                forms.append(base + prefix + word + suffix)
            trimmed = prefix.rstrip("/")
            forms.append(base + (trimmed or "/"))
            forms.append(base + (trimmed + "/" if trimmed else "/"))
            parent = trimmed.rsplit("/", 1)
            if len(parent) == 2 and re.fullmatch(r"(?:trang|page|p|pg)", parent[1], re.I):
                forms.append(base + (parent[0] or "/"))
                forms.append(base + parent[0] + "/")
            if parts.query:
                forms = [f + "?" + parts.query for f in forms]
        return tuple(dict.fromkeys(forms))

    def is_first_page(self, page_url: str, member: str) -> bool:
        """``page_url`` is page 1 of the listing ``member`` is a page of: one of its first-page
        forms (in any case: IIS servers), or a path above it (``/van-hoa`` over
        ``/van-hoa/PgrID/712/PageID/3``), not the site's root."""
        folded = page_url.casefold()
        if any(form.casefold() == folded for form in self.first_page_forms(member)):
            return True
        page, other = urlsplit(page_url), urlsplit(member)
        run = list(DIGITS.finditer(member))[self.index]
        in_path = run.start() < len(member) - len(other.query) - (1 if other.query else 0)
        above = page.path.rstrip("/").casefold()
        below = other.path.casefold()
        return (
            in_path
            and page.netloc == other.netloc
            and page.query == other.query
            and above not in ("", "/")
            and below.startswith(above + "/")
            and below[len(above) :].count("/") <= MAX_BELOW
        )


def _holds(member: str, pair: str, run: re.Match[str]) -> bool:
    start = member.find(pair, len(member) - len(urlsplit(member).query) - 1)
    return start <= run.start() < start + len(pair)


@dataclass(frozen=True)
class Pager:
    """What a page's pager says: its listing, this page's number, the next page's URL, and
    every pager link (not items of the listing)."""

    listing: str
    current: int
    next_url: str | None
    links: frozenset[str] = field(default_factory=frozenset)
    numbered: bool = True  # read from numbered links (False: from a lone "next" link)


def read_pager(page_url: str, links: Sequence[tuple[str, str]]) -> Pager | None:
    """The pager of the page at ``page_url`` whose links (``(url, text)``, canonical, traps
    left out, in page order) are ``links``; None when it has none.

    Numbered links count only when this page is one of their listing's pages: of the same
    URL shape, or its first page written without a number. A lone "next" link counts
    when it leads to the same URL but for one growing number, or, with no number at all,
    when nothing else on the page is a pager.
    """
    numbered = [(url, n) for url, text in links if (n := page_text_number(text)) is not None]
    steps = [(url, text.strip()) for url, text in links if url != page_url and is_step_text(text)]
    best: tuple[PageSlot, list[tuple[str, int]], int] | None = None
    for key, members in _groups(numbered).items():
        slot = _linear_slot(key, members, page_url)
        if slot is None:
            continue
        current = slot.number(page_url)
        if current is None and slot.is_first_page(page_url, members[0][0]):
            current = 1
        if current is not None and (best is None or len(members) > len(best[1])):
            best = (slot, members, current)
    if best is not None:
        slot, members, current = best
        by_number = {n: url for url, n in members if url != page_url}
        next_url = by_number.get(current + 1) or next(
            (url for url, text in steps if NEXT_TEXT.match(text) and (slot.number(url) or current + 1) > current), None
        )
        pager_links = {url for url, _ in members} | {url for url, text in steps if shape(url) == slot.shape}
        pager_links |= {url for url, n in numbered if n == 1 and slot.is_first_page(url, members[0][0])}
        return Pager(slot.identity(members[0][0]), current, next_url, frozenset(pager_links - {page_url}))
    nexts = [url for url, text in steps if NEXT_TEXT.match(text)]
    if not nexts:
        return None
    lone = _lone_slot(page_url, nexts[0])
    if lone is not None:
        current = max(1, (lone.number(nexts[0]) or 2) - 1)
        return Pager(lone.identity(nexts[0]), current, nexts[0], frozenset(url for url, _ in steps), numbered=False)
    if numbered:
        return None  # numbers of some other list (a calendar, another listing's pager)
    return Pager(page_url, 1, nexts[0], frozenset(url for url, _ in steps), numbered=False)


def _groups(numbered: list[tuple[str, int]]) -> dict[str, list[tuple[str, int]]]:
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for url, number in numbered:
        groups[shape(url)].append((url, number))
    return groups


def _linear_slot(key: str, members: list[tuple[str, int]], page_url: str) -> PageSlot | None:
    """The digit run of ``members`` (one URL shape) that follows their link texts."""
    runs = [(slots(url), number) for url, number in members]
    for index in range(len(runs[0][0])):
        pairs = sorted({(number, values[index]) for values, number in runs})
        numbers = sorted({n for n, _ in pairs})
        if len(numbers) != len(pairs):
            continue  # one number, two values: not this run
        if len(numbers) >= 2 and not any(b - a == 1 for a, b in zip(numbers, numbers[1:], strict=False)):
            continue  # 5, 10, 20: a "per page" menu, not pages
        if len(pairs) >= 2:
            (n1, v1), (n2, v2) = pairs[0], pairs[-1]
            if (v2 - v1) % (n2 - n1):
                continue
            step = (v2 - v1) // (n2 - n1)
            offset = v1 - step * n1
            if step >= 1 and all(v == step * n + offset for n, v in pairs):
                return PageSlot(key, index, step, offset)
        elif pairs:
            number, value = pairs[0]
            slot = PageSlot(key, index, 1, value - number) if value in (number, number - 1) else None
            if slot is not None and (slot.number(page_url) is not None or slot.is_first_page(page_url, members[0][0])):
                return slot
    return None


def _lone_slot(page_url: str, next_url: str) -> PageSlot | None:
    """The page slot seen through one "next" link: the one digit run by which it and this
    page's URL differ (growing), or a number it adds to a first page written without one."""
    if shape(page_url) == shape(next_url):
        a, b = slots(page_url), slots(next_url)
        differing = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(differing) != 1 or b[differing[0]] <= a[differing[0]]:
            return None
        i = differing[0]
        step = b[i] - a[i]
        # page n at a[i], page n+1 at b[i]: with step > 1 (an offset), a[i] = step * n + offset
        page = a[i] // step if step > 1 else max(1, a[i])
        return PageSlot(shape(next_url), i, step, a[i] - step * page)
    for index in range(len(slots(next_url))):
        for offset in (0, -1):
            slot = PageSlot(shape(next_url), index, 1, offset)
            if slot.number(next_url) == 2 and slot.is_first_page(page_url, next_url):
                return slot
    for index in range(len(slots(next_url))):
        value = slots(next_url)[index]
        if value > 2:
            slot = PageSlot(shape(next_url), index, value, 0)
            if slot.number(next_url) == 1 and slot.is_first_page(page_url, next_url):
                return PageSlot(shape(next_url), index, value, -value)
    return None
