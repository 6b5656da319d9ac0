"""Bylines and source lines as Vietnamese news sites write them.

Authors, as they end (or head) an article::

    ĐẶNG DŨNG                    an uppercase name alone on a line (one or more names)
    Tác giả: Lê Thu Hà           a label: Tác giả, Bài và ảnh, Bài, ảnh, Tin, ảnh, Người viết …
    Bài: X - Ảnh: Y - Thiết kế: Z   the writer, the other credits left out
    PV / Nhóm PV                 "our reporter(s)"
    (H.T - M.L)                  names or initials in parentheses, joined by "-"

Sources (the credited origin of a republished article; the line is cut from the text)::

    Nguồn: Baolangson.vn   Nguồn tin: Sở Y tế   Theo TTXVN   (Theo Cổng TTĐT tỉnh)

Metadata authors (``<meta name="author">``, JSON-LD) are used only when they look like a
person: "admin", "Super User" or the newspaper's own name are not bylines.
"""

from __future__ import annotations

import re

from crawler.extract.text import normalize_space

MAX_NAME_WORDS = 6
MAX_SOURCE_WORDS = 10  # "Theo Đài Phát thanh và Truyền hình tỉnh"
_LETTERS = r"A-Za-zÀ-ỹĐđ"
AUTHOR_LABEL = re.compile(
    r"^(?:tác\s*giả|bài\s*(?:và|,|/|&)\s*ảnh|tin\s*(?:và|,|/|&)\s*ảnh|người\s*viết|phóng\s*viên|đăng\s*bởi|"
    r"viết\s*bởi|người\s*đăng|"
    r"nhóm\s*(?:pv|phóng\s*viên|thực\s*hiện)|thực\s*hiện|bài|tin)\s*:\s*(?P<name>.{2,80})$",
    re.IGNORECASE,
)
# the credits after the writer's: "Bài: X - Ảnh: Y - Thiết kế: Z"
OTHER_CREDITS = re.compile(
    r"\s*[-–—,;|/]?\s*(?:ảnh|thiết\s*kế|đồ\s*họa|video|trình\s*bày|clip|infographic|kỹ\s*thuật|dựng|quay)\s*:",
    re.IGNORECASE,
)
PHOTO_CREDIT = re.compile(r"^\(?\s*(?:ảnh|nguồn\s*ảnh|ảnh\s*minh\s*họa|photo)\s*:\s*[^.!?]{1,60}\)?$", re.I)
REPORTER = re.compile(r"^(?:nhóm\s+)?(?:pv|ptv|ctv|phóng\s+viên)$", re.IGNORECASE)
SOURCE_LINE = re.compile(
    r"^[(\[]?\s*(?:nguồn(?:\s+(?:tin|bài|bài\s+viết|tham\s+khảo))?\s*:\s*(?P<named>[^()\[\]]{2,100}?)"
    r"|theo\s+(?P<credited>[^,;:!?()\[\]]{2,60}?))\s*[)\]]?\s*\.?$",
    re.IGNORECASE,
)
_PAREN = re.compile(r"^\((?P<inner>[^()]{1,80})\)$")
_JOIN = re.compile(r"\s*(?:\s-\s|\s–\s|,)\s*")
_INITIALS = re.compile(rf"^[{_LETTERS}]{{1,2}}(?:\.[{_LETTERS}]{{1,2}})+\.?$|^[A-ZĐ]{{1,4}}$")
_WORD = re.compile(rf"^[{_LETTERS}]+$")
_BY = re.compile(r"^(?:viết\s+bởi|đăng\s+bởi|người\s+đăng|bởi|by|posted\s+by)\s*:?\s+", re.IGNORECASE)
_SIGNED_NOTE = re.compile(r"\s*\((?:tổng\s*hợp|lược\s*dịch|dịch|tổng\s*hợp\s*từ[^)]*|theo[^)]*)\)\s*$", re.I)
BARE_LABEL = re.compile(r"^(?:tác\s*giả|nguồn(?:\s*tin)?|người\s*viết|phóng\s*viên|bài|ảnh|tin|theo)$", re.I)
NOT_PEOPLE = {"admin", "administrator", "super user", "quản trị", "quản trị viên", "webmaster", "ban biên tập", "bbt"}
# an organisation's name starts with what it is ("Trang thông tin …", "Sở …"); "Trang",
# "Ban" … elsewhere are given names ("Lý Thu Trang")
ORGANISATION = re.compile(
    r"^(?:báo|cổng|trang\s+(?:thông|tin|web)|website|tạp\s*chí|đài|sở|ubnd|ủy\s*ban|uỷ\s*ban|ban|trung\s*tâm|"
    r"tỉnh|huyện|thành\s*phố|văn\s*phòng|công\s*ty|news|tv)(?:\s|$)|\s(?:news|tv|online)$|https?:|\.vn\b|\.com\b",
    re.IGNORECASE,
)


