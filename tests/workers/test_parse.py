"""The parser layer: every link, mention and page-level flag, and no link lost silently."""

from typing import Any

import pytest
from lxml import etree
from lxml import html as lxml_html

from contracts.enums import LinkKind
from workers.extract import parse as parse_module
from workers.extract.model import Mention, ParsedPage
from workers.extract.parse import header_nofollow, parse_page, rel_tokens, unwrap

PAGE = "https://ref.test/dir/page.html"


def parse(body: str, **kwargs: Any) -> ParsedPage:
    return parse_page(f"<html><head></head><body>{body}</body></html>", PAGE, **kwargs)


def urls(page: ParsedPage) -> list[str]:
    return [link.url for link in page.links]


def anchors(body: str) -> list[str | None]:
    return [link.anchor_text for link in parse(body).links]


# ---------------------------------------------------------------------------------- links


def test_anchors_areas_and_svg_links_are_listed_in_document_order() -> None:
    page = parse(
        '<a href="https://a.test/1">1</a>'
        '<map><area href="https://a.test/2" alt="two"><area nohref alt="none"></map>'
        '<svg><a xlink:href="https://a.test/3"><text>three</text></a>'
        '<a href="https://a.test/4"><text>four</text></a></svg>'
    )
    assert urls(page) == ["https://a.test/1", "https://a.test/2", "https://a.test/3", "https://a.test/4"]
    assert [link.anchor_text for link in page.links] == ["1", "two", "three", "four"]
    assert {link.kind for link in page.links} == {LinkKind.ANCHOR}


def test_links_without_a_usable_http_url_are_left_out() -> None:
    page = parse('<a href="mailto:x@a.test">m</a><a href="javascript:void(0)">j</a><a>no href</a>'
                 '<a href="http://bad host/">b</a><a href="https://ok.test/">ok</a>')
    assert urls(page) == ["https://ok.test/"]


def test_duplicate_links_are_all_kept() -> None:
    page = parse('<a href="https://a.test/">x</a>' * 3)
    assert len(page.links) == 3


def test_head_hints_scripts_data_href_onclick_comments_and_templates_are_not_links() -> None:
    page = parse_page(
        '<html><head><link rel="stylesheet" href="https://a.test/s.css">'
        '<link rel="preconnect" href="https://a.test"><link rel="alternate" hreflang="de" '
        'href="https://de.a.test/"><link rel="amphtml" href="https://a.test/amp"></head><body>'
        '<script>document.write(\'<a href="https://a.test/js">js</a>\')</script>'
        '<div data-href="https://a.test/data"></div><span onclick="location=\'https://a.test/c\'">c</span>'
        '<!-- <a href="https://a.test/commented">old</a> -->'
        '<!--[if lt IE 9]><a href="https://a.test/ie">ie</a><![endif]-->'
        '<template><a href="https://a.test/template">t</a></template>'
        '<textarea><a href="https://a.test/textarea">t</a></textarea></body></html>',
        PAGE,
    )
    assert page.links == []


def test_meta_refresh_is_a_redirect_link() -> None:
    page = parse_page('<html><head><meta http-equiv="Refresh" content="0; URL=\'https://a.test/new\'">'
                      "</head></html>", PAGE)
    assert [(link.url, link.kind) for link in page.links] == [("https://a.test/new", LinkKind.REDIRECT)]


def test_a_meta_refresh_without_url_is_no_link() -> None:
    assert parse_page('<meta http-equiv="refresh" content="30">', PAGE).links == []


def test_only_a_cross_domain_canonical_is_listed() -> None:
    page = parse_page('<link rel="canonical" href="/dir/page.html">'
                      '<link rel="Canonical" href="https://www.other.test/original">', PAGE)
    assert [(link.url, link.kind, link.rel) for link in page.links] == [
        ("https://www.other.test/original", LinkKind.CANONICAL, ("canonical",))
    ]


