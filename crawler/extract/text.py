"""Text at the extraction boundary: NFC, clean spaces, and body lines without chrome.

Every string the extractor returns goes through ``normalize_space``: NFC (decomposed
CMS text and windows-1258 marks recomposed), no-break, zero-width and soft-hyphen
characters made plain or removed, runs of white space collapsed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from crawler.extract.dates import find_dates

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
RELATED_HEADING = re.compile(
    r"^\s*(?:tin\s+liên\s+quan|bài\s+liên\s+quan|đọc\s+thêm|xem\s+thêm|tin\s+cùng\s+chuyên\s+mục|"
    r"tin\s+khác|các\s+tin\s+khác|các\s+bài\s+(?:viết\s+)?khác|tin\s+mới\s+hơn|tin\s+cũ\s+hơn|tin\s+đã\s+đưa|"
    r"cùng\s+chuyên\s+mục|bài\s+viết\s+liên\s+quan|tin\s+bài\s+liên\s+quan|tin\s+mới\s+nhất|tin\s+xem\s+nhiều|"
    r"tin\s+đọc\s+nhiều|đọc\s+nhiều|có\s+liên\s+quan|bài\s+viết\s+mới|tin\s+mới)\s*:?\s*$",
    re.IGNORECASE,
)
RELATED_LEAD = re.compile(
    r"^\s*(?:>+\s*)?(?:tin\s+liên\s+quan|bài\s+liên\s+quan|đọc\s+thêm|xem\s+thêm|xem\s+tiếp|mời\s+xem\s+thêm|"
    r"tin\s+cùng\s+chuyên\s+mục|bài\s+viết\s+liên\s+quan)\s*[:>»]",
    re.IGNORECASE,
)
_META_WORDS = re.compile(
    r"thời\s*gian(?:\s*đăng)?|ngày\s*đăng|ngày\s*cập\s*nhật|cập\s*nhật(?:\s*lúc)?|đăng\s*(?:lúc|ngày|vào)|ngày\s*tạo|lượt\s*(?:xem|đọc)|"
    r"thứ\s*(?:hai|ba|tư|năm|sáu|bảy|bẩy)|chủ\s*nhật|gmt\s*[+-]?\s*\d*|\bngày\b|\blúc\b",
    re.IGNORECASE,
)


def normalize_space(text: str) -> str:
    """NFC, invisible characters removed, every kind of space one plain space, trimmed."""
    if not text.isascii():
        text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return " ".join(text.split())  # str.split() splits on what _SPACES matches: Unicode white space


def is_meta_line(line: str) -> bool:
    """A date/views line ("Ngày đăng: 08/07/2024 | Lượt xem: 245"), not a sentence."""
    dates = find_dates(line) if len(line) <= 120 else []
    if not dates and not (len(line) <= 120 and re.search(r"lượt\s*(?:xem|đọc)", line, re.I)):
        return False
    rest = line
    for found in reversed(dates):
        rest = rest[: found.start] + " " + rest[found.end :]
    rest = _META_WORDS.sub(" ", rest)
    rest = re.sub(r"[\d\s:/|.,()\-–—+]|AM|PM|GMT", "", rest, flags=re.I)
    return len(rest) <= 3


NAVIGATION_LINE = re.compile(
    r"^\s*(?:[«‹<]\s*)?(?:quay\s*lại|trở\s*(?:về|lại)|về\s*đầu\s*trang|lên\s*đầu\s*trang|in\s*bài(?:\s*viết)?|"
    r"gửi\s*(?:email|bài\s*viết|cho\s*bạn\s*bè)|chia\s*sẻ|bản\s*in|đầu\s*trang|xem\s*tiếp|top)\s*(?:[»›>]\s*)?$",
    re.IGNORECASE,
)


def clean_lines(lines: Iterable[str], *, title: str | None = None, captions: Iterable[str] = ()) -> list[str]:
    """Body lines without blanks, related headings, meta lines, navigation ("Quay lại", "In
    bài"), the title, a caption, or a line printed twice in a row (a sapo repeated as the
    first paragraph)."""
    skip = {normalize_space(c) for c in captions}
    if title:
        skip.add(normalize_space(title))
    out: list[str] = []
    for line in lines:
        line = normalize_space(line)
        if not line or line in skip or out[-1:] == [line] or RELATED_HEADING.match(line) or is_meta_line(line):
            continue
        if NAVIGATION_LINE.match(line):
            continue
        out.append(line)
    return out
