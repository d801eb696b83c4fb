"""Our own variant of every kind of shared case (and kinds the shared file lacks), with answers."""

import base64
from typing import Any

import pytest

from tests.workers.test_extract_cases import problems

HTML = [["Content-Type", "text/html; charset=utf-8"]]
REF = "https://www.referrer-site.org/post/1"


def case(
    case_id: str, html: str, expected: list[dict[str, Any]], *, target: str = "example.com",
    headers: list[list[str]] | None = None, page_url: str = REF, body: bytes | None = None,
) -> Any:
    data: dict[str, Any] = {
        "id": case_id, "page_url": page_url, "target_domain": target, "html": html,
        "http_headers": headers or HTML, "expected": expected,
    }
    if body is not None:
        data["body_base64"] = base64.b64encode(body).decode("ascii")
    return pytest.param(data, id=case_id)


def link(url: str | None, anchor: str | None, link_type: str = "dofollow", **extra: Any) -> dict[str, Any]:
    return {"target_url": url, "anchor_text": anchor, "link_type": link_type, **extra}


E = "https://www.example.com"

CASES = [
    # rel: tabs, stray commas, upper case, and tokens that do not withhold endorsement.
    case("rel-tabs-commas-and-harmless-tokens",
         f'<a href="{E}/1" rel="External\tNOFOLLOW">1</a><a href="{E}/2" rel=" , UGC , ">2</a>'
         f'<a href="{E}/3" rel="noopener noreferrer">3</a><a href="{E}/4" rel="sponsored,">4</a>',
         [link(f"{E}/1", "1", "nofollow"), link(f"{E}/2", "2", "nofollow", rel_includes=["ugc"]),
          link(f"{E}/3", "3"), link(f"{E}/4", "4", "nofollow", rel_includes=["sponsored"])]),
    # page: several X-Robots-Tag headers; the second one says nofollow.
    case("page-repeated-x-robots-tag-headers", f'<a href="{E}/r">R</a>',
         [link(f"{E}/r", "R", "nofollow")],
         headers=[*HTML, ["X-Robots-Tag", "noarchive"], ["x-robots-tag", "nosnippet, nofollow"]]),
    case("page-x-robots-tag-scoped-to-another-crawler", f'<a href="{E}/s">S</a>',
         [link(f"{E}/s", "S")],
         headers=[*HTML, ["X-Robots-Tag", "otherbot: noindex, nofollow"],
                  ["X-Robots-Tag", "unavailable_after: 25 Jun 2010 15:00:00 PST"]]),
    case("page-x-robots-tag-scoped-to-googlebot", f'<a href="{E}/g">G</a>',
         [link(f"{E}/g", "G", "nofollow")], headers=[*HTML, ["X-Robots-Tag", "googlebot: none"]]),
    case("page-bingbot-meta-only", f'<head><meta name="bingbot" content="nofollow"></head><a href="{E}/b">B</a>',
         [link(f"{E}/b", "B")]),
    # base: in the body, after the links it applies to; and an unusable base.
    case("base-late-in-body", '<a href="guide">Guide</a><base href="https://www.example.com/docs/">',
         [link(f"{E}/docs/guide", "Guide")]),
    case("base-javascript-is-ignored",
         '<base href="javascript:void(0)"><a href="/x">Local</a><a href="https://example.com/y">Y</a>',
         [link("https://example.com/y", "Y")]),
    # url: backslashes, default port written out, dot segments, a scheme-only relative href.
    case("url-backslashes-ports-dots",
         '<a href="https:\\\\www.example.com\\a\\b">1</a><a href="HTTP://www.example.com:80/c">2</a>'
         '<a href="https://www.example.com/a/../d/./e">3</a><a href="https:/\\example.com">4</a>',
         [link(f"{E}/a/b", "1"), link("http://www.example.com/c", "2"), link(f"{E}/d/e", "3"),
          link("https://example.com/", "4")]),
    case("url-scheme-only-relative-href-stays-on-the-page-host",
         '<a href="https:www.example.com/x">rel</a>', []),
    # idn: ideographic full stop, upper-case punycode, percent-encoded host.
    case("idn-fullwidth-dot-and-encoded-forms",
         '<a href="https://bücher。ch/a">A</a><a href="https://XN--BCHER-KVA.CH/b">B</a>'
         '<a href="https://b%C3%BCcher.ch/c">C</a><a href="https://buecher.ch/">no</a>',
         [link("https://xn--bcher-kva.ch/a", "A"), link("https://xn--bcher-kva.ch/b", "B"),
          link("https://xn--bcher-kva.ch/c", "C")], target="xn--bcher-kva.ch"),
    # psl: github.io is a private suffix, co.uk an ICANN one.
    case("psl-github-io",
         '<a href="https://alice.github.io/p">Alice</a><a href="https://bob.github.io/">Bob</a>'
         '<a href="https://github.io/">root</a>',
         [link("https://alice.github.io/p", "Alice")], target="alice.github.io"),
    case("psl-co-uk-lookalike",
         '<a href="https://example.co.uk.evil.com/">evil</a><a href="https://shop.example.co.uk/">shop</a>',
         [link("https://shop.example.co.uk/", "shop")], target="example.co.uk"),
    # domain: a non-default port is kept, userinfo never decides the host, IPs never match.
    case("domain-port-userinfo-ip",
         '<a href="https://www.example.com:8443/p">port</a><a href="https://www.example.com:pw@evil.net/">ui</a>'
         '<a href="http://93.184.216.34/">ip</a><a href="https://EXAMPLE.com/">upper</a>',
         [link("https://www.example.com:8443/p", "port"), link("https://example.com/", "upper")]),
    # href: double-escaped entities, an encoded tab inside the URL.
    case("href-double-escaped-and-encoded-tab",
         f'<a href="{E}/q?a=1&amp;amp;b=2">double</a><a href="{E}/t&#9;ab">tab</a>'
         f'<a href="{E}/x?y=&quot;z&quot;">quot</a>',
         [link(f"{E}/q?a=1&amp;b=2", "double"), link(f"{E}/tab", "tab"), link(f"{E}/x?y=%22z%22", "quot")]),
    # elem: SVG links with xlink:href and href, an area with only a title.
    case("elem-svg-and-titled-area",
         f'<svg><a xlink:href="{E}/svg1"><text>SVG one</text></a><a href="{E}/svg2"><text>SVG two</text></a></svg>'
         f'<map><area href="{E}/area" title="Area title"></map>',
         [link(f"{E}/svg1", "SVG one"), link(f"{E}/svg2", "SVG two"),
          link(f"{E}/area", "Area title", also_accepted_link_types=["unknown"])]),
    # anchor: script inside, br between words, an empty alt falls back to the title.
    case("anchor-script-br-empty-alt",
         f'<a href="{E}/1">Buy<script>track("x")</script> now</a><a href="{E}/2">line<br>break</a>'
         f'<a href="{E}/3" title="Home page"><img src="h.png" alt=""></a>',
         [link(f"{E}/1", "Buy now"), link(f"{E}/2", "line break"), link(f"{E}/3", "Home page")]),
    # redir: meta refresh (a kind the shared file lacks), wrappers with and without nofollow.
    case("redir-meta-refresh",
         '<head><meta http-equiv="refresh" content="0;URL=\'https://www.example.com/moved\'"></head>',
         [link(f"{E}/moved", None)]),
    case("redir-more-wrappers",
         '<a href="https://out.reddit.com/t3_x?url=https%3A%2F%2Fwww.example.com%2Fr&amp;token=t">Reddit</a>'
         '<a href="https://lm.facebook.com/l.php?u=https%3A%2F%2Fwww.example.com%2Ff" rel="ugc">FB</a>'
         '<a href="https://www.google.de/url?q=https://other.org/">other</a>',
         [link(f"{E}/r", "Reddit", "unknown"), link(f"{E}/f", "FB", "nofollow")]),
    # head: other link relations are not links; a cross-domain canonical is at most unknown.
    case("head-amphtml-preload-canonical",
         '<head><link rel="amphtml" href="https://www.example.com/amp"><link rel="preload" '
         'href="https://www.example.com/f.woff"><link rel="Canonical" href="https://www.example.com/orig">'
         "</head><p>text</p>",
         [link(f"{E}/orig", None, "unknown", optional=True)]),
    # js: javascript: and # hrefs with handlers, buttons.
    case("js-handlers-and-buttons",
         '<a href="#" onclick="window.open(\'https://www.example.com/a\')">A</a>'
         '<a href="javascript:void(0)" data-href="https://www.example.com/b">B</a>'
         "<button onclick=\"location.href='https://www.example.com/c'\">C</button>",
         []),
    # comment: HTML5 short comments end at once; --!> ends a comment; an unclosed one hides the rest.
    case("comment-short-forms-and-unclosed",
         f'<!--><a href="{E}/1">1</a><!---><a href="{E}/2">2</a><!-- x --!><a href="{E}/3">3</a>'
         f'<!-- <a href="{E}/hidden">hidden</a>',
         [link(f"{E}/1", "1"), link(f"{E}/2", "2"), link(f"{E}/3", "3")]),
    # mention: case kept, IDN in text, sentence-final dot, title/alt/noscript.
    case("mention-case-idn-and-places",
         "<head><title>example.com</title></head><body><p>Buy at WWW.Example.COM.</p>"
         '<img alt="example.com logo"><noscript>example.com/plain</noscript></body>',
         [link(None, "WWW.Example.COM", "mention"), link(None, "example.com", "mention")]),
    case("mention-idn-in-text", "<p>Bestellen Sie bei bücher.ch oder buecher.ch.</p>",
         [link(None, "bücher.ch", "mention")], target="bücher.ch"),
    # charset: windows-1252 query bytes, and a BOM that overrides a wrong header.
    case("charset-query-in-page-encoding", "", [link(f"{E}/caf%C3%A9?q=%E9", "“Café”")],
         headers=[["Content-Type", "text/html; charset=latin1"]],
         body=f'<a href="{E}/café?q=é">“Café”</a>'.encode("cp1252")),
    case("charset-bom-beats-header", "", [link(f"{E}/%C3%BC", "Grüße")],
         headers=[["Content-Type", "text/html; charset=ISO-8859-1"]],
         body=b"\xef\xbb\xbf" + f'<a href="{E}/ü">Grüße</a>'.encode()),
    # size: a 20 MB text node, a 12 MB attribute and a 12 MB comment before the link.
    case("size-twenty-megabyte-text-node",
         f"<p>{{{{REPEAT:x:20000000}}}}</p><a href=\"{E}/after\">After</a>", [link(f"{E}/after", "After")]),
    case("size-huge-attribute-and-comment",
         f'<div title="{{{{REPEAT:y:12000000}}}}"></div><!--{{{{REPEAT:z:12000000}}}}-->'
         f'<a href="{E}/after2">After 2</a>', [link(f"{E}/after2", "After 2")]),
    # malformed: NUL bytes in markup, a page cut inside a link, a stray unterminated quote.
    case("malformed-nul-in-tags-and-cut-page", "",
         [link(f"{E}/n", "NUL"), link(f"{E}/cut", "cut here")],
         body=f'<p>x\x00y</p><a\x00 href="{E}/n">N\x00UL</a><div><a href="{E}/cut">cut here'.encode()),
    # dup: identical links are all kept (link_count counts them).
    case("dup-identical-links", f'<a href="{E}/p">P</a>' * 3, [link(f"{E}/p", "P")] * 3),
    # depth (not in the shared file): libxml2 drops everything after 2048 open elements.
    case("depth-unclosed-b-tags",
         f'<a href="{E}/before">before</a>{{{{REPEAT:x:1}}}}' + "<b>x" * 5000 + f'<a href="{E}/after">after</a>',
         [link(f"{E}/before", "before"), link(f"{E}/after", "after")]),
    case("depth-unclosed-div-and-font",
         "<div><font>" * 3000 + f'<p>see example.com</p><a href="{E}/deep" rel="ugc">deep <i>link</i></a>',
         [link(None, "example.com", "mention"), link(f"{E}/deep", "deep link", "nofollow")]),
    case("depth-nested-tables",
         "<table><tr><td>" * 1000 + f'<a href="{E}/cell">cell</a>', [link(f"{E}/cell", "cell")]),
    # after-html (not in the shared file): libxml2 ignores everything after </html>.
    case("after-html-injected-link",
         f'<html><body><p>page</p></body></html>\n<a href="{E}/injected">injected</a>',
         [link(f"{E}/injected", "injected")]),
]


@pytest.mark.parametrize("data", CASES)
def test_each_kind_of_case_has_a_variant_that_passes(data: dict[str, Any]) -> None:
    assert problems(data) == []
