"""The web page for people: `GET /` and `GET /marketing/backlinks` (check, compare, new vs lost).

The page is a shell: its scripts call the JSON API with the session's CSRF token, which the page
embeds (starting a session, and setting its cookie, when the visitor has none).
"""

import hashlib
from functools import cache
from typing import Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency

from gateway.html import CONTENT_SECURITY_POLICY, STATIC_DIR, render_page
from gateway.reports.stats import LINK_TYPES
from gateway.session import session_or_new
from gateway.state import Services

#: The page's own static files, in the order the page loads them.
SCRIPTS = ("app-core.js", "app-table.js", "app-check.js", "app-compare.js", "app-diff.js")
STYLES = ("reports.css", "app.css")
#: Rows per page of the results table.
PAGE_ROWS = 100
MAX_DAYS = 90
#: The pages' policy, plus what this page needs: its scripts call our own JSON API.
APP_CSP = CONTENT_SECURITY_POLICY + "; connect-src 'self'"


@cache
def asset_version() -> str:
    """A short hash of the page's static files: a new deploy gets new URLs past the 1 h cache."""
    digest = hashlib.sha256()
    for name in (*STYLES, *SCRIPTS):
        path = STATIC_DIR / name
        digest.update(path.read_bytes() if path.exists() else name.encode())
    return digest.hexdigest()[:10]


def app_context(csrf: str, query: dict[str, str]) -> dict[str, object]:
    """Template context of `app.html`; `query` pre-fills the check form (`?domain=&deep_scan=1`)."""
    version = asset_version()
    return {
        "title": "Backlink checker",
        "csrf": csrf,
        "styles": [f"/static/{name}?v={version}" for name in STYLES],
        "scripts": [f"/static/{name}?v={version}" for name in SCRIPTS],
        "link_types": [t.value for t in LINK_TYPES],
        "page_rows": PAGE_ROWS,
        "max_days": MAX_DAYS,
        "domain": query.get("domain", "")[:300],
        "deep_scan": query.get("deep_scan", "") in ("1", "true", "on"),
        "include_big": query.get("include_big", "") in ("1", "true", "on"),
    }


class PagesController(Controller):
    """The page people use: one page, three tabs, everything else through the JSON API."""

    tags = ["pages"]

    @get(["/", "/marketing/backlinks"], summary="The web page: check, compare, new vs lost (HTML)",
         media_type=MediaType.HTML)
    async def app(self, request: Request[Any, Any, Any], services: NamedDependency[Services]) -> Response[str]:
        """The page with this session's CSRF token; sets the session cookie when new."""
        session, cookie = await session_or_new(request, services)
        query = {key: str(value) for key, value in request.query_params.items()}
        response = await render_page(request, "app.html", lambda: app_context(session.csrf, query))
        response.headers["Content-Security-Policy"] = APP_CSP
        if cookie is not None:
            response.set_cookie(cookie)
        return response
