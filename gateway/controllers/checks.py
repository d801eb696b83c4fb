"""Checks: `POST /api/v1/backlinks/check` and the original `POST /marketing/backlinks-api.php`."""

from litestar import Controller, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from contracts.jobs import JobAccepted
from contracts.requests import CheckRequest, CompatCheckRequest
from contracts.results import CheckResult
from gateway.errors import ApiError
from gateway.openapi import ACCEPTED, errors
from gateway.services import checks
from gateway.state import Services


class ChecksController(Controller):
    """Backlink checks of one domain."""

    path = "/api/v1/backlinks"
    tags = ["checks"]

    @post(
        "/check",
        status_code=200,
        summary="Check the backlinks of a domain",
        responses={**ACCEPTED, **errors(400, 401, 403, 429, 500)},
    )
    async def check(
        self, data: JSONBody[CheckRequest], services: NamedDependency[Services]
    ) -> Response[CheckResult | JobAccepted]:
        """Answer from the cache, or run a check job and wait up to `wait` seconds for it."""
        p = checks.params(data.domain, deep_scan=data.deep_scan, include_big=data.include_big,
                          debug=data.debug, refresh=data.refresh, webhook_url=data.webhook_url)
        wait_s = checks.check_wait(data.wait, services.settings.max_wait_s)
        outcome = await checks.submit(services, p, wait_s)
        if outcome.result is not None:
            return Response(outcome.result, status_code=200)
        assert outcome.accepted is not None
        return Response(outcome.accepted, status_code=202)


class CompatChecksController(Controller):
    """The original API's check path: waits for the result like the original did."""

    path = "/marketing"
    tags = ["compatibility"]

    @post(
        "/backlinks-api.php",
        status_code=200,
        summary="Check (original contract)",
        responses=errors(400, 403, 429, 500),
    )
    async def check(
        self, services: NamedDependency[Services], data: JSONBody[CompatCheckRequest]
    ) -> CheckResult:
        """The original check: unknown fields ignored, waits up to 60 s, answers 200."""
        p = checks.params(data.domain, deep_scan=data.deep_scan, include_big=data.include_big,
                          debug=data.debug, refresh=data.refresh)
        outcome = await checks.submit(services, p, services.settings.compat_wait_s)
        if outcome.result is None:
            job = outcome.accepted.job_id if outcome.accepted else "?"
            raise ApiError(500, "upstream_timeout",
                           f"the scan did not finish in time; poll /api/v1/jobs/{job} for its result")
        return outcome.result
