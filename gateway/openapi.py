"""Response documentation shared by the controllers (Litestar documents only 2xx/400 itself)."""

from litestar.openapi.datastructures import ResponseSpec

from contracts.errors import ErrorBody
from contracts.jobs import JobAccepted
from contracts.results import CheckResult


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """ResponseSpecs of the error body for the given statuses."""
    text = {
        400: "Invalid request: bad JSON, unknown field, invalid domain or parameter",
        401: "Unknown or revoked API key",
        403: "Missing or invalid CSRF token",
        404: "Not found",
        429: "Rate limit reached; see Retry-After and RateLimit-* headers",
        500: "The scan failed or an upstream fetch error",
        503: "Redis or the broker is unreachable",
    }
    return {s: ResponseSpec(data_container=ErrorBody, description=text[s]) for s in statuses}


ACCEPTED = {202: ResponseSpec(data_container=JobAccepted, description="The job runs; poll `poll_url`")}

CHECKED = {200: ResponseSpec(data_container=CheckResult, description="The check result (from the cache or fresh)")}
