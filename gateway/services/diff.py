"""New vs lost: the latest snapshot of a domain + flags against a baseline `days` earlier."""

from collections import Counter

from contracts.diff import DiffCounts, DiffDebug, DiffResult
from contracts.snapshots import Snapshot, SnapshotRow
from gateway.errors import ApiError
from gateway.services.compare import page_key
from gateway.state import Services

DAY_S = 86_400


def choose(ids: list[tuple[str, int]], days: int) -> tuple[str | None, str | None]:
    """(baseline id, latest id): the baseline is the newest snapshot at or before
    `latest - days`, or else the oldest one inside the window."""
    if not ids:
        return None, None
    latest_id, latest_ts = ids[-1]
    if len(ids) == 1:
        return None, latest_id
    cutoff = latest_ts - days * DAY_S
    older = [sid for sid, ts in ids[:-1] if ts <= cutoff]
    return (older[-1] if older else ids[0][0]), latest_id


def diff_snapshots(baseline: Snapshot, latest: Snapshot, days: int) -> DiffResult:
    """Pages present now and not then (new), then and not now (lost); unreachable ones apart."""
    before = {page_key(r.referring_url): r for r in baseline.rows}
    now = {page_key(r.referring_url): r for r in latest.rows}
    new = [r for k, r in now.items() if k not in before]
    lost = [r for k, r in before.items() if k not in now]
    unverified = [r for k, r in now.items() if r.unverified and k in before]
    return DiffResult(
        domain=latest.domain,
        window_days=days,
        latest_ts=latest.taken_at,
        baseline_ts=baseline.taken_at,
        counts=DiffCounts(new=len(new), lost=len(lost), unverified=len(unverified)),
        new_pages=new,
        lost_pages=lost,
        new_by_domain=_by_domain(new),
        lost_by_domain=_by_domain(lost),
        unverified_pages=unverified,
        note=_note(new, lost, unverified),
    )


def _by_domain(rows: list[SnapshotRow]) -> dict[str, int]:
    return dict(Counter(r.referring_domain for r in rows).most_common())


def _note(new: list[SnapshotRow], lost: list[SnapshotRow], unverified: list[SnapshotRow]) -> str | None:
    if unverified:
        return (f"{len(unverified)} page(s) could not be fetched in the latest deep scan: "
                "they are unverified, neither kept nor lost")
    if not new and not lost:
        return "no change between the two snapshots"
    return None


async def diff(services: Services, domain: str, days: int, deep_scan: bool, include_big: bool,
               *, soft: bool, debug: bool) -> DiffResult:
    """The diff, or 404 when the domain + flags have no snapshot (200 with a note when `soft`)."""
    ids = await services.snapshots.ids(domain, deep_scan, include_big)
    baseline_id, latest_id = choose(ids, days)
    debug_info = DiffDebug(snapshots=len(ids), baseline_id=baseline_id, latest_id=latest_id) if debug else None
    if latest_id is None:
        note = (f"no snapshot of {domain} with deep_scan={deep_scan}, include_big={include_big} yet: "
                "run a check first (every completed check stores one)")
        if not soft:
            raise ApiError(404, "no_snapshots", note)
        return _empty(domain, days, None, note, debug_info)
    latest = await services.snapshots.get(latest_id)
    if latest is None:
        raise ApiError(404, "no_snapshots", f"the latest snapshot of {domain} expired")
    if baseline_id is None:
        return _empty(domain, days, latest.taken_at, "only one snapshot so far: nothing to compare it with yet",
                      debug_info)
    baseline = await services.snapshots.get(baseline_id)
    if baseline is None:
        return _empty(domain, days, latest.taken_at, "the baseline snapshot expired", debug_info)
    result = diff_snapshots(baseline, latest, days)
    return DiffResult(**{f: getattr(result, f) for f in DiffResult.__struct_fields__ if f != "diagnostics"},
                      diagnostics=debug_info)


def _empty(domain: str, days: int, latest_ts: int | None, note: str, debug: DiffDebug | None) -> DiffResult:
    return DiffResult(domain=domain, window_days=days, latest_ts=latest_ts, baseline_ts=None, counts=DiffCounts(),
                      new_pages=[], lost_pages=[], new_by_domain={}, lost_by_domain={}, note=note, diagnostics=debug)
