"""URL normalisation: one article, one URL.

Tracking parameters (``utm_*``, ``fbclid``, …) and session ids (``;jsessionid=…``,
``PHPSESSID``, ``sid``) are removed, the fragment dropped, scheme and host lower-cased
and default ports removed. Query order is kept: on many portals it is meaningful.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|zarsrc|_ga|_gl|mc_cid|mc_eid|igshid|"
    r"ref|ref_src|from|src|source|share|spm)$",
    re.IGNORECASE,
)
SESSION = re.compile(r"^(phpsessid|jsessionid|sid|sessionid|session_id|aspsessionid\w*|cfid|cftoken)$", re.I)
PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(url: str) -> str:
    """The normalised form of ``url`` used as an article's key."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = PATH_SESSION.sub("", parts.path) or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING.match(k) and not SESSION.match(k)
    ]
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def same_site(url: str, hosts: tuple[str, ...]) -> bool:
    """True when ``url`` is http(s) on one of ``hosts`` (or a subdomain of one)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    return any(host == h or host.endswith("." + h) for h in hosts)
