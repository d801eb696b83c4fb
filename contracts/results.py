"""Check results: one row per referring page."""

import msgspec

from contracts.enums import LinkType
from contracts.links import LinkOut


class Row(msgspec.Struct, frozen=True, kw_only=True):
    """One referring page; its best link gives the top-level fields."""

    referring_url: str
    anchor_text: str | None
    link_type: LinkType
    score: int | None = None
    target_url: str | None = None
    referring_domain: str = ""
    rel: list[str] = []
    link_count: int = 0
    links: list[LinkOut] = []
    first_seen: int | None = None
    last_seen: int | None = None
    #: Why the row is as it is when that is not obvious (e.g. "verify: fetch failed: HTTP 500").
    note: str | None = None
    #: Where the row came from: "index", "live" (deep-scan fetch) or a source name.
    source: str = "index"


class Diagnostics(msgspec.Struct, kw_only=True):
    """What a scan did, for `debug: true`."""

    sources: list[str] = []
    candidates: int = 0
    pages_fetched: int = 0
    cache_hits: int = 0
    robots_refusals: int = 0
    errors: list[str] = []
    events: list[str] = []
    timings_ms: dict[str, float] = {}


class CheckResult(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a check (SPEC 3.1)."""

    domain: str
    results: list[Row]
    note: str | None = None
    diagnostics: Diagnostics | None = None
    cached: bool = False
    scanned_at: int = 0
    deep_scan: bool = False
    include_big: bool = False
