"""HTML pages: the Jinja templates, our static files, and the headers every page carries."""

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from litestar import MediaType, Request, Response, Router
from litestar.datastructures import CacheControlHeader
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

_HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = _HERE / "templates"
STATIC_DIR = _HERE / "static"

#: Pages run only our own script and style files: no inline code, nothing from another origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _strict(engine: JinjaTemplateEngine) -> None:
    # A misspelt variable fails loudly instead of rendering as an empty string.
    engine.engine.undefined = StrictUndefined


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja with autoescape on (the engine's default for a directory: keep it)."""
    return TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=_strict)


async def _nosniff(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def static_router() -> Router:
    """`/static/...`: our CSS and JavaScript."""
    return create_static_files_router(
        path="/static", directories=[STATIC_DIR], cache_control=CacheControlHeader(max_age=3600, public=True),
        after_request=_nosniff,
    )


def page_headers(cache: str = "no-store") -> dict[str, str]:
    """Security headers of an HTML page, and its Cache-Control."""
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        # Reports link to many foreign pages: do not tell them which report the reader came from.
        "Referrer-Policy": "no-referrer",
        "Cache-Control": cache,
    }


async def render_page(
    request: Request[Any, Any, Any],
    template: str,
    context: Callable[[], Mapping[str, Any]],
    *,
    status: int = 200,
    cache: str = "no-store",
) -> Response[str]:
    """Build the context and render `template` off the event loop, with the page headers.

    A report may hold 10,000 rows: building and rendering its page takes most of a second, which
    must not stall every other request of the process.
    """
    engine = request.app.template_engine
    if engine is None:  # pragma: no cover - create_app always configures templates
        raise RuntimeError("no template engine configured")

    def render() -> str:
        return str(engine.get_template(template).render(**context()))

    body = await asyncio.to_thread(render)
    return Response(body, status_code=status, media_type=MediaType.HTML, headers=page_headers(cache))
