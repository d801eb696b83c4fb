"""Checks: `POST /api/v1/backlinks/check`, its CSV, and the original `POST /marketing/backlinks-api.php`."""

import asyncio
from dataclasses import replace
from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, JSONBody

from contracts.jobs import JobAccepted
from contracts.requests import CheckRequest, CompatCheckRequest
from gateway.auth import identify
from gateway.body import strict_body
from gateway.csvout import check_csv, wants_csv
from gateway.errors import ApiError
from gateway.openapi import ACCEPTED, CHECKED, errors
from gateway.services import checks
from gateway.state import Services
from workers.webhook_url import validate_webhook_url

CSV_RESPONSE = {200: ResponseSpec(data_container=str, media_type="text/csv", description="RFC 4180 CSV")}


def csv_response(text: str, filename: str, headers: dict[str, str] | None = None) -> Response[str]:
    """A CSV download."""
    return Response(text, media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', **(headers or {})})


def json_response(body: bytes, headers: dict[str, str]) -> Response[Any]:
    """JSON bytes served as they are (a cached answer is stored in its final form)."""
    return Response(body, media_type=MediaType.JSON, headers=headers)


class ChecksController(Controller):
    """Backlink checks of one domain."""

    path = "/api/v1"
    tags = ["checks"]

    @post(
        "/backlinks/check",
        status_code=200,
        summary="Check the backlinks of a domain (JSON, or CSV with Accept: text/csv)",
        responses={**CHECKED, **ACCEPTED, **errors(400, 401, 403, 429, 500)},
    )
    async def check(
        self, request: Request[Any, Any, Any], data: JSONBody[CheckRequest], services: NamedDependency[Services]
    ) -> Response[Any]:
        """Answer from the cache, or run a check job and wait up to `wait` seconds for it."""
        caller = await identify(request, services)
        data = await strict_body(request, CheckRequest)
        p = checks.params(data.domain, deep_scan=data.deep_scan, include_big=data.include_big,
                          debug=data.debug, refresh=data.refresh, webhook_url=data.webhook_url)
        wait_s = checks.check_wait(data.wait, services.settings.max_wait_s)
        if p.webhook_url:
            p = replace(p, webhook_url=await asyncio.to_thread(validate_webhook_url, p.webhook_url, services.settings))
        csv = wants_csv(request.headers.get("accept"))
        if not csv and (hit := await checks.cached_answer(services, p, caller)) is not None:
            return json_response(hit.body, hit.quota.headers())
        outcome = await checks.submit(services, p, wait_s, caller)
        if outcome.result is not None:
            if csv:
                return csv_response(check_csv(outcome.result), f"backlinks-{p.domain}.csv", outcome.headers())
            return Response(outcome.result, status_code=200, headers=outcome.headers())
        assert outcome.accepted is not None
        return Response(outcome.accepted, status_code=202, headers=outcome.headers())

    @get(
        "/backlinks.csv",
        summary="The cached check result as CSV",
        responses={**CSV_RESPONSE, **errors(400, 404)},
    )
    async def csv(
        self,
        services: NamedDependency[Services],
        domain: FromQuery[str],
        deep_scan: FromQuery[bool] = False,
        include_big: FromQuery[bool] = False,
    ) -> Response[str]:
        """CSV of the cached result of domain + flags; 404 with a hint when there is none."""
        p = checks.params(domain, deep_scan=deep_scan, include_big=include_big, debug=False, refresh=False)
        cached = await services.checks.cached(p.domain, p.deep_scan, p.include_big)
        if cached is None:
            raise ApiError(404, "not_cached",
                           f"no recent result for {p.domain} (deep_scan={deep_scan}, include_big={include_big}): "
                           "run POST /api/v1/backlinks/check first, then fetch the CSV")
        return csv_response(check_csv(cached), f"backlinks-{p.domain}.csv")


class CompatChecksController(Controller):
    """The original API's check path: waits for the result like the original did."""

    path = "/marketing"
    tags = ["compatibility"]

    @post(
        "/backlinks-api.php",
        status_code=200,
        summary="Check (original contract)",
        responses={**CHECKED, **errors(400, 403, 429, 500)},
    )
    async def check(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        data: JSONBody[CompatCheckRequest],
    ) -> Response[Any]:
        """The original check: unknown fields ignored, waits up to 60 s, answers 200."""
        caller = await identify(request, services)
        p = checks.params(data.domain, deep_scan=data.deep_scan, include_big=data.include_big,
                          debug=data.debug, refresh=data.refresh)
        if (hit := await checks.cached_answer(services, p, caller)) is not None:
            return json_response(hit.body, hit.quota.headers())
        outcome = await checks.submit(services, p, services.settings.compat_wait_s, caller)
        if outcome.result is None:
            job = outcome.accepted.job_id if outcome.accepted else "?"
            raise ApiError(500, "upstream_timeout",
                           f"the scan did not finish in time; poll /api/v1/jobs/{job} for its result",
                           headers=outcome.headers())
        return Response(outcome.result, headers=outcome.headers())


__all__ = ["ChecksController", "CompatChecksController", "JobAccepted", "csv_response"]
