"""Submitting a check: cache, shared in-flight job, publish, optional wait."""

import time
import uuid
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

import msgspec

from backlinks.target import normalize_target
from contracts.enums import JobKind, JobStatus
from contracts.jobs import Job, JobAccepted, ScanMessage
from contracts.results import CheckResult
from gateway.auth import Caller, charge
from gateway.errors import ApiError
from gateway.state import Services
from storage.limits import Quota
from workers.broker import SCAN_ACTOR, SCAN_QUEUE


@dataclass(frozen=True, slots=True)
class CheckParams:
    """A validated check request."""

    domain: str
    deep_scan: bool
    include_big: bool
    debug: bool
    refresh: bool
    webhook_url: str | None = None


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """A result (200) or a job still running (202), and the caller's quota after it."""

    result: CheckResult | None = None
    accepted: JobAccepted | None = None
    quota: Quota | None = None

    def headers(self) -> dict[str, str]:
        """RateLimit-* headers for the answer."""
        return self.quota.headers() if self.quota else {}


@lru_cache(maxsize=4096)
def _normalized(domain: str) -> str:
    # normalize_target is pure and costs ~35 us (IDNA, public suffix): a cache hit should not pay
    # it on every request. Invalid names raise, and exceptions are never cached.
    return normalize_target(domain)


def params(domain: str, *, deep_scan: bool, include_big: bool, debug: bool, refresh: bool,
           webhook_url: str | None = None) -> CheckParams:
    """Validate what every check path shares (the target above all)."""
    # Over-long names (refused anyway) stay out of the memo.
    target = _normalized(domain) if len(domain) <= 300 else normalize_target(domain)
    return CheckParams(target, deep_scan, include_big, debug, refresh, webhook_url)


def check_wait(wait: float, max_wait_s: float) -> float:
    """`wait` must be within 0..max seconds."""
    if not 0 <= wait <= max_wait_s:
        raise ApiError(400, "invalid_request", f"wait must be between 0 and {max_wait_s:g} seconds, got {wait:g}")
    return wait


def answer(result: CheckResult, *, cached: bool, debug: bool) -> CheckResult:
    """The result as a requester sees it: `cached` set, diagnostics only when asked for."""
    return msgspec.structs.replace(result, cached=cached, diagnostics=result.diagnostics if debug else None)


async def cached_result(services: Services, p: CheckParams) -> CheckResult | None:
    """The cached answer for these parameters (None with `refresh`)."""
    if p.refresh:
        return None
    cached = await services.checks.cached(p.domain, p.deep_scan, p.include_big, diagnostics=p.debug)
    return answer(cached, cached=True, debug=p.debug) if cached is not None else None


class CachedAnswer(NamedTuple):
    """A cache hit served as stored: the JSON bytes and the caller's quota (unchanged: hits are free)."""

    body: bytes
    quota: Quota


async def cached_answer(services: Services, p: CheckParams, caller: Caller) -> CachedAnswer | None:
    """The fast path of a plain repeated check: the stored answer's bytes as they are (no decoding,
    no re-encoding) and the caller's quota, read in one round trip; None when there is no hit or
    the request needs more (`refresh`, or `debug` with its diagnostics)."""
    if p.refresh or p.debug:
        return None
    counter, until_reset = services.limiter.counter(caller.quota_name)
    raw, counted = await services.checks.cached_answer(p.domain, p.deep_scan, p.include_big, also=counter)
    if not raw:
        return None
    return CachedAnswer(raw, services.limiter.standing(counted, caller.limit, until_reset))


async def submit(services: Services, p: CheckParams, wait_s: float, caller: Caller | None) -> CheckOutcome:
    """Answer from the cache (free), or charge the caller one check, join/start the job and wait
    up to `wait_s` for it. `caller=None`: already charged (compare charges both sides at once)."""
    cached = await cached_result(services, p)
    if cached is not None:
        quota = await charge(services, caller, 0) if caller else None
        return CheckOutcome(result=cached, quota=quota)
    quota = await charge(services, caller, 1) if caller else None
    job_id = await _join_or_start(services, p, caller.key.key_id if caller and caller.key else None)
    job = await services.jobs.wait(job_id, wait_s) if wait_s > 0 else await services.jobs.get(job_id)
    outcome = outcome_of(job, job_id, p.debug)
    if p.debug and outcome.result is not None and outcome.result.diagnostics is None:
        outcome = replace(outcome, result=await _with_diagnostics(services, p, outcome.result))
    return replace(outcome, quota=quota)


async def _with_diagnostics(services: Services, p: CheckParams, result: CheckResult) -> CheckResult:
    """A `debug` request that joined a job started without `debug`: the diagnostics of that same
    run, which the cache keeps beside the answer."""
    stored = await services.checks.cached(p.domain, p.deep_scan, p.include_big, diagnostics=True)
    if stored is None or stored.scanned_at != result.scanned_at:
        return result
    return msgspec.structs.replace(result, diagnostics=stored.diagnostics)


def outcome_of(job: Job | None, job_id: str, debug: bool) -> CheckOutcome:
    """200 with the result, 202 while running; a failed scan is a 500 naming the reason."""
    if job is None:
        raise ApiError(500, "job_lost", f"job {job_id} expired before it finished")
    if job.status == JobStatus.FAILED:
        raise ApiError(500, "upstream_error", job.error or "the scan failed")
    if job.status == JobStatus.DONE and job.result is not None:
        return CheckOutcome(result=answer(job.result, cached=False, debug=debug))
    return CheckOutcome(accepted=JobAccepted(job_id=job_id, status=job.status, poll_url=f"/api/v1/jobs/{job_id}"))


async def _join_or_start(services: Services, p: CheckParams, key_id: str | None) -> str:
    job_id = uuid.uuid4().hex
    for _ in range(3):
        running = await services.checks.claim(p.domain, p.deep_scan, p.include_big, job_id)
        if running is None:
            break
        job = await services.jobs.get(running)
        if job is not None and job.status not in (JobStatus.DONE, JobStatus.FAILED):
            return running
        # A stale marker (its job finished or expired): drop it and claim again.
        await services.checks.release(p.domain, p.deep_scan, p.include_big, running)
    await services.jobs.create(Job(job_id=job_id, kind=JobKind.CHECK, created_at=time.time()))
    message = ScanMessage(job_id=job_id, domain=p.domain, deep_scan=p.deep_scan, include_big=p.include_big,
                          debug=p.debug, refresh=p.refresh, webhook_url=p.webhook_url, key_id=key_id)
    await services.publish(SCAN_QUEUE, SCAN_ACTOR, message)
    return job_id