@pytest.mark.parametrize(
    ("href", "destination"),
    [
        ("https://www.google.com/url?q=https://a.test/x&sa=D", "https://a.test/x"),
        ("https://www.google.co.uk/url?sa=t&url=https%3A%2F%2Fa.test%2Fy", "https://a.test/y"),
        ("https://l.facebook.com/l.php?u=https%3A%2F%2Fa.test%2F%3Ffbclid%3D1&h=AT", "https://a.test/?fbclid=1"),
        ("https://lm.facebook.com/l.php?u=https%3A%2F%2Fa.test%2F", "https://a.test/"),
        ("https://out.reddit.com/t3_abc?url=https%3A%2F%2Fa.test%2Fr&token=x", "https://a.test/r"),
        ("https://www.youtube.com/redirect?q=https%3A%2F%2Fa.test%2Fv&v=1", "https://a.test/v"),
        ("https://disq.us/url?url=https%3A%2F%2Fa.test%2Fd%3AabcDEF12345678&cuid=1", "https://a.test/d"),
    ],
)
def test_known_redirect_wrappers_report_their_destination(href: str, destination: str) -> None:
    page = parse(f'<a href="{href.replace("&", "&amp;")}" rel="ugc">via</a>')
    (link,) = page.links
    assert (link.url, link.host, link.kind, link.rel) == (
        destination, "a.test", LinkKind.WRAPPED, ("ugc",)
    )
    assert link.via is not None and link.via.startswith("https://")


def test_a_wrapper_without_a_destination_is_a_plain_link() -> None:
    assert unwrap("https://www.google.com/url?sa=t", "www.google.com") is None
    assert unwrap("https://www.google.com/search?q=https://a.test/", "www.google.com") is None
    page = parse('<a href="https://www.google.com/url?q=javascript:alert(1)">x</a>')
    assert [(link.url, link.kind) for link in page.links] == [
        ("https://www.google.com/url?q=javascript:alert(1)", LinkKind.ANCHOR)
    ]


# ------------------------------------------------------------------------------------- base


def test_relative_links_resolve_against_the_first_base_with_href() -> None:
    page = parse_page('<html><head><base target="_blank"><base href="https://b.test/docs/">'
                      '<base href="https://ignored.test/"></head><body><a href="x.html">x</a>'
                      "</body></html>", PAGE)
    assert urls(page) == ["https://b.test/docs/x.html"]


def test_a_relative_base_is_resolved_against_the_page_url() -> None:
    page = parse_page('<base href="../other/"><a href="x">x</a>', PAGE)
    assert urls(page) == ["https://ref.test/other/x"]


def test_a_base_later_in_the_page_still_applies_to_earlier_links() -> None:
    page = parse_page('<a href="x">x</a><base href="https://b.test/">', PAGE)
    assert urls(page) == ["https://b.test/x"]


def test_an_unusable_base_is_ignored_with_a_warning() -> None:
    page = parse_page('<base href="javascript:alert(1)"><a href="x">x</a>', PAGE)
    assert urls(page) == ["https://ref.test/dir/x"]
    assert any("base" in warning for warning in page.warnings)


def test_relative_links_on_a_page_without_an_http_url_are_dropped() -> None:
    page = parse_page('<a href="x">x</a><a href="https://a.test/">a</a>', "warc:record-1")
    assert urls(page) == ["https://a.test/"]


# -------------------------------------------------------------------------------- anchor text


def test_anchor_text_is_visible_text_with_white_space_collapsed() -> None:
    assert anchors('<a href="https://a.test/"> <b>Hello</b>\n\t <i>big</i>&nbsp;world </a>') == [
        "Hello big world"
    ]


def test_anchor_text_leaves_out_script_style_template_and_comments() -> None:
    assert anchors('<a href="https://a.test/">Read<script>var x = "no";</script><style>.a{}</style>'
                   "<!-- hidden --><template>t</template> more</a>") == ["Read more"]


def test_image_alts_are_anchor_text_in_place_and_file_names_never_are() -> None:
    assert anchors('<a href="https://a.test/1"><img src="logo.png" alt="Logo"></a>'
                   '<a href="https://a.test/2"><img src="i.png" alt="Icon">Shop now</a>'
                   '<a href="https://a.test/3"><img src="photo-123.png"></a>') == [
        "Logo", "Icon Shop now", None
    ]


