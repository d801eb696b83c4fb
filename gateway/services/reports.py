"""Saving and finding reports: validation of a saved payload, session ownership, the OG image cache."""

import asyncio
import secrets
import time
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import Cookie

from backlinks.errors import InvalidTarget
from backlinks.target import normalize_target
from contracts.reports import ReportSaved, ReportSummary, StoredReport
from contracts.results import CheckResult
from gateway.auth import Caller, api_key
from gateway.errors import ApiError
from gateway.reports.image import render_og_image
from gateway.reports.stats import report_path, summary_of
from gateway.session import current_session, session_or_new
from gateway.state import Services
from storage.reports import ReportStore


@dataclass(frozen=True, slots=True)
class Saved:
    """A saved report's answer, and the session cookie to set when the save started a session."""

    answer: ReportSaved
    cookie: Cookie | None


def reports_of(services: Services) -> ReportStore:
    """The report repository on the gateway's Redis client."""
    return ReportStore(services.client, services.keys)


def validated_payload(domain: str, payload: CheckResult, max_rows: int) -> tuple[str, CheckResult]:
    """The normalised domain and the payload to store; 400 when they disagree or it is too big."""
    target = normalize_target(domain)
    try:
        payload_target = normalize_target(payload.domain)
    except InvalidTarget as exc:
        raise ApiError(400, "invalid_domain", f"payload.domain is not a valid domain: {exc}") from None
    if payload_target != target:
        raise ApiError(400, "domain_mismatch",
                       f"payload.domain {payload.domain!r} is not the report's domain {target!r}")
    if len(payload.results) > max_rows:
        raise ApiError(400, "too_many_rows",
                       f"payload.results has {len(payload.results)} rows; a report holds at most {max_rows}")
    # Diagnostics describe our scan (errors, timings), not the backlinks: a shared report omits them.
    return target, msgspec.structs.replace(payload, domain=target, diagnostics=None, cached=False)


async def save(
    services: Services, request: Request[Any, Any, Any], domain: str, payload: CheckResult, caller: Caller
) -> Saved:
    """Validate, store, and attach the report to the caller's session (started if needed; API-key
    callers have no session: admin keys list every report)."""
    target, clean = validated_payload(domain, payload, services.settings.max_results)
    session, cookie = (None, None) if caller.key is not None else await session_or_new(request, services)
    report = StoredReport(report_id=secrets.token_urlsafe(16), domain=target, payload=clean,
                          saved_at=int(time.time()), session_id=session.session_id if session else None)
    await reports_of(services).save(report, summary_of(report))
    if session is not None:
        await services.sessions.add_report(session.session_id, report.report_id, report.saved_at)
    return Saved(ReportSaved(id=report.report_id, url=report_path(report.report_id)), cookie)


async def visible_summaries(services: Services, request: Request[Any, Any, Any]) -> list[ReportSummary]:
    """The reports the caller may list, newest first: those its session saved (none without one);
    every report for an API key with admin rights (a bad key is a 401)."""
    key = await api_key(request, services)
    if key is not None:
        return await reports_of(services).summaries(await reports_of(services).recent_ids()) if key.admin else []
    session = await current_session(request, services)
    if session is None:
        return []
    return await reports_of(services).summaries(await services.sessions.reports(session.session_id))


async def og_image(services: Services, report_id: str) -> bytes | None:
    """The report's PNG: from the cache, else drawn (off the event loop) and cached; None if unknown."""
    store = reports_of(services)
    cached = await store.image(report_id)
    if cached is not None:
        return cached
    report = await store.get(report_id)
    if report is None:
        return None
    png = await asyncio.to_thread(render_og_image, report)
    await store.put_image(report_id, png)
    return png


def base_url(services: Services, request: Request[Any, Any, Any]) -> str:
    """Absolute origin for links shared elsewhere: `BACKLINKS_PUBLIC_URL`, else the request's own."""
    return (services.settings.public_url or str(request.base_url)).rstrip("/")
