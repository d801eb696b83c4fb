"""`create_app()`: the Litestar application with its lifespan-owned clients."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from backlinks import __version__
from backlinks.settings import Settings
from gateway.auth import IdentifyUnsafeRequests
from gateway.controllers.checks import ChecksController, CompatChecksController
from gateway.controllers.compare import CompareController, CompatCompareController
from gateway.controllers.diff import CompatDiffController, DiffController
from gateway.controllers.health import HealthController
from gateway.controllers.jobs import JobsController
from gateway.controllers.pages import PagesController
from gateway.controllers.reports import CompatReportsController, ReportPagesController, ReportsApiController
from gateway.controllers.sessions import SessionsController
from gateway.errors import EXCEPTION_HANDLERS
from gateway.html import static_router, template_config
from gateway.state import Services


def provide_services(state: State) -> Services:
    """The process's Services (created by the lifespan)."""
    services: Services = state.services
    return services


def create_app(settings: Settings, redis_url: str) -> Litestar:
    """The gateway application for these settings and this Redis."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.services = Services.open(settings, redis_url)
        try:
            yield
        finally:
            await app.state.services.close()

    return Litestar(
        route_handlers=[ChecksController, CompatChecksController, CompareController, CompatCompareController,
                        DiffController, CompatDiffController, JobsController, HealthController, SessionsController,
                        ReportsApiController, ReportPagesController, CompatReportsController, PagesController,
                        static_router()],
        dependencies={"services": Provide(provide_services, sync_to_thread=False)},
        middleware=[IdentifyUnsafeRequests()],
        # Logging is the process's business (CLI flags), not the app's: no root handler at INFO.
        logging_config=None,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(title="Backlinks", version=__version__, path="/schema"),
        request_max_body_size=settings.max_body_bytes,
        template_config=template_config(),
    )
