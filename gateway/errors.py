"""API errors and the one place where every error becomes an HTTP answer."""

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from redis.exceptions import ConnectionError as RedisConnectionError

from backlinks.errors import InvalidTarget, InvalidWebhook
from contracts.errors import ErrorBody, ErrorDetail

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answered as `{"error": {status, code, message}}`."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


_CODES = {400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
          429: "rate_limited", 500: "internal_error", 503: "unavailable"}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response[ErrorBody]:
    """The error body as a response."""
    body = ErrorBody(error=ErrorDetail(status=status, code=code, message=message))
    return Response(content=body, status_code=status, headers=headers or {})


def handle_api_error(_: Request, exc: ApiError) -> Response[ErrorBody]:
    return error_response(exc.status, exc.code, exc.message, exc.headers)


def handle_invalid_target(_: Request, exc: InvalidTarget) -> Response[ErrorBody]:
    return error_response(400, "invalid_domain", f"invalid domain: {exc}")


def handle_invalid_webhook(_: Request, exc: InvalidWebhook) -> Response[ErrorBody]:
    return error_response(400, "invalid_webhook", f"invalid webhook_url: {exc}")


def handle_validation(_: Request, exc: ValidationException) -> Response[ErrorBody]:
    details = exc.extra if isinstance(exc.extra, list) else []
    parts = [str(d.get("message", "")) + (f" (at {d['key']})" if d.get("key") else "") for d in details
             if isinstance(d, dict)]
    message = "; ".join(p for p in parts if p) or str(exc.detail)
    return error_response(400, "invalid_request", f"invalid request body: {message}")


def handle_http(_: Request, exc: HTTPException) -> Response[ErrorBody]:
    code = _CODES.get(exc.status_code, "error")
    return error_response(exc.status_code, code, str(exc.detail), dict(exc.headers or {}))


def handle_too_deep(_: Request, exc: RecursionError) -> Response[ErrorBody]:
    return error_response(400, "invalid_request", "invalid request body: JSON nested too deeply")


def handle_redis_down(request: Request, exc: RedisConnectionError) -> Response[ErrorBody]:
    log.error("Redis unreachable on %s %s: %s", request.method, request.url.path, exc)
    return error_response(503, "unavailable", "the service's storage (Redis) is unreachable; try again shortly",
                          {"Retry-After": "5"})


def handle_unexpected(request: Request, exc: Exception) -> Response[ErrorBody]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "internal error; the server log has the details")


EXCEPTION_HANDLERS = {
    ApiError: handle_api_error,
    InvalidTarget: handle_invalid_target,
    InvalidWebhook: handle_invalid_webhook,
    ValidationException: handle_validation,
    HTTPException: handle_http,
    RecursionError: handle_too_deep,
    RedisConnectionError: handle_redis_down,
    Exception: handle_unexpected,
}
