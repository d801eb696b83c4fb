"""Snapshots of check results, kept for the new-vs-lost diff."""

import msgspec

from contracts.enums import LinkType


class SnapshotRow(msgspec.Struct, frozen=True, kw_only=True):
    """What a snapshot keeps of one row."""

    referring_url: str
    referring_domain: str
    link_type: LinkType
    target_url: str | None = None
    anchor_text: str | None = None
    #: Set when a deep scan could not fetch the page: its state is unverified, not lost.
    unverified: bool = False


class Snapshot(msgspec.Struct, frozen=True, kw_only=True):
    """The rows of one completed check of a domain + flags."""

    snapshot_id: str
    domain: str
    taken_at: int
    deep_scan: bool = False
    include_big: bool = False
    rows: list[SnapshotRow] = []
