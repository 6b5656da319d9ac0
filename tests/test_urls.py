"""URL identity: one page, one URL, through the one normaliser and what hosts teach."""

from __future__ import annotations

import pytest

from crawler.discover.identity import SiteIdentity
from crawler.discover.urls import HostRules, canonical_url, path_pattern, same_site

URL_IDENTITY = [
    # (as linked, as known): tracking, sessions, default ports, fragments, case of scheme and host
    ("HTTP://H.VN:80/a/b.html?utm_source=fb&utm_medium=x#top", "http://h.vn/a/b.html"),
    ("http://h.vn/a/b.html;jsessionid=ABC123?fbclid=1", "http://h.vn/a/b.html"),
    ("https://h.vn:443/Pages/x.aspx?ItemID=12&PHPSESSID=9&sid=4", "https://h.vn/Pages/x.aspx?ItemID=12"),
    ("http://h.vn:8080/", "http://h.vn:8080/"),
    # http and https stay two URLs until a redirect says they are one (see test_crawl_identity.py)
    ("https://h.vn/a", "https://h.vn/a"),
    # content parameters are kept, in their order
    ("http://h.vn/list?cat=2&page=3", "http://h.vn/list?cat=2&page=3"),
    ("http://h.vn/list?page=3&cat=2", "http://h.vn/list?page=3&cat=2"),
    # ?a and ?a= are one URL
    ("http://h.vn/x?a&b=1", "http://h.vn/x?a=&b=1"),
    # a Vietnamese path percent-encoded or not, its escapes in either case
    ("http://h.vn/tin-tức/bài-1.html", "http://h.vn/tin-t%E1%BB%A9c/b%C3%A0i-1.html"),
    ("http://h.vn/tin-t%e1%bb%a9c/b%C3%A0i-1.html", "http://h.vn/tin-t%E1%BB%A9c/b%C3%A0i-1.html"),
    ("http://h.vn/%7Eban/a", "http://h.vn/~ban/a"),
    # windows-1258 escapes (not UTF-8) are kept byte for byte, in the query and in the path
    ("http://h.vn/tim?q=d%E2n+v%E0n", "http://h.vn/tim?q=d%E2n+v%E0n"),
    ("http://h.vn/d%E2n.asp", "http://h.vn/d%E2n.asp"),
    # a query value as urlencode writes it: a space is +, reserved characters escaped
    ("http://h.vn/x?q=dân vận&r=a/b", "http://h.vn/x?q=d%C3%A2n+v%E1%BA%ADn&r=a%2Fb"),
]


@pytest.mark.parametrize(("url", "known"), URL_IDENTITY)
def test_one_canonical_url_for_every_way_of_writing_it(url: str, known: str) -> None:
    assert canonical_url(url) == known
    assert canonical_url(known) == known  # canonical URLs are fixed points


def test_what_a_host_taught_applies_to_its_urls_only() -> None:
    rules = {"h.vn": HostRules(case_insensitive=True, ignored=frozenset({"cateid"}))}
    assert canonical_url("http://h.vn/Pages/ChiTiet.aspx?ItemID=5&CateID=3", rules) == (
        "http://h.vn/pages/chitiet.aspx?itemid=5"
    )
    assert canonical_url("http://other.vn/Pages/A.aspx?CateID=3", rules) == "http://other.vn/Pages/A.aspx?CateID=3"


def test_back_link_parameters_are_not_part_of_a_page_s_identity() -> None:
    identity = SiteIdentity(("h.vn",))
    bare = "http://h.vn/web/guest/-/khai-mac-hoi-nghi"
    linked = bare + "?redirect=%2Fweb%2Fguest%2Ftin-tuc%3Fp_p_id%3D101%26_101_cur%3D2"
    assert identity.canonical(linked) == bare
    assert identity.canonical(bare + "?_101_INSTANCE_ab_redirect=http%3A%2F%2Fh.vn%2Ftin") == bare
    assert (
        identity.canonical("http://h.vn/Pages/A.aspx?ID=3&Source=%2FPages%2FB.aspx") == "http://h.vn/pages/a.aspx?id=3"
    )
    # a parameter that names no URL of the site stays (a rule, once learned, holds for its whole host)
    fresh = SiteIdentity(("h.vn",))
    assert fresh.canonical("http://h.vn/go?redirect=1") == "http://h.vn/go?redirect=1"
    away = "http://h.vn/go?back=http%3A%2F%2Fother.vn%2F"
    assert fresh.canonical(away) == away
    assert not fresh.rules


