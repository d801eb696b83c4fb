"""Links as extracted from a page and as reported for a target."""

import msgspec

from contracts.enums import LinkKind, LinkType


class LinkOut(msgspec.Struct, frozen=True, kw_only=True):
    """One link (or mention) on a referring page for the target, as reported in `links[]`."""

    target_url: str | None
    anchor_text: str | None
    link_type: LinkType
    rel: list[str] = []
    kind: LinkKind = LinkKind.ANCHOR
