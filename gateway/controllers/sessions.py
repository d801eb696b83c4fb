"""`GET /api/v1/csrf`: the session's CSRF token (starting the session when there is none)."""

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency

from gateway.session import session_or_new
from gateway.state import Services


class CsrfToken(msgspec.Struct, frozen=True, kw_only=True):
    """The token to send as `X-CSRF-Token` header or `csrf` body field with the session cookie."""

    csrf: str


class SessionsController(Controller):
    """Browser sessions."""

    path = "/api/v1"
    tags = ["sessions"]

    @get("/csrf", summary="The session's CSRF token; sets the session cookie when new")
    async def csrf(self, request: Request[Any, Any, Any], services: NamedDependency[Services]) -> Response[CsrfToken]:
        """The token; the `bl_session` cookie (HttpOnly, SameSite=Lax) comes with a new session."""
        session, cookie = await session_or_new(request, services)
        return Response(CsrfToken(csrf=session.csrf), cookies=[cookie] if cookie else [],
                        headers={"Cache-Control": "no-store"})
