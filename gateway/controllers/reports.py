"""Reports: the JSON API, the HTML pages and Open Graph image, and the original `.php` paths."""

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from contracts.reports import CompatSaveReport, ReportList, ReportOut, ReportSaved, SaveReport
from gateway.auth import charge, identify
from gateway.errors import ApiError
from gateway.html import render_page
from gateway.openapi import errors
from gateway.reports.view import list_context, report_context
from gateway.services import reports
from gateway.state import Services

_PNG_HEADERS = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}


def _saved(saved: reports.Saved, status: int) -> Response[ReportSaved]:
    return Response(saved.answer, status_code=status, cookies=[saved.cookie] if saved.cookie else None,
                    headers={"Location": saved.answer.url})


async def report_page(services: Services, request: Request[Any, Any, Any], report_id: str) -> Response[str]:
    """The report's page, or the HTML 404 page."""
    report = await reports.reports_of(services).get(report_id)
    if report is None:
        return await render_page(request, "report_missing.html", lambda: {"title": "Report not found"}, status=404)
    base = reports.base_url(services, request)
    # A report never changes once saved.
    return await render_page(request, "report.html", lambda: report_context(report, base),
                             cache="public, max-age=3600")


async def list_page(services: Services, request: Request[Any, Any, Any]) -> Response[str]:
    """The caller's reports as an HTML list."""
    summaries = await reports.visible_summaries(services, request)
    return await render_page(request, "reports.html", lambda: list_context(summaries), cache="private, no-store")


async def og_png(services: Services, report_id: str) -> Response[bytes]:
    """The Open Graph PNG; 404 error body when unknown."""
    png = await reports.og_image(services, report_id)
    if png is None:
        raise ApiError(404, "report_not_found", f"no report {report_id!r}")
    return Response(png, media_type="image/png", headers=_PNG_HEADERS)


class ReportsApiController(Controller):
    """Saved reports as JSON."""

    path = "/api/v1/reports"
    tags = ["reports"]

    @post("/", status_code=201, summary="Save a check result as a shareable report", responses=errors(400, 401, 403))
    async def save(
        self, request: Request[Any, Any, Any], data: JSONBody[SaveReport], services: NamedDependency[Services]
    ) -> Response[ReportSaved]:
        """Store `payload` (a check result of `domain`); answer its id and page URL."""
        caller = await identify(request, services)
        reports.validated_payload(data.domain, data.payload, services.settings.max_results)  # 400 before charging
        quota = await charge(services, caller, 1, what="reports", limit=services.settings.reports_per_hour)
        saved = _saved(await reports.save(services, request, data.domain, data.payload, caller), 201)
        saved.headers.update(quota.headers())
        return saved

    @get("/", summary="Reports saved from this session")
    async def list(self, request: Request[Any, Any, Any], services: NamedDependency[Services]) -> ReportList:
        """Newest first; empty without a session."""
        return ReportList(reports=await reports.visible_summaries(services, request))

    @get("/{report_id:str}", summary="A saved report", responses=errors(404))
    async def report(self, report_id: FromPath[str], services: NamedDependency[Services]) -> ReportOut:
        """The stored check result with its id, domain and save time."""
        report = await reports.reports_of(services).get(report_id)
        if report is None:
            raise ApiError(404, "report_not_found", f"no report {report_id!r}")
        return ReportOut(report_id=report.report_id, domain=report.domain, payload=report.payload,
                         saved_at=report.saved_at)


class ReportPagesController(Controller):
    """Saved reports for people: HTML pages and the Open Graph image."""

    path = "/reports"
    tags = ["reports"]

    @get("/", summary="Reports saved from this session (HTML)", media_type="text/html")
    async def list(self, request: Request[Any, Any, Any], services: NamedDependency[Services]) -> Response[str]:
        """The list page."""
        return await list_page(services, request)

    @get("/{report_id:str}", summary="A saved report (HTML)", media_type="text/html")
    async def report(
        self, request: Request[Any, Any, Any], report_id: FromPath[str], services: NamedDependency[Services]
    ) -> Response[str]:
        """The report page; an HTML 404 page when unknown."""
        return await report_page(services, request, report_id)

    @get("/{report_id:str}/og.png", summary="A report's Open Graph image (1200x630 PNG)", media_type="image/png",
         responses=errors(404))
    async def og_image(self, report_id: FromPath[str], services: NamedDependency[Services]) -> Response[bytes]:
        """Drawn once, then served from Redis."""
        return await og_png(services, report_id)


class CompatReportsController(Controller):
    """The original report paths: same bodies, unknown fields ignored, 200 answers."""

    path = "/marketing"
    tags = ["compatibility"]

    @post("/backlinks-report-save.php", status_code=200, summary="Save a report (original contract)",
          responses=errors(400, 403))
    async def save(
        self, request: Request[Any, Any, Any], data: JSONBody[CompatSaveReport], services: NamedDependency[Services]
    ) -> Response[ReportSaved]:
        """Like `POST /api/v1/reports`, answering 200."""
        caller = await identify(request, services)
        reports.validated_payload(data.domain, data.payload, services.settings.max_results)  # 400 before charging
        quota = await charge(services, caller, 1, what="reports", limit=services.settings.reports_per_hour)
        saved = _saved(await reports.save(services, request, data.domain, data.payload, caller), 200)
        saved.headers.update(quota.headers())
        return saved

    @get("/backlinks-report.php", summary="A saved report (original contract, HTML)", media_type="text/html")
    async def report(
        self, request: Request[Any, Any, Any], id: FromQuery[str], services: NamedDependency[Services]
    ) -> Response[str]:
        """Same page as `/reports/{id}`."""
        return await report_page(services, request, id)

    @get("/backlinks-reports.php", summary="Reports saved from this session (original contract)")
    async def list(self, request: Request[Any, Any, Any], services: NamedDependency[Services]) -> Any:
        """HTML for a browser (Accept: text/html), else the JSON list."""
        if "text/html" in request.headers.get("accept", ""):
            return await list_page(services, request)
        return ReportList(reports=await reports.visible_summaries(services, request))

    @get("/og-backlinks.php", summary="A report's Open Graph image (original contract)", media_type="image/png",
         responses=errors(404))
    async def og_image(self, id: FromQuery[str], services: NamedDependency[Services]) -> Response[bytes]:
        """Same image as `/reports/{id}/og.png`."""
        return await og_png(services, id)
