"""Dates as Vietnamese news pages print them, read day-first, out as ISO 8601.

Numeric dates are always day-first (``05/08/2022`` is 5 August). A time without an
offset is Vietnam time (``+07:00``); machine dates in another offset are shown in
Vietnam time. A date alone stays a date alone: nothing is invented. Forms read::

    23-08-2022 16:13            Thứ Ba, 23/08/2022 16:13       16:13 | 23/08/2022
    Ngày đăng: 08/07/2024       Cập nhật: 09/07/2024 10:00      Ngày 23 tháng 8 năm 2022
    23 Tháng Tám, 2022          23/8/2022 - 16:13 GMT+7          12 Tháng 10 2022 15:05
    08:10 ngày 26/11/2026       24/12/12 11:05 tối (a two-digit year, with a time)
    2022-08-23T09:13:00Z (JSON-LD, <meta>, <time>)              /2022/08/23/ in a URL
    November 18, 2019 (English month names: unambiguous)

A date is labelled by the words just before it: "Ngày đăng", "Đăng lúc", "Ngày tạo" …
mark a publication, "Cập nhật", "Ngày cập nhật", "Lần cập nhật cuối" … an update.

Which date is *published* (``choose_published``), in this order of trust:

1. the date the page prints for the article (a publication label, or the first
   unlabelled date by the headline), when it shows a time;
2. that printed date without a time, made precise by a machine date (JSON-LD or
   microdata ``datePublished``, ``article:published_time`` and friends, ``<time>``)
   that falls on the same day; a machine date on *another* day loses to the printed one
   (CMS metadata often carries a re-publication or render time);
3. no printed date: the first machine date;
4. then a date in the URL (``/2022/08/23/``), then a listing or feed date, if the
   caller has one;
5. nothing: ``None`` — never the crawl day. An update date is never the publication
   date; it goes to ``updated`` (``choose_updated``: the printed update date, made
   precise by a same-day machine one, else the machine ``dateModified``; an "update" that
   is not later than the publication is no update and gives ``None``).

``Evidence.source`` records where the chosen date came from: ``page``, the machine
key (``datePublished``, ``article:published_time``, ``time`` …), ``url`` or ``listing``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Literal

VIETNAM = timezone(timedelta(hours=7))
OLDEST_YEAR = 1990

MONTH_WORDS = {
    "một": 1,
    "giêng": 1,
    "hai": 2,
    "ba": 3,
    "tư": 4,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "mười một": 11,
    "mười hai": 12,
    "chạp": 12,
}
ENGLISH_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_WORD = "|".join(sorted(map(re.escape, MONTH_WORDS), key=len, reverse=True))
_HALF = r"AM|PM|SA|CH|sáng|trưa|chiều|tối"
_TIME = rf"(?P<h>[01]?\d|2[0-3])\s*(?::|h|giờ)\s*(?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d))?(?:\s*(?P<ampm>{_HALF})\b)?"
_TZ = r"(?:\s*\(?\s*(?:GMT|UTC)\s*(?P<tz>[+-]\s*\d{1,2})(?::?00)?\s*\)?)?"
_SEP = r"\s*(?:[|,\-–—]|lúc|vào lúc|ngày)?\s*"
_WEEKDAY = (
    r"(?:(?:[Tt]hứ\s+(?:[Hh]ai|[Bb]a|[Tt]ư|[Nn]ăm|[Ss]áu|[Bb][ảẩ]y|[2-7])|[Cc]hủ\s+[Nn]hật|CN)\s*,?\s*(?:ngày\s+)?)"
)
_DMY = r"(?P<d>[0-3]?\d)\s*[/\-.]\s*(?P<m>[01]?\d)\s*[/\-.]\s*(?P<y>(?:19|20)\d\d)(?!\d)"
# a two-digit year ("24/12/12 11:05 tối", older CMSs): only with a time after it
_DMY_SHORT = r"(?P<d>[0-3]?\d)/(?P<m>[01]?\d)/(?P<yy>\d\d)(?![\d/])"
_VERBOSE = r"[Nn]gày\s+(?P<d>[0-3]?\d)\s+tháng\s+(?P<m>[01]?\d)\s*(?:,\s*|\s+)năm\s+(?P<y>(?:19|20)\d\d)"
_WORDS = rf"(?P<d>[0-3]?\d)\s+[Tt]háng\s+(?P<mw>{_WORD})\s*,?\s*(?:năm\s+)?(?P<y>(?:19|20)\d\d)"
_EN = "January|February|March|April|May|June|July|August|September|October|November|December"
_EN_MONTH = rf"(?P<en>{_EN}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?)"
_ENGLISH = rf"(?:{_EN_MONTH}\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)(?!\d))"
_NUMERIC_MONTH = r"(?P<d>[0-3]?\d)\s+[Tt]háng\s+(?P<m>[01]?\d)\s*,?\s*(?:năm\s+)?(?P<y>(?:19|20)\d\d)"

PATTERNS = [
    re.compile(rf"{_TIME}{_TZ}{_SEP}{_WEEKDAY}?{_DMY}{_TZ.replace('<tz>', '<tz2>')}", re.IGNORECASE),
    re.compile(rf"{_DMY}(?:{_SEP}{_TIME})?{_TZ}", re.IGNORECASE),
    re.compile(rf"{_DMY_SHORT}{_SEP}{_TIME}{_TZ}", re.IGNORECASE),
    re.compile(rf"{_VERBOSE}(?:{_SEP}{_TIME})?{_TZ}"),
    re.compile(rf"{_WORDS}(?:{_SEP}{_TIME})?{_TZ}", re.IGNORECASE),
    re.compile(rf"{_NUMERIC_MONTH}(?:{_SEP}{_TIME})?{_TZ}"),
    re.compile(rf"{_ENGLISH}(?:{_SEP}(?:at\s+)?{_TIME})?{_TZ}"),
]
_LABEL_TAIL = rf"\s*[:\-]?\s*(?:lúc\s*)?[(]?\s*{_WEEKDAY}?\s*$"
UPDATED_LABEL = re.compile(
    rf"(?:cập\s*nhật|sửa\s*đổi|chỉnh\s*sửa|updated|modified)(?:\s*(?:lần\s*cuối|cuối|lúc|ngày))?{_LABEL_TAIL}", re.I
)
PUBLISHED_LABEL = re.compile(
    rf"(?:ngày\s*đăng|đăng\s*(?:ngày|lúc|vào)?|ngày\s*tạo|(?:ngày\s*)?xuất\s*bản|published|posted){_LABEL_TAIL}", re.I
)
ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)(?:[T ](?P<h>\d\d):(?P<mi>\d\d)(?::(?P<s>\d\d)(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d\d:?\d\d)?)?$"
)
URL_DATES = [
    re.compile(r"/((?:19|20)\d\d)[/-]([01]\d)[/-]([0-3]\d)(?=/|-|_|\.|$)"),
    re.compile(r"/((?:19|20)\d\d)([01]\d)([0-3]\d)(?=/)"),
]

Label = Literal["published", "updated"] | None


@dataclass(frozen=True)
class FoundDate:
    """A date read from text: ``value`` is ISO 8601; ``label`` says what the page calls it."""

    value: str
    has_time: bool
    label: Label = None
    start: int = 0
    end: int = 0

    @property
    def updated(self) -> bool:
        return self.label == "updated"


@dataclass(frozen=True)
class Evidence:
    """A candidate publication date and where it came from (``page``, a key, ``url`` …)."""

    value: str
    source: str


def iso_from_parts(
    y: int, m: int, d: int, h: int | None = None, mi: int = 0, s: int = 0, offset_hours: int | None = None
) -> str | None:
    """ISO 8601 for a valid date, with ``+07:00`` unless another offset is given."""
    try:
        day = date(y, m, d)
    except ValueError:
        return None
    if h is None:
        return day.isoformat()
    tz = VIETNAM if offset_hours is None else timezone(timedelta(hours=offset_hours))
    return datetime(y, m, d, h, mi, s, tzinfo=tz).isoformat()


def _parts(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    if groups.get("en"):
        month = ENGLISH_MONTHS.index(groups["en"].rstrip(".")[:3]) + 1
    else:
        month = int(groups["m"]) if groups.get("m") else MONTH_WORDS[groups["mw"].lower()]
    hour = int(groups["h"]) if groups.get("h") else None
    half = (groups.get("ampm") or "").lower()
    if hour is not None and half in ("pm", "ch", "chiều", "tối") and hour < 12:
        hour += 12
    if hour == 12 and half in ("am", "sa", "sáng"):
        hour = 0
    zone = groups.get("tz") or groups.get("tz2")
    offset = int(zone.replace(" ", "")) if zone else None
    year = int(groups["y"]) if groups.get("y") else 2000 + int(groups["yy"])
    return iso_from_parts(
        year, month, int(groups["d"]), hour, int(groups.get("mi") or 0), int(groups.get("s") or 0), offset
    )


def _label(before: str) -> Label:
    if UPDATED_LABEL.search(before):
        return "updated"
    if PUBLISHED_LABEL.search(before):
        return "published"
    return None


def find_dates(text: str) -> list[FoundDate]:
    """Every date in ``text``, in order, each with the label the words before it give.

    Where two readings overlap, the one that starts first (then the longer) wins:
    ``12/03/2024 08:15 | 14/03/2024`` is two dates, not "08:15 on 14/03".
    """
    text = unicodedata.normalize("NFC", text)
    matches = [m for pattern in PATTERNS for m in pattern.finditer(text)]
    matches.sort(key=lambda m: (m.start(), -(m.end() - m.start())))
    found: list[FoundDate] = []
    end = -1
    for match in matches:
        if match.start() < end:
            continue
        value = _parts(match)
        if value is None:
            continue
        end = match.end()
        label = _label(text[max(0, match.start() - 60) : match.start()])
        found.append(FoundDate(value, "T" in value, label, match.start(), match.end()))
    return found


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO 8601, or ``None``."""
    dates = find_dates(text)
    return dates[0].value if dates else None


