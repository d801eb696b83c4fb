"""The link score (0..100): authority of the referring host x link weight x dilution.

    score = round(100 * authority * weight * dilution)
    authority = 0.1 + 0.9 * min(1, ln(1 + d) / ln(1 + 1000))
        d: distinct registrable domains linking to the referring host in the index
    weight    = dofollow 1.0, nofollow 0.3, unknown 0.5, mention 0.15
    dilution  = 1 if n <= 10 else sqrt(10 / n)
        n: the page's count of links to other registrable domains

A host nobody in the index links to still gets the 0.1 floor (a page exists and links); the score
is null when neither the page's outbound links nor its host's authority are known.
"""

import math

from contracts.enums import LinkType

WEIGHTS: dict[LinkType, float] = {
    LinkType.DOFOLLOW: 1.0,
    LinkType.NOFOLLOW: 0.3,
    LinkType.UNKNOWN: 0.5,
    LinkType.MENTION: 0.15,
}
AUTHORITY_FLOOR = 0.1
AUTHORITY_FULL_AT = 1000
UNDILUTED_LINKS = 10


def authority(linking_domains: int) -> float:
    """0.1..1 from the count of distinct registrable domains linking to a host (log-scaled)."""
    scaled = math.log1p(max(0, linking_domains)) / math.log1p(AUTHORITY_FULL_AT)
    return AUTHORITY_FLOOR + (1 - AUTHORITY_FLOOR) * min(1.0, scaled)


def dilution(external_links: int) -> float:
    """1 for pages with few external links, falling with the square root beyond."""
    if external_links <= UNDILUTED_LINKS:
        return 1.0
    return math.sqrt(UNDILUTED_LINKS / external_links)


def score(link_type: LinkType, linking_domains: int | None, external_links: int | None) -> int | None:
    """The row score, or None when nothing is known of the page and its host."""
    if linking_domains is None and not external_links:
        return None
    value = authority(linking_domains or 0) * WEIGHTS[link_type] * dilution(external_links or 0)
    return round(100 * value)
