"""New vs lost: `POST /api/v1/backlinks/diff` and `POST /marketing/backlinks-diff-api.php`."""

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from backlinks.target import normalize_target
from contracts.diff import CompatDiffRequest, DiffRequest, DiffResult
from contracts.enums import JobKind
from gateway.auth import identify
from gateway.body import strict_body
from gateway.controllers.checks import csv_response
from gateway.csvout import diff_csv, wants_csv
from gateway.openapi import errors
from gateway.services.diff import diff
from gateway.services.notify import checked_webhook, notify
from gateway.state import Services


class DiffController(Controller):
    """Which referring pages are new and which are lost over a window of days."""

    path = "/api/v1/backlinks"
    tags = ["diff"]

    @post("/diff", status_code=200, summary="New vs lost referring pages (JSON, or CSV with Accept: text/csv)",
          responses=errors(400, 401, 403, 404))
    async def diff(
        self, request: Request[Any, Any, Any], data: JSONBody[DiffRequest], services: NamedDependency[Services]
    ) -> Response[Any]:
        """Latest snapshot against the baseline `days` before it."""
        caller = await identify(request, services)
        data = await strict_body(request, DiffRequest)
        webhook = await checked_webhook(data.webhook_url, services.settings)
        result = await diff(services, normalize_target(data.domain), data.days, data.deep_scan, data.include_big,
                            soft=data.soft, debug=data.debug)
        headers = {}
        if webhook:
            headers["X-Backlinks-Webhook-Job"] = await notify(services, JobKind.DIFF, result, webhook, caller)
        if wants_csv(request.headers.get("accept")):
            return csv_response(diff_csv(result), f"diff-{result.domain}-{data.days}d.csv", headers)
        return Response(result, headers=headers)


class CompatDiffController(Controller):
    """The original diff path."""

    path = "/marketing"
    tags = ["compatibility"]

    @post("/backlinks-diff-api.php", status_code=200, summary="New vs lost (original contract)",
          responses=errors(400, 403, 404))
    async def diff(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CompatDiffRequest],
        services: NamedDependency[Services],
    ) -> DiffResult:
        """Same answer as the v1 path; unknown fields ignored."""
        await identify(request, services)
        return await diff(services, normalize_target(data.domain), data.days, data.deep_scan, data.include_big,
                          soft=data.soft, debug=data.debug)
