"""A page's bytes to NFC text, whatever its charset declarations claim.

The order of trust, for Vietnamese servers as they are:

1. a byte-order mark;
2. bytes that are valid UTF-8 *are* UTF-8, whatever the header or ``<meta>`` says:
   servers often declare ISO-8859-1 or windows-1252 (a server default) and send UTF-8,
   while Vietnamese text in a single-byte charset is, in practice, never valid UTF-8;
3. the ``<meta>`` charset before an HTTP charset that is only a Latin-1 server default;
   otherwise the HTTP charset, then the ``<meta>`` one;
4. windows-1258 when nothing is declared (the legacy Vietnamese code page).

windows-1258 stores tone marks as combining characters ("La\\xf2ng" → "a" + U+0323), and
some CMSs store decomposed text: everything leaves here as NFC. Control characters that
no HTML parser accepts (NUL and friends) and a leading XML declaration are removed.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

LATIN_DEFAULTS = {"iso8859-1", "cp1252", "ascii"}
FALLBACK = "cp1258"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a page to NFC text (see the module docstring for the order of trust)."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        text = body[len(bom) :].decode(bom_encoding, errors="replace")
    else:
        text = _decode_declared(body, content_type)
    text = _XML_DECLARATION.sub("", _CONTROL.sub("", text), count=1)
    return unicodedata.normalize("NFC", text)


def _decode_declared(body: bytes, content_type: str | None) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in _declared(body, content_type):
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode(FALLBACK, errors="replace")


def _declared(body: bytes, content_type: str | None) -> list[str]:
    """The declared charsets worth trying, in order, UTF-8 left out (it already failed)."""
    header = _codec(http_content_type_encoding(content_type) if content_type else None)
    meta = _codec(html_body_declared_encoding(body))
    order = [meta, header] if header in LATIN_DEFAULTS and meta else [header, meta]
    found: list[str] = []
    for name in order:
        if name and name != "utf-8" and name not in found:
            found.append(name)
    return found


def _codec(name: str | None) -> str | None:
    """A charset label as Python's codec name (``windows-1258`` → ``cp1258``), or None."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