def parse_iso(value: str) -> str | None:
    """Normalise a machine-readable date (JSON-LD, ``<meta>``, ``<time datetime>``).

    A value with a time but no offset is taken as Vietnam time; one in UTC or another
    offset is shown in Vietnam time, so that every stored time reads as the page's
    readers saw it. Dates before 1990 are taken as placeholders, not dates.
    """
    match = ISO.match(value.strip())
    if not match:
        return parse_date(value)
    g = match.groupdict()
    if int(g["y"]) < OLDEST_YEAR:
        return None
    if g["h"] is None:
        return iso_from_parts(int(g["y"]), int(g["m"]), int(g["d"]))
    try:
        moment = datetime(int(g["y"]), int(g["m"]), int(g["d"]), int(g["h"]), int(g["mi"]), int(g["s"] or 0))
    except ValueError:
        return None
    tz = g["tz"]
    if tz is None:
        return moment.replace(tzinfo=VIETNAM).isoformat()
    offset = UTC if tz == "Z" else datetime.strptime(tz.replace(":", ""), "%z").tzinfo
    return moment.replace(tzinfo=offset).astimezone(VIETNAM).isoformat()


def date_from_url(url: str) -> str | None:
    """A ``/YYYY/MM/DD/``, ``/YYYY-MM-DD`` or ``/YYYYMMDD/`` date in a URL path, as a date alone."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    for pattern in URL_DATES:
        match = pattern.search(path)
        if match:
            value = iso_from_parts(*map(int, match.groups()))
            if value:
                return value
    return None


def choose_published(
    page: FoundDate | None,
    machine: Sequence[Evidence] = (),
    url: str | None = None,
    listing: Evidence | None = None,
) -> Evidence | None:
    """The publication date by the order of trust in the module docstring, or ``None``.

    ``page`` is the date printed for the article (never an update date), ``machine`` the
    metadata dates in their order of trust, ``url`` the page's URL, ``listing`` a date a
    listing page or feed gave for it.
    """
    if page is not None and page.label != "updated":
        if page.has_time:
            return Evidence(page.value, "page")
        same_day = next((m for m in machine if m.value[:10] == page.value and "T" in m.value), None)
        return same_day or Evidence(page.value, "page")
    if machine:
        return machine[0]
    from_url = date_from_url(url) if url else None
    if from_url:
        return Evidence(from_url, "url")
    return listing


def choose_updated(printed: FoundDate | None, machine: Sequence[str] = (), published: str | None = None) -> str | None:
    """The update date (see the module docstring), or ``None`` when there is none or it
    is not later than ``published``."""
    if printed is not None:
        precise = (m for m in machine if not printed.has_time and "T" in m and m[:10] == printed.value)
        value: str | None = next(precise, printed.value)
    else:
        value = next(iter(machine), None)
    if value is None or published is None:
        return value
    if value[:10] != published[:10]:
        return value if value[:10] > published[:10] else None
    both_timed = "T" in value and "T" in published
    return value if both_timed and value > published else None
