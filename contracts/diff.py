"""New vs lost referring pages between two snapshots (SPEC 3.3)."""

from typing import Annotated

import msgspec

from contracts.snapshots import SnapshotRow

Days = Annotated[int, msgspec.Meta(ge=1, le=90, description="window in days, 1..90")]


class DiffRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /api/v1/backlinks/diff`; unknown fields are rejected."""

    domain: str
    days: Days = 7
    deep_scan: bool = False
    include_big: bool = False
    soft: bool = False
    debug: bool = False
    webhook_url: str | None = None
    csrf: str | None = None


class CompatDiffRequest(msgspec.Struct, frozen=True, kw_only=True):
    """`POST /marketing/backlinks-diff-api.php`; unknown fields are ignored."""

    domain: str = ""
    days: Days = 7
    deep_scan: bool = False
    include_big: bool = False
    soft: bool = False
    debug: bool = False
    csrf: str | None = None


class DiffCounts(msgspec.Struct, frozen=True, kw_only=True):
    """How many pages are new and lost (and unverified: unreachable in the latest deep scan)."""

    new: int = 0
    lost: int = 0
    unverified: int = 0


class DiffDebug(msgspec.Struct, frozen=True, kw_only=True):
    """What the diff looked at, for `debug: true`."""

    snapshots: int
    baseline_id: str | None
    latest_id: str | None


class DiffResult(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a diff."""

    domain: str
    window_days: int
    latest_ts: int | None
    baseline_ts: int | None
    counts: DiffCounts
    new_pages: list[SnapshotRow]
    lost_pages: list[SnapshotRow]
    new_by_domain: dict[str, int]
    lost_by_domain: dict[str, int]
    #: Pages of the baseline a deep scan could not fetch now: neither kept nor lost, to verify.
    unverified_pages: list[SnapshotRow] = []
    note: str | None = None
    diagnostics: DiffDebug | None = None
