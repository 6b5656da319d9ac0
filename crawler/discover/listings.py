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
    r"^\W*(?:trang\s*trước|trước|quay\s*lại|trở\s*về|prev(?:ious)?|mới\s*hơn|newer(?:\s*posts)?|[‹«<←]+|&lt;+)\W*$",
    re.IGNORECASE,
)
# "see more": a box's link to its section as often as a listing's next page
MORE_TEXT = re.compile(r"^\W*(?:xem\s*(?:tiếp|thêm)|tải\s*thêm|more)\W*$", re.IGNORECASE)
EDGE_TEXT = re.compile(r"^\W*(?:trang\s*)?(?:đầu(?:\s*tiên)?|cuối(?:\s*cùng)?|first|last|[«»]{2}|\|[<>])\W*$", re.I)
MAX_PAGE_TEXT = 100_000
# a path segment a pager adds: a number, a short word (page, PageID), or both (trang-2.html);
# an article's slug under a date archive is none
PAGER_SEGMENT = re.compile(r"^(?:[a-z_]{0,8}[-_]?\d*(?:\.\w{2,5})?)$", re.IGNORECASE)
MAX_BELOW = 4
MAX_PER_PAGE = 200  # items per page a listing's offset may step by
ROW_PARAM = re.compile(
    r"row", re.IGNORECASE
)  # path segments a listing's numbered pages may add to its first page's path
# a URL shape, as a key: digits runs replaced by this mark
SLOT = "\x00"


def shape(url: str) -> str:
    """``url`` with each run of digits after its host replaced by one mark: the pages of one
    listing share it (a host's digits, ``127.0.0.1:8080`` or ``tinh2.gov.vn``, are no page
    number)."""
    at = _path_start(url)
    return url[:at] + DIGITS.sub(SLOT, url[at:])


def slots(url: str) -> list[int]:
    return [int(run.group()) for run in runs(url)]


def runs(url: str) -> list[re.Match[str]]:
    """The digit runs of ``url`` after its host."""
    return list(DIGITS.finditer(url, _path_start(url)))


def _path_start(url: str) -> int:
    scheme_end = url.find("//")
    if scheme_end < 0:
        return 0
    at = url.find("/", scheme_end + 2)
    if at < 0:
        at = url.find("?", scheme_end + 2)
    return at if at >= 0 else len(url)


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
        run = runs(member)[self.index]
        return member[: run.start()] + "{}" + member[run.end() :]

    def first_page_forms(self, member: str) -> tuple[str, ...]:
        """The URLs page 1 may have when it is not written with a number: ``member`` without
        its page parameter (or with no query at all), without its page segment (and a short
        word before it, as in ``/page/2/`` or ``-trang-2.html``)."""
        run = runs(member)[self.index]
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
        run = runs(member)[self.index]
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
            and all(PAGER_SEGMENT.match(part) for part in below[len(above) :].split("/") if part)
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
    for key, group in _groups(numbered).items():
        found = _linear_slot(key, group, page_url)
        if found is None:
            continue
        slot, members = found
        current = slot.number(page_url)
        if current is None and slot.is_first_page(page_url, members[0][0]):
            current = 1
        if current is not None and (best is None or len(members) > len(best[1])):
            best = (slot, members, current)
    if best is not None:
        slot, members, current = best
        by_number = {n: url for url, n in members if url != page_url}
        # or the "next" link among the pager's (a teaser's "Xem tiếp ›" is no page of it)
        next_url = by_number.get(current + 1) or next(
            (url for url, text in steps if NEXT_TEXT.match(text) and (slot.number(url) or 0) > current), None
        )
        # numbered links of the pager's shape are the pager's, a "per page: 6 12 24" menu included
        pager_links = {url for url, _ in numbered if shape(url) == slot.shape}
        pager_links |= {url for url, _ in members} | {url for url, text in steps if shape(url) == slot.shape}
        pager_links |= {url for url, n in numbered if n == 1 and slot.is_first_page(url, members[0][0])}
        return Pager(slot.identity(members[0][0]), current, next_url, frozenset(pager_links - {page_url}))
    # "see more" links (a teaser's, a box's) count only when they all lead to one page
    nexts = [url for url, text in steps if NEXT_TEXT.match(text) and not MORE_TEXT.match(text)]
    more = [url for url, text in steps if MORE_TEXT.match(text)]
    only_more = not nexts
    if only_more and len(set(more)) == 1:
        nexts = more
    if not nexts:
        return None
    lone = _lone_slot(page_url, nexts[0])
    if lone is not None:
        current = max(1, (lone.number(nexts[0]) or 2) - 1)
        listing = lone.identity(nexts[0])
        if shape(page_url) != shape(nexts[0]):
            listing = _without_state(listing, page_url)
        return Pager(listing, current, nexts[0], frozenset(url for url, _ in steps), numbered=False)
    if numbered:
        return None  # numbers of some other list (a calendar, another listing's pager)
    # a next link with no page number: one target, and a "see more" only under this page's
    # path (a home page's box ends in a "Xem tiếp" to its section: no pager)
    if len(set(nexts)) != 1:
        return None
    if only_more and urlsplit(nexts[0]).path.lower() != urlsplit(page_url).path.lower():
        return None
    return Pager(page_url, 1, nexts[0], frozenset(url for url, _ in steps), numbered=False)