def test_the_title_is_the_anchor_text_of_a_link_without_text() -> None:
    assert anchors('<a href="https://a.test/" title=" Add  to cart "></a>'
                   '<a href="https://a.test/" title="ignored">text</a>') == ["Add to cart", "text"]


def test_a_br_separates_words() -> None:
    assert anchors('<a href="https://a.test/">one<br>two</a>') == ["one two"]


def test_a_nested_link_does_not_lend_its_text_to_the_outer_one() -> None:
    page = parse('<a href="https://a.test/outer">out<div><a href="https://a.test/inner">in</a></div></a>')
    assert [(link.url, link.anchor_text) for link in page.links] == [
        ("https://a.test/outer", "out"), ("https://a.test/inner", "in")
    ]


# ------------------------------------------------------------------------------------- rel


@pytest.mark.parametrize(
    ("value", "tokens"),
    [
        ("external nofollow", ("external", "nofollow")),
        ("ugc,nofollow", ("nofollow", "ugc")),
        (" NoFollow\tSponsored , nofollow ", ("nofollow", "sponsored")),
        ("", ()),
        (None, ()),
    ],
)
def test_rel_tokens_are_split_on_white_space_and_commas(value: str | None, tokens: tuple[str, ...]) -> None:
    assert rel_tokens(value) == tokens


# ---------------------------------------------------------------------------- page nofollow


@pytest.mark.parametrize(
    ("meta", "nofollow"),
    [
        ('<meta name="robots" content="noindex, nofollow">', True),
        ('<META NAME="ROBOTS" CONTENT="NOFOLLOW">', True),
        ('<meta name="robots" content="none">', True),
        ('<meta name="googlebot" content="nofollow">', True),
        ('<meta name=" Robots " content="noindex nofollow">', True),
        ('<meta name="robots" content="index, follow, max-image-preview:none">', False),
        ('<meta name="robots" content="noindex, follow">', False),
        ('<meta name="bingbot" content="nofollow">', False),
        ('<meta name="description" content="we never nofollow">', False),
    ],
)
def test_meta_robots_says_nofollow_only_with_the_exact_directive(meta: str, nofollow: bool) -> None:
    assert parse_page(f"<html><head>{meta}</head></html>", PAGE).page_nofollow is nofollow


@pytest.mark.parametrize(
    ("headers", "nofollow"),
    [
        ([("X-Robots-Tag", "noarchive, nofollow")], True),
        ([("x-robots-tag", "NONE")], True),
        ([("X-Robots-Tag", "noarchive"), ("X-Robots-Tag", "nofollow")], True),
        ([("X-Robots-Tag", "googlebot: nofollow")], True),
        ([("X-Robots-Tag", "otherbot: nofollow")], False),
        ([("X-Robots-Tag", "otherbot: noindex, nofollow")], False),
        ([("X-Robots-Tag", "otherbot: noindex, googlebot: nofollow")], True),
        ([("X-Robots-Tag", "unavailable_after: 25 Jun 2010 15:00:00 PST")], False),
        ([("X-Robots-Tag", "max-snippet: 20, nofollow")], True),
        ([("Link", "nofollow")], False),
        ([], False),
    ],
)
def test_x_robots_tag_headers_count_unless_scoped_to_another_crawler(
    headers: list[tuple[str, str]], nofollow: bool
) -> None:
    assert header_nofollow(headers) is nofollow
    assert parse_page("<a href='https://a.test/'>a</a>", PAGE, headers=headers).page_nofollow is nofollow


# ---------------------------------------------------------------------------------- mentions


def test_host_names_in_visible_text_are_mentions_with_the_matched_text() -> None:
    page = parse("<p>Prices on Example.COM, www.shop.example.org and bücher.ch.</p>")
    assert page.mentions == [
        Mention("example.com", "Example.COM"),
        Mention("www.shop.example.org", "www.shop.example.org"),
        Mention("xn--bcher-kva.ch", "bücher.ch"),
    ]


