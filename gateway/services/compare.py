"""Compare: both checks as jobs in parallel (or from the cache), then overlap and unique sets."""

import asyncio
import time
from collections import Counter

from w3lib.url import canonicalize_url

from contracts.compare import CompareCounts, ComparePending, CompareResult, OverlapRow
from contracts.jobs import JobAccepted
from contracts.results import CheckResult, Diagnostics, Row
from gateway.auth import Caller, charge
from gateway.errors import ApiError
from gateway.services.checks import CheckOutcome, CheckParams, cached_result, outcome_of, submit
from gateway.state import Services
from storage.limits import Quota


def page_key(url: str) -> str:
    """The referring URL as both sides key it: canonical form, fragment dropped."""
    try:
        return canonicalize_url(url, keep_fragments=False)
    except ValueError:
        return url


def compare_results(a: CheckResult, b: CheckResult, *, debug: bool) -> CompareResult:
    """Overlap (pages linking to both), unique to A, unique to B; referring-domain counts."""
    rows_b = {page_key(row.referring_url): row for row in b.results}
    keys_a = {page_key(row.referring_url) for row in a.results}
    overlap = [
        OverlapRow(**{f: getattr(row, f) for f in Row.__struct_fields__}, b=rows_b[page_key(row.referring_url)])
        for row in a.results
        if page_key(row.referring_url) in rows_b
    ]
    unique_a = [row for row in a.results if page_key(row.referring_url) not in rows_b]
    unique_b = [row for row in b.results if page_key(row.referring_url) not in keys_a]
    domains_a = {row.referring_domain for row in a.results}
    domains_b = {row.referring_domain for row in b.results}
    both = domains_a & domains_b
    return CompareResult(
        domain_a=a.domain,
        domain_b=b.domain,
        overlap=overlap,
        unique_a=unique_a,
        unique_b=unique_b,
        overlap_domains=dict(sorted(Counter(row.referring_domain for row in overlap).items())),
        counts=CompareCounts(
            overlap=len(overlap),
            unique_a=len(unique_a),
            unique_b=len(unique_b),
            overlap_domains=len(both),
            unique_a_domains=len(domains_a - both),
            unique_b_domains=len(domains_b - both),
        ),
        diagnostics=_diagnostics(a, b) if debug else None,
        cached=a.cached and b.cached,
        scanned_at=min(a.scanned_at, b.scanned_at),
    )


def _diagnostics(a: CheckResult, b: CheckResult) -> dict[str, Diagnostics] | None:
    found = {r.domain: r.diagnostics for r in (a, b) if r.diagnostics is not None}
    return found or None


async def compare(
    services: Services, pa: CheckParams, pb: CheckParams, wait_s: float, caller: Caller
) -> tuple[CompareResult | ComparePending, Quota]:
    """Run (or join, or read from cache) both checks at once and wait up to `wait_s` for both."""
    if pa.domain == pb.domain:
        raise ApiError(400, "same_domain", f"domain_a and domain_b are both {pa.domain}; compare two different domains")
    started = time.monotonic()
    # One charge for both sides (cached ones free), so a compare is admitted or refused whole.
    uncached = [await cached_result(services, p) is None for p in (pa, pb)]
    quota = await charge(services, caller, sum(uncached))
    first = await asyncio.gather(submit(services, pa, 0, None), submit(services, pb, 0, None))
    pairs = zip(first, (pa, pb), strict=True)
    outcomes = await asyncio.gather(*(_finish(services, o, p, wait_s, started) for o, p in pairs))
    if outcomes[0].result is not None and outcomes[1].result is not None:
        return compare_results(outcomes[0].result, outcomes[1].result, debug=pa.debug), quota
    pending = [o.accepted for o in outcomes if o.accepted is not None]
    return ComparePending(status="running", jobs=pending,
                          note="one or both checks are still running; repeat this request to get the comparison"), quota


async def _finish(
    services: Services, outcome: CheckOutcome, p: CheckParams, wait_s: float, started: float
) -> CheckOutcome:
    if outcome.result is not None or outcome.accepted is None:
        return outcome
    remaining = max(0.0, wait_s - (time.monotonic() - started))
    job = await services.jobs.wait(outcome.accepted.job_id, remaining)
    return outcome_of(job, outcome.accepted.job_id, p.debug)


__all__ = ["JobAccepted", "compare", "compare_results", "page_key"]
