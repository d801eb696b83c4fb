"""The session cookie: finding the caller's session, or starting one."""

from litestar import Request
from litestar.datastructures import Cookie

from backlinks.settings import Settings
from contracts.sessions import Session
from gateway.state import Services

SESSION_COOKIE = "bl_session"


async def current_session(request: Request, services: Services) -> Session | None:
    """The session named by the request's cookie, if it exists."""
    session_id = request.cookies.get(SESSION_COOKIE)
    return await services.sessions.get(session_id) if session_id else None


async def session_or_new(request: Request, services: Services) -> tuple[Session, Cookie | None]:
    """The caller's session; a new one (and the cookie to set) when there is none."""
    session = await current_session(request, services)
    if session is not None:
        return session, None
    session = await services.sessions.create()
    return session, session_cookie(session, services.settings)


def session_cookie(session: Session, settings: Settings) -> Cookie:
    """HttpOnly, SameSite=Lax, Secure when configured."""
    return Cookie(key=SESSION_COOKIE, value=session.session_id, httponly=True, samesite="lax",
                  secure=settings.session_cookie_secure, max_age=settings.session_ttl_s, path="/")