def _groups(numbered: list[tuple[str, int]]) -> dict[str, list[tuple[str, int]]]:
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for url, number in numbered:
        groups[shape(url)].append((url, number))
    return groups


def _linear_slot(
    key: str, members: list[tuple[str, int]], page_url: str
) -> tuple[PageSlot, list[tuple[str, int]]] | None:
    """The digit run of ``members`` (one URL shape) that follows their link texts, and the
    members that follow it (a "per page: 6 12 24" menu may share the pager's shape)."""
    runs = [(slots(url), number, url) for url, number in members]
    best: tuple[PageSlot, list[tuple[str, int]]] | None = None
    for index in reversed(range(len(runs[0][0]))):  # a page number comes last more often than not
        by_number: dict[int, set[int]] = {}
        for values, number, _ in runs:
            by_number.setdefault(number, set()).add(values[index])
        # the line through two consecutive page numbers: value = step * page + offset
        lines: dict[tuple[int, int], int] = {}
        for number, seen in by_number.items():
            for value in seen:
                for after in by_number.get(number + 1, ()):
                    step = after - value
                    if step >= 1:
                        line = (step, value - step * number)
                        lines[line] = lines.get(line, 0) + 1
        if lines:
            (step, offset), _ = max(lines.items(), key=lambda item: item[1])
            follow = [(url, n) for values, n, url in runs if values[index] == step * n + offset]
            if len({n for _, n in follow}) >= 2 and (best is None or len(follow) > len(best[1])):
                best = (PageSlot(key, index, step, offset), follow)
        elif best is None:
            # one page number in the pager's shape (a window "‹ 4 ›" on page 3): it counts when
            # its number is its value and this page is of the same listing
            for values, number, url in runs:
                value = values[index]
                if value not in (number, number - 1):
                    continue
                slot = PageSlot(key, index, 1, value - number)
                if url != page_url and slot.number(page_url) is not None and _differs_only_at(page_url, url, index):
                    best = (slot, [(url, number)])
                    break
                if len(by_number) == 1 and slot.is_first_page(page_url, url):
                    best = (slot, [(url, number)])
                    break
    return best


def _differs_only_at(a: str, b: str, index: int) -> bool:
    """Two URLs of one shape with the same numbers but for digit run ``index``."""
    x, y = slots(a), slots(b)
    if len(x) != len(y) or x[index] == y[index]:
        return False
    return all(p == q for i, (p, q) in enumerate(zip(x, y, strict=True)) if i != index)


def _without_state(listing: str, first_page: str) -> str:
    """A listing's identity read from page 1's "next" link, without the parameters that link
    adds but the page number's: a list view's cursor (``p_ID=2515&p_ArticleStartDate=…``,
    the last item shown) changes as news comes in; the listing does not."""
    parts = urlsplit(listing)
    own = {pair.partition("=")[0].lower() for pair in urlsplit(first_page).query.split("&") if pair}
    kept = [p for p in parts.query.split("&") if p and ("{}" in p or p.partition("=")[0].lower() in own)]
    return parts._replace(query="&".join(kept)).geturl()


def _whole_numbers(url: str) -> list[int]:
    """The digit runs of ``url`` that may be a page number or offset, last first: a query
    value that is only digits, a path segment that is a number with at most a short word
    (``2``, ``trang-2.html``, ``p2``); not a date, an id inside a word, a GUID's digits."""
    found = []
    query_start = url.find("?")
    for index, run in enumerate(runs(url)):
        if 0 <= query_start < run.start():
            before, after = url[: run.start()], url[run.end() :]
            if before.endswith("=") and (not after or after[0] == "&") and len(run.group()) <= 6:
                found.append(index)
        else:
            path = url[: query_start if query_start >= 0 else len(url)]
            start = path.rfind("/", 0, run.start()) + 1
            end = path.find("/", run.end())
            segment = path[start : end if end >= 0 else len(path)]
            if PAGER_SEGMENT.match(segment) and len(run.group()) <= 6:
                found.append(index)
    return found[::-1]


def _param_of(url: str, index: int) -> str:
    """The name of the query parameter digit run ``index`` of ``url`` is the value of."""
    before = url[: runs(url)[index].start()]
    return before[max(before.rfind("&"), before.rfind("?")) + 1 : -1]


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
    values = slots(next_url)
    candidates = _whole_numbers(next_url)
    for index in candidates:
        for offset in (0, -1):
            slot = PageSlot(shape(next_url), index, 1, offset)
            if slot.number(next_url) == 2 and slot.is_first_page(page_url, next_url):
                return slot
    for index in candidates:
        value = values[index]
        if 2 < value <= MAX_PER_PAGE + 1:
            # an offset: of the first item (start=10: value = per * (n - 1)), or of its row
            # (PageFirstRow=7: value = per * (n - 1) + 1)
            per = value - 1 if ROW_PARAM.search(_param_of(next_url, index)) else value
            slot = PageSlot(shape(next_url), index, per, value - per)
            if slot.number(next_url) == 1 and slot.is_first_page(page_url, next_url):
                return PageSlot(shape(next_url), index, per, value - 2 * per)
    return None