def test_an_iis_server_is_case_insensitive() -> None:
    identity = SiteIdentity(("h.vn",))
    assert identity.canonical("http://h.vn/Tin-Tuc/Bai-1") == "http://h.vn/Tin-Tuc/Bai-1"
    identity.observe_headers("http://h.vn/", {"server": "nginx"})
    assert identity.version == 0
    identity.observe_headers("http://h.vn/", {"server": "Microsoft-IIS/7.5", "x-powered-by": "ASP.NET"})
    assert identity.canonical("http://h.vn/Tin-Tuc/Bai-1?ItemID=5") == "http://h.vn/tin-tuc/bai-1?itemid=5"
    assert identity.version == 1


def test_a_site_of_aspx_pages_is_case_insensitive_from_its_first_link() -> None:
    identity = SiteIdentity(("h.vn",))
    assert identity.canonical("http://h.vn/Pages/ChiTiet.aspx?ItemID=5") == "http://h.vn/pages/chitiet.aspx?itemid=5"
    assert identity.canonical("http://h.vn/pages/chitiet.aspx?itemid=5") == "http://h.vn/pages/chitiet.aspx?itemid=5"
    assert SiteIdentity(("h.vn",)).canonical("http://h.vn/Tin/Bai.php?ID=5") == "http://h.vn/Tin/Bai.php?ID=5"


def test_two_urls_that_gave_the_same_article_teach_what_does_not_matter() -> None:
    identity = SiteIdentity(("h.vn",))
    assert identity.observe_article("http://h.vn/a.php?id=5&menu=3", "d5") is None
    assert identity.observe_article("http://h.vn/a.php?id=6&menu=3", "d6") is None
    # the same article under another menu id: menu does not matter; id told pages apart, it does
    assert identity.observe_article("http://h.vn/a.php?id=5&menu=9", "d5") == "http://h.vn/a.php?id=5&menu=3"
    assert identity.canonical("http://h.vn/a.php?id=7&menu=1") == "http://h.vn/a.php?id=7"
    assert identity.canonical("http://h.vn/list.php?menu=1") == "http://h.vn/list.php?menu=1"
    # the same article under another casing: the host is case-insensitive
    assert identity.observe_article("http://h.vn/A.php?id=6", "d6") is not None
    assert identity.rules["h.vn"].case_insensitive


def test_a_canonical_url_teaches_only_once_confirmed() -> None:
    identity = SiteIdentity(("h.vn",))
    identity.observe_canonical("http://h.vn/x.aspx?id=5&view=full", "http://h.vn/x.aspx?id=5", confirmed=False)
    assert "h.vn" not in identity.rules
    identity.observe_canonical("http://h.vn/x.aspx?id=5&view=full", "http://h.vn/x.aspx?id=5", confirmed=True)
    assert identity.rules["h.vn"].ignored == frozenset({"view@/x.aspx"})
    assert identity.canonical("http://h.vn/x.aspx?id=9&view=print") == "http://h.vn/x.aspx?id=9"
    # ... on the pages of that path only: another page of the host may need it
    assert identity.canonical("http://h.vn/list.aspx?view=2") == "http://h.vn/list.aspx?view=2"
    # a canonical URL on another path teaches nothing
    identity.observe_canonical("http://h.vn/y.aspx?id=5&m=1", "http://h.vn/z.aspx?id=5", confirmed=True)
    assert identity.rules["h.vn"].ignored == frozenset({"view@/x.aspx"})


def test_a_path_pattern_stands_for_the_pages_of_one_kind() -> None:
    assert path_pattern("/web/guest/tin/-/asset_publisher/Kx4T/content/khai-mac-hoi-nghi") == (
        "/web/guest/tin/-/asset_publisher/kx#t/content/*"
    )
    assert path_pattern("/tin-tuc/khai-mac-hoi-nghi-123.html") == "/tin-tuc/*"
    assert path_pattern("/Pages/ChiTietTin.aspx") == "/pages/chitiettin.aspx"
    assert path_pattern("/Pages/TinTuc.aspx") != path_pattern("/Pages/ChiTietTin.aspx")


def test_same_site_checks_scheme_and_host() -> None:
    assert same_site("http://h.vn/a", ("h.vn",))
    assert same_site("https://sub.h.vn/a", ("h.vn",))
    assert not same_site("http://evil.vn/h.vn", ("h.vn",))
    assert not same_site("ftp://h.vn/a", ("h.vn",))
    assert not same_site("http://hh.vn/", ("h.vn",))
