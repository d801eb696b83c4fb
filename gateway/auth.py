"""Who is calling: an API key, a browser session (with its CSRF token), or a cookie-less client IP.

A request carrying the session cookie must carry the session's CSRF token (header `X-CSRF-Token`
or JSON body field `csrf`), compared in constant time, else 403. A request without the cookie
cannot be forged across sites (the browser would not attach credentials), needs no token, and is
limited per client IP. `Authorization: Bearer <key>` needs no token and has its own quota.
"""

import hmac
import ipaddress
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from backlinks.settings import Settings
from contracts.keys import ApiKey
from contracts.sessions import Session
from gateway.errors import ApiError
from gateway.session import SESSION_COOKIE
from gateway.state import Services
from storage.limits import Quota


@dataclass(frozen=True, slots=True)
class Caller:
    """The identity a request is counted and authorised as."""

    kind: str
    ident: str
    limit: int
    key: ApiKey | None = None
    session: Session | None = None

    @property
    def quota_name(self) -> str:
        """The counter this caller is limited by."""
        return f"{self.kind}:{self.ident}"

    @property
    def is_admin(self) -> bool:
        """An API key with admin rights."""
        return self.key is not None and self.key.admin


class _CsrfField(msgspec.Struct):
    csrf: str | None = None


async def body_csrf(request: Request[Any, Any, Any]) -> str | None:
    """The `csrf` field of a JSON object body, if any."""
    try:
        raw = await request.body()
        return msgspec.json.decode(raw, type=_CsrfField).csrf if raw else None
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


async def api_key(request: Request[Any, Any, Any], services: Services) -> ApiKey | None:
    """The API key of `Authorization: Bearer <key>`; None without the header; 401 for a bad one."""
    auth = request.headers.get("authorization")
    if not auth:
        return None
    scheme, _, secret = auth.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "unauthorized", "Authorization must be 'Bearer <API key>'")
    key = await services.apikeys.find(secret.strip())
    if key is None:
        raise ApiError(401, "invalid_api_key", "unknown or revoked API key")
    return key


UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class IdentifyUnsafeRequests(ASGIMiddleware):
    """Every unsafe request is authenticated (and CSRF-checked) before its body is even parsed,
    so a forged request is a 403 whatever it carries.

    A middleware rather than a Litestar guard: Litestar copies the route handler for every guard
    call, which cost a cached answer a seventh of its time. Litestar runs it for matched routes
    only, inside the exception handlers (so an unknown path stays a 404, errors keep our body).
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") in UNSAFE:
            await identify(Request(scope, receive, send), scope["litestar_app"].state.services)
        await next_app(scope, receive, send)


async def identify(request: Request[Any, Any, Any], services: Services) -> Caller:
    """Authenticate the caller of an unsafe request (401 bad key, 403 bad or missing CSRF token).

    The answer is kept on the request, so the guard and the handler share one look-up.
    """
    known = request.state.get("caller")
    if isinstance(known, Caller):
        return known
    caller = await _identify(request, services)
    request.state["caller"] = caller
    return caller


async def _identify(request: Request[Any, Any, Any], services: Services) -> Caller:
    settings = services.settings
    key = await api_key(request, services)
    if key is not None:
        return Caller("key", key.key_id, key.hourly_quota, key=key)
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id is not None:
        session = await services.sessions.get(session_id)
        token = request.headers.get("x-csrf-token") or await body_csrf(request)
        if session is None:
            raise ApiError(403, "invalid_csrf", "the session has expired: GET /api/v1/csrf for a new one")
        if not token or not hmac.compare_digest(token.encode(), session.csrf.encode()):
            raise ApiError(403, "invalid_csrf", "missing or invalid CSRF token (header X-CSRF-Token or field csrf)")
        return Caller("session", session.session_id, settings.session_checks_per_hour, session=session)
    return Caller("ip", client_ip(request, settings), settings.ip_checks_per_hour)


def client_ip(request: Request[Any, Any, Any], settings: Settings) -> str:
    """The socket's peer, or the nearest X-Forwarded-For hop outside the trusted proxies."""
    peer = request.client.host if request.client else "unknown"
    if not settings.trusted_proxies or not _trusted(peer, settings.trusted_proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, settings.trusted_proxies):
            return hop
    return hops[0] if hops else peer


def _trusted(address: str, nets: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in nets)


async def charge(services: Services, caller: Caller, cost: int, *, what: str = "checks",
                 limit: int | None = None) -> Quota:
    """Count `cost` units of `what` against the caller's hourly quota; 429 with the headers when over."""
    name = caller.quota_name if what == "checks" else f"{what}:{caller.quota_name}"
    limit = caller.limit if limit is None else limit
    if cost <= 0:
        return await services.limiter.peek(name, limit)
    quota = await services.limiter.charge(name, cost, limit)
    if not quota.allowed:
        minutes = max(1, round(quota.reset_s / 60))
        raise ApiError(429, "rate_limited", f"limit of {limit} {what} per hour reached; try again in {minutes} min",
                       headers=quota.headers())
    return quota
