"""The error body every endpoint answers with."""

import msgspec


class ErrorDetail(msgspec.Struct, frozen=True, kw_only=True):
    """What went wrong: HTTP status, a stable machine code and a message for people."""

    status: int
    code: str
    message: str


class ErrorBody(msgspec.Struct, frozen=True, kw_only=True):
    """`{"error": {...}}`."""

    error: ErrorDetail
