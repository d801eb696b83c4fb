"""Loss recovery: the links libxml2 dropped, read from the raw markup and put back in order."""

import logging
from bisect import bisect_left

from contracts.enums import LinkKind
from workers.extract.harvest import Harvest
from workers.extract.rawscan import RawScan

log = logging.getLogger(__name__)


def _align(tree: Harvest, raw: Harvest) -> tuple[dict[int, int], int]:
    """Pair the tree's a/area tags with the markup's by (tag, href), greedily in order.

    Returns {raw anchor index: tree found index (-1 when the tree skips it)} and the offset in
    the markup after which nothing was matched (where the tree's loss begins).
    """
    positions: dict[str, list[int]] = {}
    for index, (_, key, _) in enumerate(raw.anchors):
        positions.setdefault(key, []).append(index)
    matched: dict[int, int] = {}
    cursor = 0
    for tree_found, key, _ in tree.anchors:
        candidates = positions.get(key, ())
        at = bisect_left(candidates, cursor)
        if at < len(candidates):
            matched[candidates[at]] = tree_found
            cursor = candidates[at] + 1
    lost_from = raw.anchors[cursor - 1][2] if cursor else 0
    return matched, lost_from


def recover(tree: Harvest, markup: str, warnings: list[str]) -> Harvest:
    """Put back, in document order, the links the tree lost; the tree stays authoritative."""
    raw = RawScan(markup).run()
    matched, lost_from = _align(tree, raw)
    anchor_of = {found: index for index, (found, _, _) in enumerate(raw.anchors) if found != -1}
    tree_known = {(f.kind, f.href) for f in tree.found if f.kind is not LinkKind.ANCHOR}
    nofollow_at = tree.nofollow_at
    if nofollow_at is None and raw.nofollow_at is not None and raw.nofollow_at >= lost_from:
        nofollow_at = raw.nofollow_at
    merged = Harvest(base=tree.base or raw.base, nofollow_at=nofollow_at)
    taken = recovered = 0
    for raw_index, found in enumerate(raw.found):
        anchor = anchor_of.get(raw_index)
        if anchor is not None and anchor in matched:
            upto = matched[anchor]
            if upto >= taken:
                merged.found.extend(tree.found[taken : upto + 1])
                taken = upto + 1
        elif anchor is not None or (
            found.offset >= lost_from and (found.kind, found.href) not in tree_known
        ):
            merged.found.append(found)
            recovered += 1
    merged.found.extend(tree.found[taken:])
    merged.texts = tree.texts + [text for text in raw.texts if text[2] >= lost_from]
    if recovered:
        warnings.append(
            "libxml2 dropped part of the page (nesting limit, content after </html>, truncated "
            f"tree): {recovered} link(s) recovered from the raw markup"
        )
        log.info("recovered %d link(s) that libxml2 dropped", recovered)
    return merged
