"""One row per referring page: its best link gives the top-level fields."""

import msgspec

from backlinks.domains import host_in_target
from contracts.enums import LINK_TYPE_RANK, LinkKind, LinkType
from contracts.index import PageRecord
from contracts.links import LinkOut
from contracts.results import Row


def best_link(links: list[LinkOut]) -> LinkOut:
    """Dofollow over nofollow over unknown over mention; the first in page order on a tie."""
    return min(links, key=lambda link: LINK_TYPE_RANK[link.link_type])


def build_row(
    referring_url: str,
    referring_host: str,
    links: list[LinkOut],
    *,
    first_seen: int | None = None,
    last_seen: int | None = None,
    source: str = "index",
    note: str | None = None,
) -> Row | None:
    """The row of one page from its links (and mentions) to the target; None when there are none."""
    if not links:
        return None
    best = best_link(links)
    return Row(
        referring_url=referring_url,
        anchor_text=best.anchor_text,
        link_type=best.link_type,
        target_url=best.target_url,
        referring_domain=referring_host,
        rel=list(best.rel),
        link_count=sum(1 for link in links if link.kind != LinkKind.MENTION),
        links=links,
        first_seen=first_seen,
        last_seen=last_seen,
        source=source,
        note=note,
    )


def indexed_links(record: PageRecord, target: str) -> list[LinkOut]:
    """The live links and mentions of an indexed page to the target, in page order."""
    return [
        LinkOut(
            target_url=link.target_url,
            anchor_text=link.anchor_text,
            link_type=link.link_type,
            rel=list(link.rel),
            kind=link.kind,
        )
        for link in record.links
        if link.lost_at is None and host_in_target(link.target_host, target)
    ]


def row_from_record(record: PageRecord, target: str, note: str | None = None) -> Row | None:
    """The row of an indexed page, with when its links to the target were first and last seen."""
    live = [
        link for link in record.links if link.lost_at is None and host_in_target(link.target_host, target)
    ]
    if not live:
        return None
    return build_row(
        record.url,
        record.host,
        indexed_links(record, target),
        first_seen=min(link.first_seen for link in live),
        last_seen=max(link.last_seen for link in live),
        source="index",
        note=note,
    )


def with_fields(row: Row, **changes: object) -> Row:
    """A copy of a row with some fields changed."""
    return msgspec.structs.replace(row, **changes)


__all__ = ["LinkType", "best_link", "build_row", "indexed_links", "row_from_record", "with_fields"]
