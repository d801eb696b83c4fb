"""The policy layer: which of a page's links are backlinks, and of which type (SPEC section 2)."""

from backlinks.domains import host_in_target, registrable_domain
from contracts.enums import LinkKind, LinkType
from contracts.links import LinkOut
from workers.extract.model import ParsedPage, RawLink
from workers.extract.urls import resolve_url, url_host

#: rel tokens that withhold endorsement.
NOFOLLOW_RELS = frozenset({"nofollow", "ugc", "sponsored"})
#: Kinds counted as the page's external links (score dilution).
_COUNTED_KINDS = frozenset({LinkKind.ANCHOR, LinkKind.WRAPPED})


def link_type(link: RawLink, page_nofollow: bool) -> LinkType:
    """The type of one link, by the rules below, first match wins."""
    if not link.attributes_known:
        return LinkType.UNKNOWN  # the source did not show rel
    if link.kind is LinkKind.CANONICAL:
        return LinkType.UNKNOWN  # consolidates signals, never an editorial dofollow link
    if NOFOLLOW_RELS.intersection(link.rel) or page_nofollow:
        return LinkType.NOFOLLOW
    if link.kind is LinkKind.WRAPPED:
        return LinkType.UNKNOWN  # whether an interstitial redirector passes equity is unknown
    return LinkType.DOFOLLOW


def outbound_links(page: ParsedPage) -> list[tuple[str, LinkOut]]:
    """Every link, then every mention, to another registrable domain: (host, LinkOut)."""
    own = registrable_domain(page.host) if page.host else ""
    out = [
        (link.host, LinkOut(
            target_url=link.url,
            anchor_text=link.anchor_text,
            link_type=link_type(link, page.page_nofollow),
            rel=list(link.rel),
            kind=link.kind,
        ))
        for link in page.links
        if link.host and registrable_domain(link.host) != own
    ]
    out.extend(
        (mention.host, LinkOut(
            target_url=None,
            anchor_text=mention.text,
            link_type=LinkType.MENTION,
            kind=LinkKind.MENTION,
        ))
        for mention in page.mentions
        if registrable_domain(mention.host) != own
    )
    return out


def normalise_target(target: str) -> str:
    """A target domain as hosts are compared: lower-case punycode, no trailing dot."""
    # Not backlinks.target.normalize_target: that validator raises (IPs, single labels, names
    # without a public suffix) and drops "www."; links_for_target takes any host and keeps it.
    target = target.strip().rstrip(".")
    url = resolve_url(f"http://{target}/", "") if target else None
    return url_host(url) if url else target.lower()


def links_for_target(page: ParsedPage, target: str) -> list[LinkOut]:
    """The page's links and mentions for the target and its subdomains, in document order."""
    target = normalise_target(target)
    if page.host and registrable_domain(page.host) == registrable_domain(target):
        return []  # internal: a site never backlinks itself
    return [link for host, link in outbound_links(page) if host_in_target(host, target)]


def external_link_count(page: ParsedPage) -> int:
    """Anchor and wrapped links to other registrable domains (dilutes a link's score)."""
    own = registrable_domain(page.host) if page.host else ""
    return sum(
        1
        for link in page.links
        if link.kind in _COUNTED_KINDS and link.host and registrable_domain(link.host) != own
    )
