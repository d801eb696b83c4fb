"""Strict decoding of v1 request bodies.

Litestar converts bodies leniently (`"7"` becomes 7, `"true"` becomes True). The v1 paths promise
that a wrong type is a 400 naming the field, so their handlers decode the raw body again, strictly;
the handler's `data` parameter still documents the body in OpenAPI.
"""

from typing import Any, TypeVar

import msgspec
from litestar import Request

from gateway.errors import ApiError

T = TypeVar("T")


async def strict_body(request: Request[Any, Any, Any], kind: type[T]) -> T:
    """The body decoded as `kind` with no type coercion; 400 naming the problem otherwise."""
    try:
        return msgspec.json.decode(await request.body(), type=kind, strict=True)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise ApiError(400, "invalid_request", f"invalid request body: {exc}") from None
