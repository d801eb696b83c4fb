"""Request bodies of the v1 API and of the compatibility paths."""

import msgspec


class CheckRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /api/v1/backlinks/check`; unknown fields are rejected."""

    domain: str
    deep_scan: bool = False
    include_big: bool = False
    debug: bool = False
    refresh: bool = False
    webhook_url: str | None = None
    wait: float = 0
    csrf: str | None = None


class CompatCheckRequest(msgspec.Struct, frozen=True, kw_only=True):
    """`POST /marketing/backlinks-api.php`; unknown fields are ignored like the original did."""

    domain: str
    deep_scan: bool = False
    include_big: bool = False
    debug: bool = False
    refresh: bool = False
    csrf: str | None = None
