"""Dates as Vietnamese news pages print them, read day-first, out as ISO 8601.

Numeric dates are always day-first (``05/08/2022`` is 5 August). A time without an
offset is Vietnam time (``+07:00``). A date alone stays a date alone: nothing is
invented. Forms read, among others::

    23-08-2022 16:13            Thứ Ba, 23/08/2022 16:13       16:13 | 23/08/2022
    Ngày đăng: 08/07/2024       Ngày 23 tháng 8 năm 2022        23 Tháng Tám, 2022
    23/8/2022 - 16:13 GMT+7     2022-08-23T16:13:00+07:00 (metadata)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7))

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
_WORD = "|".join(sorted(map(re.escape, MONTH_WORDS), key=len, reverse=True))
_TIME = r"(?P<h>[01]?\d|2[0-3])\s*(?::|h|giờ)\s*(?P<mi>[0-5]\d)(?::(?P<s>[0-5]\d))?(?:\s*(?P<ampm>AM|PM|SA|CH))?"
_TZ = r"(?:\s*\(?\s*(?:GMT|UTC)\s*(?P<tz>[+-]\s*\d{1,2})(?::?00)?\s*\)?)?"
_SEP = r"\s*(?:[|,\-–—]|lúc|vào lúc)?\s*"
_DMY = r"(?P<d>[0-3]?\d)\s*[/\-.]\s*(?P<m>[01]?\d)\s*[/\-.]\s*(?P<y>(?:19|20)\d\d)"
_VERBOSE = r"[Nn]gày\s+(?P<d>[0-3]?\d)\s+tháng\s+(?P<m>[01]?\d)\s*(?:,\s*|\s+)năm\s+(?P<y>(?:19|20)\d\d)"
_WORDS = rf"(?P<d>[0-3]?\d)\s+[Tt]háng\s+(?P<mw>{_WORD})\s*,?\s*(?:năm\s+)?(?P<y>(?:19|20)\d\d)"
_NUMERIC_MONTH = r"(?P<d>[0-3]?\d)\s+[Tt]háng\s+(?P<m>[01]?\d)\s*,?\s*(?:năm\s+)?(?P<y>(?:19|20)\d\d)"

PATTERNS = [
    re.compile(rf"{_TIME}{_TZ}{_SEP}(?:(?:[Tt]hứ\s+\w+|[Cc]hủ\s+[Nn]hật)\s*,?\s*)?{_DMY}", re.IGNORECASE),
    re.compile(rf"{_DMY}(?:{_SEP}{_TIME})?{_TZ}", re.IGNORECASE),
    re.compile(rf"{_VERBOSE}(?:{_SEP}{_TIME})?{_TZ}"),
    re.compile(rf"{_WORDS}(?:{_SEP}{_TIME})?{_TZ}", re.IGNORECASE),
    re.compile(rf"{_NUMERIC_MONTH}(?:{_SEP}{_TIME})?{_TZ}"),
]
UPDATED_LABEL = re.compile(r"(cập\s*nhật|sửa\s*đổi|chỉnh\s*sửa|updated|modified)\s*(lần cuối)?\s*:?\s*$", re.I)
PUBLISHED_LABEL = re.compile(r"(ngày\s*đăng|đăng\s*(ngày|lúc)?|xuất\s*bản|published|posted)\s*:?\s*$", re.I)
ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)(?:[T ](?P<h>\d\d):(?P<mi>\d\d)(?::(?P<s>\d\d)(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d\d:?\d\d)?)?$"
)
URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]\d)[/-]([0-3]\d)(?:/|-|$)")


@dataclass(frozen=True)
class FoundDate:
    """A date read from text: ``value`` is ISO 8601; ``updated`` when labelled an update."""

    value: str
    has_time: bool
    updated: bool = False
    start: int = 0


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
    month = int(groups["m"]) if groups.get("m") else MONTH_WORDS[groups["mw"].lower()]
    hour = int(groups["h"]) if groups.get("h") else None
    if hour is not None and (groups.get("ampm") or "").upper() in ("PM", "CH") and hour < 12:
        hour += 12
    offset = int(groups["tz"].replace(" ", "")) if groups.get("tz") else None
    return iso_from_parts(
        int(groups["y"]), month, int(groups["d"]), hour, int(groups.get("mi") or 0), int(groups.get("s") or 0), offset
    )


def find_dates(text: str) -> list[FoundDate]:
    """Every date in ``text``, in order, each flagged when a label calls it an update."""
    text = unicodedata.normalize("NFC", text)
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern in PATTERNS:
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            value = _parts(match)
            if value is None:
                continue
            taken.append(match.span())
            before = text[max(0, match.start() - 40) : match.start()]
            updated = bool(UPDATED_LABEL.search(before)) and not PUBLISHED_LABEL.search(before)
            found.append(FoundDate(value, "T" in value, updated, match.start()))
    return sorted(found, key=lambda f: f.start)


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO 8601, or ``None``."""
    dates = find_dates(text)
    return dates[0].value if dates else None


def parse_iso(value: str) -> str | None:
    """Normalise a machine-readable date (JSON-LD, ``<meta>``, ``<time datetime>``).

    A value with a time but no offset is taken as Vietnam time; one in UTC is shown in
    Vietnam time, so that every stored time reads as the page's readers saw it.
    """
    match = ISO.match(value.strip())
    if not match:
        return parse_date(value)
    g = match.groupdict()
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
    """A ``/YYYY/MM/DD/`` date in a URL path, as a date alone."""
    match = URL_DATE.search(url)
    return iso_from_parts(*map(int, match.groups())) if match else None
