"""Compare: `POST /api/v1/backlinks/compare` and `POST /marketing/backlinks-compare-api.php`."""

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from contracts.compare import ComparePending, CompareRequest, CompareResult, CompatCompareRequest
from contracts.enums import JobKind
from gateway.auth import identify
from gateway.body import strict_body
from gateway.controllers.checks import csv_response
from gateway.csvout import compare_csv, wants_csv
from gateway.errors import ApiError
from gateway.openapi import errors
from gateway.services import checks
from gateway.services.compare import compare
from gateway.services.notify import checked_webhook, notify
from gateway.state import Services

PENDING = {202: ResponseSpec(data_container=ComparePending, description="Checks still running; repeat the request")}


class CompareController(Controller):
    """Two domains' referring pages: shared and unique."""

    path = "/api/v1/backlinks"
    tags = ["compare"]

    @post("/compare", status_code=200, summary="Compare two domains (JSON, or CSV with Accept: text/csv)",
          responses={**PENDING, **errors(400, 401, 403, 429, 500)})
    async def compare(
        self, request: Request[Any, Any, Any], data: JSONBody[CompareRequest], services: NamedDependency[Services]
    ) -> Response[Any]:
        """Both checks run in parallel (or come from the cache); waits up to `wait` seconds."""
        caller = await identify(request, services)
        data = await strict_body(request, CompareRequest)
        pa, pb = (checks.params(d, deep_scan=data.deep_scan, include_big=data.include_big, debug=data.debug,
                                refresh=data.refresh) for d in (data.domain_a, data.domain_b))
        webhook = await checked_webhook(data.webhook_url, services.settings)
        result, quota = await compare(services, pa, pb, data.wait, caller)
        if isinstance(result, ComparePending):
            return Response(result, status_code=202, headers=quota.headers())
        headers = quota.headers()
        if webhook:
            headers["X-Backlinks-Webhook-Job"] = await notify(services, JobKind.COMPARE, result, webhook, caller)
        if wants_csv(request.headers.get("accept")):
            return csv_response(compare_csv(result), f"compare-{result.domain_a}-{result.domain_b}.csv", headers)
        return Response(result, headers=headers)


class CompatCompareController(Controller):
    """The original compare path."""

    path = "/marketing"
    tags = ["compatibility"]

    @post("/backlinks-compare-api.php", status_code=200, summary="Compare (original contract)",
          responses=errors(400, 403, 429, 500))
    async def compare(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CompatCompareRequest],
        services: NamedDependency[Services],
    ) -> Response[CompareResult]:
        """Waits up to 60 s like the original and answers 200."""
        caller = await identify(request, services)
        pa, pb = (checks.params(d, deep_scan=data.deep_scan, include_big=data.include_big, debug=data.debug,
                                refresh=False) for d in (data.domain_a, data.domain_b))
        result, quota = await compare(services, pa, pb, services.settings.compat_wait_s, caller)
        if isinstance(result, ComparePending):
            raise ApiError(500, "upstream_timeout", "the checks did not finish in time; repeat the request",
                           headers=quota.headers())
        return Response(result, headers=quota.headers())