def test_mentions_are_not_taken_from_scripts_styles_comments_attributes_or_the_head() -> None:
    page = parse_page(
        "<html><head><title>a.com</title><style>/* b.com */</style></head><body>"
        '<script>var u = "c.com";</script><!-- d.com --><div title="e.com" data-x="f.com"></div>'
        "<noscript>g.com</noscript><template>h.com</template></body></html>",
        PAGE,
    )
    assert [mention.host for mention in page.mentions] == ["g.com"]


def test_names_must_sit_on_label_boundaries_and_have_a_public_suffix() -> None:
    page = parse("<p>index.html, node.js, e.g. U.S. version 1.2.3, co.uk, example.com.evil.net, "
                 "sub-example.com, x@mail.example.com.</p>")
    assert [mention.host for mention in page.mentions] == [
        "example.com.evil.net", "sub-example.com", "mail.example.com"
    ]


def test_two_sentences_missing_a_space_are_not_a_host_name() -> None:
    page = parse("<p>Sie wollten ihn entführen.In der Nacht kam PanARMENIAN.Net dazu.</p>")
    assert [mention.host for mention in page.mentions] == ["panarmenian.net"]


def test_a_name_inside_a_link_to_that_host_is_not_a_mention() -> None:
    page = parse('<a href="https://www.example.com/">example.com</a>'
                 '<a href="mailto:sales@example.net">sales@example.net</a>'
                 '<a href="https://other.test/">example.org</a>')
    assert [mention.host for mention in page.mentions] == ["example.org"]


def test_a_name_in_a_url_path_or_query_is_not_a_mention() -> None:
    page = parse("<p>see https://evil.net/example.com/ and evil.net/?u=example.org</p>")
    assert [mention.host for mention in page.mentions] == ["evil.net"]


def test_each_name_is_reported_once() -> None:
    assert len(parse("<p>example.com</p><p>example.com</p>").mentions) == 1


# ---------------------------------------------------------------------------------- recovery

LATE = '<p>ask late.example.com</p><a href="https://late.test/1">one</a> <a href="https://late.test/2">two</a>'


@pytest.mark.parametrize("tag", ["b", "div", "font", "span", "table", "ul", "i"])
@pytest.mark.parametrize("count", [300, 3000, 50000])
def test_links_after_thousands_of_unclosed_tags_are_found(tag: str, count: int) -> None:
    page = parse('<a href="https://early.test/">early</a>' + f"<{tag}>x" * count + LATE)
    assert urls(page) == ["https://early.test/", "https://late.test/1", "https://late.test/2"]
    assert [link.anchor_text for link in page.links] == ["early", "one", "two"]
    assert "late.example.com" in [mention.host for mention in page.mentions]
    if count > 2000:
        assert any("recovered" in warning for warning in page.warnings)


def test_links_after_the_closing_html_tag_are_found() -> None:
    page = parse_page('<html><body><a href="https://a.test/">a</a></body></html>\n'
                      '<a href="https://late.test/x">injected</a>', PAGE)
    assert urls(page) == ["https://a.test/", "https://late.test/x"]
    assert page.warnings


def test_the_order_of_recovered_links_is_the_document_order() -> None:
    page = parse('<a href="https://a.test/1">1</a>' + "<b>" * 2100 + '<a href="https://a.test/2">2</a>'
                 + "</b>" * 2100 + '<a href="https://a.test/1">1 again</a></body></html>'
                 '<a href="https://a.test/3">3</a>')
    assert [link.anchor_text for link in page.links] == ["1", "2", "1 again", "3"]


def test_a_robots_meta_in_the_lost_part_still_makes_the_page_nofollow() -> None:
    page = parse("<b>" * 3000 + '<meta name="robots" content="nofollow"><a href="https://late.test/">x</a>')
    assert page.page_nofollow


def test_a_twenty_megabyte_text_node_does_not_hide_the_links_after_it() -> None:
    page = parse("<p>" + "x" * 20_000_000 + '</p><a href="https://late.test/">after</a>')
    assert urls(page) == ["https://late.test/"]