def source_of(line: str) -> str | None:
    """The credited origin in a "Nguồn: X" / "Theo X" / "(Theo X)" line, or None."""
    match = SOURCE_LINE.match(normalize_space(line))
    if not match:
        return None
    named, credited = match.group("named"), match.group("credited")
    if named is not None:
        return named.strip(" .") or None
    credited = credited.strip(" .")
    if len(credited.split()) > MAX_SOURCE_WORDS or any(c.isdigit() for c in credited):
        return None
    return credited if credited[:1].isupper() or "." in credited else None


def author_of(line: str) -> str | None:
    """The author a byline line names, or None when the line is not a byline."""
    line = normalize_space(line)
    match = AUTHOR_LABEL.match(line)
    if match:
        return OTHER_CREDITS.split(match.group("name"), maxsplit=1)[0].strip(" .,-–") or None
    if REPORTER.match(line):
        return line
    paren = _PAREN.match(line)
    if paren:
        inner = paren.group("inner").strip()
        if re.match(r"(?i)^(?:theo|nguồn|ảnh)\b", inner):
            return None
        return inner if _names(inner, upper=False) else None
    return line if _names(line, upper=True) else None


def _names(text: str, *, upper: bool) -> bool:
    """Names or initials joined by "-" or ","; all in capitals when ``upper``."""
    parts = [p for p in _JOIN.split(text) if p]
    if not parts or sum(len(p.split()) for p in parts) > MAX_NAME_WORDS + 2:
        return False
    for part in parts:
        words = part.split()
        if not 1 <= len(words) <= MAX_NAME_WORDS:
            return False
        for word in words:
            if _INITIALS.match(word):
                continue
            if not _WORD.match(word) or not word[0].isupper() or (upper and word.upper() != word):
                return False
    return any(c.isalpha() for c in text)


def signed_name(line: str) -> str | None:
    """The person a signature line names ("Vi Thảo", "Hà Thu (tổng hợp)", "Theo Hồ Hương"), or None."""
    line = _SIGNED_NOTE.sub("", normalize_space(line)).strip(" .,")
    line = re.sub(r"^theo\s+", "", line, flags=re.IGNORECASE)
    return line if _names(line, upper=False) and not ORGANISATION.search(line) else None


def person_or_none(value: object) -> str | None:
    """A metadata author when it names a person, else None (sites, "admin", "Super User")."""
    if not isinstance(value, str):
        return None
    name = _BY.sub("", normalize_space(value)).strip(" .,:")
    if not name or name.casefold() in NOT_PEOPLE or ORGANISATION.search(name) or BARE_LABEL.match(name):
        return None
    if len(name.split()) > MAX_NAME_WORDS or any(c.isdigit() for c in name):
        return None
    return name


def take_byline(
    lines: list[str], *, last: int = 3, signatures: set[str] | frozenset[str] = frozenset()
) -> tuple[list[str], str | None, str | None]:
    """Cut the source line and the byline from the last lines: ``(lines, author, source)``.

    A lone "PV" or uppercase name is only a byline at the very end of the text, after the
    source line if there is one; so is a name in mixed case that the page set apart as a
    signature (``signatures``: right-aligned or bold lines); labelled bylines ("Tác giả: …")
    may also head the text.
    """
    source = author = None
    while lines and PHOTO_CREDIT.match(lines[-1]):  # "Ảnh: Misso" closes many articles, after the byline
        lines = lines[:-1]
    for index in range(len(lines) - 1, max(-1, len(lines) - 1 - last), -1):
        found = source_of(lines[index])
        if found:
            source = found
            lines = lines[:index] + lines[index + 1 :]
            break
    for index in range(len(lines) - 1, max(-1, len(lines) - 1 - min(last, 2)), -1):
        found = author_of(lines[index]) or (signed_name(lines[index]) if lines[index] in signatures else None)
        if found and (index == len(lines) - 1 or AUTHOR_LABEL.match(lines[index])):
            author = found
            lines = lines[:index] + lines[index + 1 :]
            break
    if author is None and lines:
        match = AUTHOR_LABEL.match(lines[0])
        if match and len(lines[0]) < 80:
            author, lines = match.group("name").strip(" ."), lines[1:]
    return lines, author, source
