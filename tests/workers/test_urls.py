"""WHATWG-like URL resolution: what a browser's address bar would show for an href."""

import pytest

from workers.extract.urls import resolve_url, url_host

PAGE = "https://news.referrer.test/story/42?page=2#top"


@pytest.mark.parametrize(
    ("href", "base", "expected"),
    [
        ("install.html", "https://www.example.com/docs/", "https://www.example.com/docs/install.html"),
        ("?lang=de", "https://www.example.com/docs/", "https://www.example.com/docs/?lang=de"),
        ("/pricing", "https://www.example.com/docs/", "https://www.example.com/pricing"),
        ("#faq", PAGE, "https://news.referrer.test/story/42?page=2#faq"),
        ("", PAGE, "https://news.referrer.test/story/42?page=2"),
        ("../../../up", "https://a.test/b/c/d", "https://a.test/up"),
        ("./x/./y/../z", "https://a.test/b/", "https://a.test/b/x/z"),
        ("..", "https://a.test/b/c", "https://a.test/"),
        ("www.example.com/shop", "https://forum.test/forum/",
         "https://forum.test/forum/www.example.com/shop"),
    ],
)
def test_relative_references_resolve_against_the_base(href: str, base: str, expected: str) -> None:
    assert resolve_url(href, base) == expected


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("//www.example.com/reviews", "https://www.example.com/reviews"),
        ("//example.com", "https://example.com/"),
        ("\\\\example.com\\a\\b", "https://example.com/a/b"),
        ("https:\\\\example.com\\a", "https://example.com/a"),
        ("https:///example.com/x", "https://example.com/x"),
        ("http:example.com/x", "http://example.com/x"),
    ],
)
def test_slashes_and_backslashes_are_read_as_browsers_do(href: str, expected: str) -> None:
    assert resolve_url(href, PAGE) == expected


def test_a_same_scheme_href_without_slashes_is_relative() -> None:
    assert resolve_url("https:page.html", "https://a.test/dir/x") == "https://a.test/dir/page.html"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("HTTPS://WWW.EXAMPLE.COM/About", "https://www.example.com/About"),
        ("http://example.com:80/", "http://example.com/"),
        ("https://example.com:443/x", "https://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com:0443/x", "https://example.com/x"),
        ("https://example.com./trailing", "https://example.com./trailing"),
        ("https://example.com@evil.net/", "https://example.com@evil.net/"),
        ("https://%65xample.com/", "https://example.com/"),
        ("http://0x7f.1/", "http://127.0.0.1/"),
        ("http://[0:0::1]:8080/", "http://[::1]:8080/"),
    ],
)
def test_scheme_host_and_port_are_normalised(href: str, expected: str) -> None:
    assert resolve_url(href, "") == expected


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("https://www.bücher.ch/angebote", "https://www.xn--bcher-kva.ch/angebote"),
        ("HTTPS://BÜCHER.CH/Kontakt", "https://xn--bcher-kva.ch/Kontakt"),
        ("https://bücher。ch/", "https://xn--bcher-kva.ch/"),
        ("https://XN--BCHER-KVA.CH/", "https://xn--bcher-kva.ch/"),
        ("https://faß.de/", "https://xn--fa-hia.de/"),
        ("https://☃.net/", "https://xn--n3h.net/"),
        ("https://b%C3%BCcher.ch/", "https://xn--bcher-kva.ch/"),
        ("https://my_blog.blogspot.com/", "https://my_blog.blogspot.com/"),
    ],
)
def test_hosts_are_mapped_to_punycode_with_uts46(href: str, expected: str) -> None:
    assert resolve_url(href, "") == expected


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("\n   https://www.example.com/feeds/atom.xml\n  ", "https://www.example.com/feeds/atom.xml"),
        ("https://www.exam\tple.com/x\ny", "https://www.example.com/xy"),
        ("\x00\x1f https://example.com/ \x01", "https://example.com/"),
    ],
)
def test_control_characters_are_stripped_and_tabs_newlines_removed(href: str, expected: str) -> None:
    assert resolve_url(href, PAGE) == expected


def test_non_ascii_in_the_path_is_percent_encoded_as_utf8_whatever_the_page_encoding() -> None:
    assert resolve_url("https://www.example.com/café", "", "cp1252") == (
        "https://www.example.com/caf%C3%A9"
    )


def test_non_ascii_in_the_query_is_percent_encoded_in_the_page_encoding() -> None:
    assert resolve_url("https://e.com/?q=é", "") == "https://e.com/?q=%C3%A9"
    assert resolve_url("https://e.com/?q=é", "", "cp1252") == "https://e.com/?q=%E9"
    assert resolve_url("https://e.com/?q=é", "", "iso-8859-1") == "https://e.com/?q=%E9"


def test_a_query_character_the_page_encoding_lacks_becomes_a_numeric_reference() -> None:
    assert resolve_url("https://e.com/?q=あ", "", "cp1252") == "https://e.com/?q=%26%2312354%3B"


def test_special_characters_are_encoded_per_component() -> None:
    assert resolve_url('https://e.com/a b<c>"d?x=\'y\' z#f g', "") == (
        "https://e.com/a%20b%3Cc%3E%22d?x=%27y%27%20z#f%20g"
    )


def test_existing_percent_escapes_and_the_fragment_are_kept() -> None:
    assert resolve_url("https://e.com/a%2Fb?x=%41#frag", "") == "https://e.com/a%2Fb?x=%41#frag"


def test_percent_encoded_dot_segments_are_collapsed() -> None:
    assert resolve_url("https://e.com/a/%2e%2E/b/%2e/c", "") == "https://e.com/b/c"


@pytest.mark.parametrize(
    "href",
    [
        "mailto:sales@example.com",
        "tel:+15551234",
        "javascript:window.open('https://www.example.com/')",
        "data:text/html,<a href=https://www.example.com>x</a>",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "https://",
        "http://ex ample.com/",
        "http://example.com:99999/",
        "http://example.com:8o/",
        "http://exa<mple.com/",
    ],
)
def test_other_schemes_and_unusable_urls_give_none(href: str) -> None:
    assert resolve_url(href, PAGE) is None


def test_a_relative_href_without_an_http_base_gives_none() -> None:
    assert resolve_url("/x", "") is None
    assert resolve_url("/x", "about:blank") is None


def test_url_host_is_the_bare_lower_case_host() -> None:
    assert url_host("https://user:pw@www.example.com:8080/x?y#z") == "www.example.com"
    assert url_host("https://example.com") == "example.com"
    assert url_host("http://[::1]:80/") == "[::1]"
    assert url_host("not a url") == ""
