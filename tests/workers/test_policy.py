"""The policy layer: internal vs outbound, link types, target matching, dilution count."""

from contracts.enums import LinkKind, LinkType
from contracts.links import LinkOut
from workers.extract.model import Mention, ParsedPage, RawLink
from workers.extract.policy import (
    external_link_count,
    link_type,
    links_for_target,
    normalise_target,
    outbound_links,
)


def link(url: str, host: str, *rel: str, kind: LinkKind = LinkKind.ANCHOR, **extra: object) -> RawLink:
    return RawLink(url, host, "text", tuple(sorted(rel)), kind, **extra)  # type: ignore[arg-type]


def page(*links: RawLink, mentions: tuple[Mention, ...] = (), nofollow: bool = False,
         host: str = "blog.referrer.org") -> ParsedPage:
    return ParsedPage(url=f"https://{host}/post", host=host, page_nofollow=nofollow,
                      links=list(links), mentions=list(mentions))


def test_a_plain_link_is_dofollow() -> None:
    assert link_type(link("https://e.com/", "e.com"), False) is LinkType.DOFOLLOW


def test_nofollow_ugc_and_sponsored_make_a_link_nofollow() -> None:
    for rel in ("nofollow", "ugc", "sponsored"):
        assert link_type(link("https://e.com/", "e.com", rel, "noopener"), False) is LinkType.NOFOLLOW


def test_other_rel_tokens_leave_a_link_dofollow() -> None:
    assert link_type(link("https://e.com/", "e.com", "external", "no-follow"), False) is LinkType.DOFOLLOW


def test_a_nofollow_page_makes_every_link_nofollow() -> None:
    assert link_type(link("https://e.com/", "e.com"), True) is LinkType.NOFOLLOW
    assert link_type(link("https://e.com/", "e.com", kind=LinkKind.REDIRECT), True) is LinkType.NOFOLLOW


def test_a_wrapped_link_is_unknown_unless_its_wrapper_says_nofollow() -> None:
    wrapped = link("https://e.com/", "e.com", kind=LinkKind.WRAPPED, via="https://www.google.com/url?q=x")
    assert link_type(wrapped, False) is LinkType.UNKNOWN
    nofollow = link("https://e.com/", "e.com", "nofollow", kind=LinkKind.WRAPPED, via="https://l.facebook.com/")
    assert link_type(nofollow, False) is LinkType.NOFOLLOW


def test_a_canonical_is_never_dofollow() -> None:
    canonical = link("https://e.com/", "e.com", "canonical", kind=LinkKind.CANONICAL)
    assert link_type(canonical, False) is LinkType.UNKNOWN
    assert link_type(canonical, True) is LinkType.UNKNOWN


def test_a_link_whose_attributes_are_unknown_is_unknown() -> None:
    assert link_type(link("https://e.com/", "e.com", attributes_known=False), False) is LinkType.UNKNOWN


def test_internal_links_and_mentions_are_never_outbound() -> None:
    parsed = page(
        link("https://www.referrer.org/", "www.referrer.org"),
        link("https://e.com/", "e.com"),
        mentions=(Mention("referrer.org", "referrer.org"), Mention("e.org", "E.org")),
    )
    assert [host for host, _ in outbound_links(parsed)] == ["e.com", "e.org"]


def test_mentions_come_out_as_mention_rows_without_url() -> None:
    parsed = page(mentions=(Mention("www.e.com", "www.E.com"),))
    assert outbound_links(parsed) == [
        ("www.e.com", LinkOut(target_url=None, anchor_text="www.E.com", link_type=LinkType.MENTION,
                              rel=[], kind=LinkKind.MENTION))
    ]


def test_links_for_target_keep_the_target_its_subdomains_and_every_duplicate() -> None:
    parsed = page(
        link("https://example.com/", "example.com"),
        link("https://blog.example.com/a", "blog.example.com", "nofollow"),
        link("https://blog.example.com/a", "blog.example.com", "nofollow"),
        link("https://notexample.com/", "notexample.com"),
        link("https://example.com.evil.net/", "example.com.evil.net"),
        mentions=(Mention("example.com", "example.com"),),
    )
    found = links_for_target(parsed, "Example.com")
    assert [(out.target_url, out.link_type) for out in found] == [
        ("https://example.com/", LinkType.DOFOLLOW),
        ("https://blog.example.com/a", LinkType.NOFOLLOW),
        ("https://blog.example.com/a", LinkType.NOFOLLOW),
        (None, LinkType.MENTION),
    ]
    assert found[1].rel == ["nofollow"]


def test_a_page_on_the_targets_registrable_domain_has_no_backlinks() -> None:
    parsed = page(link("https://example.com/", "example.com"), host="blog.example.com")
    assert links_for_target(parsed, "example.com") == []
    assert links_for_target(parsed, "www.example.com") == []


def test_a_target_on_a_private_suffix_is_its_own_site() -> None:
    parsed = page(link("https://alice.blogspot.com/", "alice.blogspot.com"), host="bob.blogspot.com")
    assert len(links_for_target(parsed, "alice.blogspot.com")) == 1
    assert links_for_target(parsed, "carol.blogspot.com") == []


def test_a_unicode_target_matches_punycode_hosts() -> None:
    parsed = page(link("https://www.xn--bcher-kva.ch/", "www.xn--bcher-kva.ch"))
    assert len(links_for_target(parsed, "bücher.ch")) == 1
    assert normalise_target(" Bücher.CH. ") == "xn--bcher-kva.ch"


def test_external_link_count_counts_anchors_and_wrapped_links_to_other_sites() -> None:
    parsed = page(
        link("https://a.test/", "a.test"),
        link("https://b.test/", "b.test", kind=LinkKind.WRAPPED, via="https://www.google.com/url?q=x"),
        link("https://c.test/", "c.test", kind=LinkKind.CANONICAL),
        link("https://d.test/", "d.test", kind=LinkKind.REDIRECT),
        link("https://www.referrer.org/", "www.referrer.org"),
        mentions=(Mention("e.test", "e.test"),),
    )
    assert external_link_count(parsed) == 2
