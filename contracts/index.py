"""Stored records of the link index."""

import msgspec

from contracts.enums import LinkKind, LinkType


class IndexedLink(msgspec.Struct, frozen=True, kw_only=True):
    """One outbound link (or mention) of an indexed page, with when it was seen."""

    target_url: str | None
    target_host: str
    anchor_text: str | None
    rel: list[str] = []
    link_type: LinkType = LinkType.DOFOLLOW
    kind: LinkKind = LinkKind.ANCHOR
    first_seen: int = 0
    last_seen: int = 0
    #: When a re-ingest of the page no longer showed the link; None while it is live.
    lost_at: int | None = None


class PageRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One indexed referring page: its links to other registrable domains and its mentions."""

    url: str
    host: str
    first_seen: int
    last_seen: int
    #: Count of the page's links to other registrable domains (dilutes the score).
    external_links: int = 0
    links: list[IndexedLink] = []
    #: The archive (path or URL) the latest capture came from.
    origin: str = ""