def _small_tree(text: str) -> Any:
    """libxml2 as some builds (and lxml without huge_tree) run it: 256 levels, 10 MB nodes."""
    parser = lxml_html.HTMLParser(recover=True, encoding="utf-8", huge_tree=False)
    return etree.fromstring(text.strip().encode("utf-8"), parser=parser)


@pytest.mark.parametrize(
    "body",
    [
        "<p>" + "x" * 10_500_000 + "</p>",
        '<a href="https://first.test/" title="' + "y" * 10_500_000 + '">first</a>',
        "<!--" + "z" * 10_500_000 + "-->",
        "<b>x" * 300,
    ],
    ids=["text node", "attribute", "comment", "depth 256"],
)
def test_links_are_recovered_where_a_libxml2_without_huge_tree_stops(
    body: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse_module, "_select", _small_tree)
    page = parse(body + '<a href="https://late.test/">after</a>')
    assert "https://late.test/" in urls(page)
    assert page.warnings


def test_nul_characters_do_not_end_the_page() -> None:
    page = parse('<p>a\x00b</p><a href="https://late.test/\x00x">a\x00fter</a>\x00'
                 '<a href="https://late.test/y">y</a>')
    assert [link.url for link in page.links][-1] == "https://late.test/y"
    assert len(page.links) == 2


def test_a_page_cut_inside_a_link_still_gives_the_link() -> None:
    page = parse_page('<html><body><div><a href="https://late.test/">cut her', PAGE)
    assert [(link.url, link.anchor_text) for link in page.links] == [("https://late.test/", "cut her")]


def test_a_page_cut_inside_an_attribute_has_no_such_link_as_in_browsers() -> None:
    assert parse_page('<a href="https://a.test/">a</a><a href="https://late.te', PAGE).links[1:] == []


def test_scripts_and_comments_with_link_markup_cause_no_recovery() -> None:
    page = parse('<script>var s = "<a href=\\"https://js.test/\\">";</script><!-- <a href="https://c.test/"> -->'
                 '<a href="https://a.test/">a</a>')
    assert urls(page) == ["https://a.test/"]
    assert page.warnings == []


def test_link_markup_in_scripts_and_comments_does_not_hide_links_libxml2_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cheap bound counts `<a` inside scripts and comments as no link; a lost link must still
    # show as a missing anchor and be recovered.
    monkeypatch.setattr(parse_module, "_select", _small_tree)
    page = parse('<script>var s = "<a href=\\"https://js.test/\\">";</script><!-- <a href="https://c.test/"> -->'
                 + "<b>x" * 300 + '<a href="https://late.test/">after</a>')
    assert urls(page) == ["https://late.test/"]
    assert page.warnings


@pytest.mark.parametrize("comment", ["<!-->", "<!--->", "<!-- a -- b --!>", "<!-- <a href=x> --!>"])
def test_links_right_after_odd_comments_are_found(comment: str) -> None:
    page = parse(comment + '<a href="https://a.test/1">one</a><!-- x --><a href="https://a.test/2">two</a>')
    assert urls(page) == ["https://a.test/1", "https://a.test/2"]


def test_the_markup_count_skips_comments_and_raw_text_elements() -> None:
    count = parse_module._markup_anchor_count
    assert count('<a href=1><AREA href=2><a\nhref=3><abbr><article>') == 3
    assert count("<!-- <a href=1> --><!--><a href=2><!---><a href=3>") == 2
    assert count("<script><a href=1></script ><style><a></style><title><a></title><a>") == 1
    assert count("<textarea><a></textarea><xmp><a></xmp><plaintext><a>") == 0


def test_lone_surrogates_and_an_xml_declaration_do_not_break_parsing() -> None:
    page = parse_page('<?xml version="1.0"?><html><body>\ud800<a href="https://a.test/">a\udfff</a></body></html>',
                      PAGE)
    assert urls(page) == ["https://a.test/"]


def test_empty_and_blank_pages_have_no_links() -> None:
    assert parse_page("", PAGE).links == []
    assert parse_page(" \n\t", PAGE).links == []
