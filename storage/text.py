"""Text rules at the archive's boundary: NFC, the đ fold, and the content hash.

Every text field is NFC before it is stored or searched for (NFC and NFD spellings of
"Lạng Sơn" never compare equal). FTS5 ``unicode61 remove_diacritics 2`` folds every
Vietnamese mark except đ/Đ, so the words that contain đ are also stored folded
(``folded_terms``) in a column that the full-text index covers: ``da nang`` then finds
"Đà Nẵng".
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

from storage.errors import SearchError
from storage.records import Article

_D_FOLD = str.maketrans({"đ": "d", "Đ": "D"})
_WORD = re.compile(r"[^\W_]+")
SEARCH_EXAMPLE = "search needs at least one word, e.g. provnews search 'dân vận'"


def nfc(s: str | None) -> str | None:
    """Return ``s`` in Unicode NFC (``None`` stays ``None``)."""
    if s is None:
        return None
    return unicodedata.normalize("NFC", s)


def fold_d(s: str) -> str:
    """Replace đ with d and Đ with D; every other character is kept."""
    return s.translate(_D_FOLD)


def folded_terms(*texts: str | None) -> str:
    """The words of ``texts`` that contain đ or Đ, folded, unique, in order of first use.

    >>> folded_terms("Đảng ủy Đà Nẵng", "đảng viên")
    'Dảng Dà'
    """
    seen: set[str] = set()
    words: list[str] = []
    for text in texts:
        if not text:
            continue
        for word in _WORD.findall(unicodedata.normalize("NFC", text)):
            if "đ" not in word and "Đ" not in word:
                continue
            folded = fold_d(word)
            key = folded.casefold()
            if key not in seen:
                seen.add(key)
                words.append(folded)
    return " ".join(words)


def content_hash(article: Article) -> str:
    """SHA-256 (hex) of the NFC title, text, published, author and source.

    The fields are serialised as a JSON list, so the hash is stable across runs and
    never confuses a field boundary with the text inside a field.
    """
    fields = [
        nfc(article.title),
        nfc(article.text),
        article.published,
        nfc(article.author),
        nfc(article.source),
    ]
    serialised = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(serialised.encode("utf-8")).hexdigest()


def fts_query(query: str) -> str:
    """Turn user text into an FTS5 query that can never be a syntax error.

    The text is NFC-normalised; every whitespace-separated term becomes a
    double-quoted phrase (inner ``"`` doubled), and the phrases are AND-ed:
    ``tỉnh-ủy NOT "`` looks for the words tỉnh, ủy and not, and nothing in it is FTS
    syntax. A blank query raises ``SearchError``.
    """
    terms = unicodedata.normalize("NFC", query).split()
    if not terms:
        raise SearchError(SEARCH_EXAMPLE)
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)
