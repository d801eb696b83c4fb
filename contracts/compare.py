"""Compare two domains' link profiles (SPEC 3.2)."""

from typing import Annotated

import msgspec

from contracts.jobs import JobAccepted
from contracts.results import Diagnostics, Row

Wait = Annotated[float, msgspec.Meta(ge=0, le=60)]


class CompareRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /api/v1/backlinks/compare`; unknown fields are rejected."""

    domain_a: str
    domain_b: str
    deep_scan: bool = False
    include_big: bool = False
    debug: bool = False
    refresh: bool = False
    wait: Wait = 60
    webhook_url: str | None = None
    csrf: str | None = None


class CompatCompareRequest(msgspec.Struct, frozen=True, kw_only=True):
    """`POST /marketing/backlinks-compare-api.php`; unknown fields are ignored."""

    domain_a: str = ""
    domain_b: str = ""
    deep_scan: bool = False
    include_big: bool = False
    debug: bool = False
    csrf: str | None = None


class OverlapRow(Row, frozen=True, kw_only=True):
    """A page linking to both: A's row at the top level, B's row under `b`."""

    b: Row | None = None


class CompareCounts(msgspec.Struct, frozen=True, kw_only=True):
    """How many referring pages (and domains) are shared and unique."""

    overlap: int
    unique_a: int
    unique_b: int
    overlap_domains: int
    unique_a_domains: int
    unique_b_domains: int


class CompareResult(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a compare."""

    domain_a: str
    domain_b: str
    overlap: list[OverlapRow]
    unique_a: list[Row]
    unique_b: list[Row]
    #: Referring domains linking to both, with how many of their pages do.
    overlap_domains: dict[str, int]
    counts: CompareCounts
    diagnostics: dict[str, Diagnostics] | None = None
    cached: bool = False
    scanned_at: int = 0


class ComparePending(msgspec.Struct, frozen=True, kw_only=True):
    """202: one or both checks still run; repeat the request (finished checks answer from cache)."""

    status: str
    jobs: list[JobAccepted]
    note: str
