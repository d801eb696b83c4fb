"""Dramatiq actors: decode the message, run the pipeline, persist through storage/."""

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import dramatiq
import msgspec
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import Interrupt
from dramatiq.middleware.time_limit import TimeLimitExceeded

from backlinks.settings import Settings
from contracts.enums import JobStatus
from contracts.jobs import IngestMessage, IngestStats, Progress, ScanMessage
from contracts.keys import WebhookState
from storage.checks import CheckStore
from storage.client import async_client
from storage.jobs import JobStore
from storage.keys import Keys
from storage.snapshots import SnapshotStore
from workers.archives import ArchiveError
from workers.broker import (
    INGEST_ACTOR,
    INGEST_GAVE_UP_ACTOR,
    INGEST_QUEUE,
    SCAN_ACTOR,
    SCAN_GAVE_UP_ACTOR,
    SCAN_QUEUE,
    WEBHOOK_ACTOR,
    WEBHOOK_QUEUE,
)
from workers.ingest import run_ingest
from workers.scan import run_scan
from workers.webhooks import SendWebhook, WebhookMessage, start_delivery, webhook_job, webhook_sender

log = logging.getLogger(__name__)


def time_limit_reason(limit_s: int) -> str:
    """What a job stopped by its time limit says."""
    return f"stopped at the time limit of {limit_s} s"


def reason_of(exc: BaseException, limit_s: int) -> str:
    """A job's failure in words people can read."""
    if isinstance(exc, TimeLimitExceeded):
        return time_limit_reason(limit_s)
    return str(exc) or type(exc).__name__


class Stores:
    """The repositories one job uses, on a client of the job's own event loop."""

    def __init__(self, settings: Settings, redis_url: str) -> None:
        self.client = async_client(redis_url)
        keys = Keys(settings.namespace)
        self.jobs = JobStore(self.client, keys, settings.job_ttl_s)
        self.checks = CheckStore(
            self.client,
            keys,
            result_ttl_s=settings.result_cache_ttl_s,
            job_ttl_s=settings.job_ttl_s,
            snapshot_keep_s=settings.snapshot_keep_s,
        )
        self.snapshots = SnapshotStore(self.client, keys, settings.snapshot_keep_s)


async def scan_job(
    settings: Settings, redis_url: str, message: ScanMessage, *, webhooks: SendWebhook | None = None
) -> None:
    """Run a check job to its end: done with a result, or failed with a reason.

    Errors of the scan fail the job (retrying would give the same answer); a worker that dies
    mid-job leaves the message unacknowledged, and the broker hands it to another worker, which
    starts the job over: nothing is stored before the single atomic finish. A finished job with a
    `webhook_url` gets its first delivery enqueued through `webhooks`.
    """
    stores = Stores(settings, redis_url)
    try:
        job = await stores.jobs.start(message.job_id)
        if job is None:
            log.info("job %s is finished or expired; nothing to do", message.job_id)
            return

        async def progress(done: int, total: int) -> None:
            # Kept for the finished job: all `total` pages are done then, whatever order the
            # crew's racing progress writes reached Redis in.
            job.progress = Progress(done=total, total=total)
            await stores.jobs.set_progress(message.job_id, done, total)

        try:
            result = await run_scan(settings, stores.client, message, progress)
        except (Exception, Interrupt) as exc:
            log.exception("check %s of %s failed", message.job_id, message.domain)
            await _fail_scan(stores, message, reason_of(exc, settings.scan_time_limit_s), webhooks)
            return
        if message.webhook_url:
            job.webhook = WebhookState(url=message.webhook_url)
        await stores.checks.finish(job, result, debug=message.debug)
        await start_delivery(stores.jobs, message, webhooks)
        await stores.snapshots.thin(message.domain, message.deep_scan, message.include_big, result.scanned_at)
    finally:
        await stores.client.aclose()


async def scan_ended_badly(settings: Settings, redis_url: str, message: ScanMessage, reason: str, *,
                           webhooks: SendWebhook | None = None) -> None:
    """A check that ended outside its own error handling (every attempt raised, or the time limit
    struck in the event loop): failed for good with `reason`, its claim released so the next
    identical check starts afresh, its webhook told. A job already finished is left as it is."""
    stores = Stores(settings, redis_url)
    try:
        job = await stores.jobs.get(message.job_id)
        if job is not None and job.status not in (JobStatus.DONE, JobStatus.FAILED):
            await _fail_scan(stores, message, reason, webhooks)
    finally:
        await stores.client.aclose()


async def _fail_scan(stores: Stores, message: ScanMessage, reason: str, webhooks: SendWebhook | None) -> None:
    """The check failed with `reason`: its claim released, its webhook told."""
    await stores.jobs.fail(message.job_id, f"scan failed: {reason}")
    await stores.checks.release(message.domain, message.deep_scan, message.include_big, message.job_id)
    await start_delivery(stores.jobs, message, webhooks)


async def ingest_ended_badly(settings: Settings, redis_url: str, message: IngestMessage, reason: str) -> None:
    """An ingest that ended outside its own error handling: failed for good with `reason` (pages
    written before stay)."""
    stores = Stores(settings, redis_url)
    try:
        job = await stores.jobs.get(message.job_id)
        if job is not None and job.status not in (JobStatus.DONE, JobStatus.FAILED):
            await stores.jobs.fail(message.job_id, f"ingest failed: {reason}")
    finally:
        await stores.client.aclose()


async def ingest_job(settings: Settings, redis_url: str, message: IngestMessage) -> None:
    """Run an ingest job; a bad archive fails the job with the reader's message, no retry."""
    stores = Stores(settings, redis_url)
    try:
        job = await stores.jobs.start(message.job_id)
        if job is None:
            return

        async def report(stats: IngestStats) -> None:
            current = await stores.jobs.get(message.job_id)
            if current is not None and current.status == JobStatus.RUNNING:
                current.ingest = stats
                current.progress.done = stats.pages
                await stores.jobs.save(current)

        try:
            stats = await run_ingest(settings, stores.client, message.source, report)
        except ArchiveError as exc:
            await _finish_ingest(stores, message.job_id, None, f"ingest failed: {exc}")
            return
        except (Exception, Interrupt) as exc:
            await stores.jobs.fail(message.job_id, f"ingest failed: {reason_of(exc, settings.ingest_time_limit_s)}")
            log.exception("ingest %s of %s failed", message.job_id, message.source)
            return
        await _finish_ingest(stores, message.job_id, stats, None)
    finally:
        await stores.client.aclose()


async def _finish_ingest(stores: Stores, job_id: str, stats: IngestStats | None, error: str | None) -> None:
    job = await stores.jobs.get(job_id)
    if job is None:
        return
    job.status = JobStatus.FAILED if error else JobStatus.DONE
    job.error = error
    if stats is not None:
        job.ingest = stats
        job.progress.done = job.progress.total = stats.pages
    job.finished_at = time.time()
    await stores.jobs.save(job)


def register_actors(broker: RedisBroker, settings: Settings, redis_url: str) -> dict[str, dramatiq.Actor[Any, Any]]:
    """Declare the actors on this broker (explicitly, never on a global default broker)."""

    def runner(kind: type[msgspec.Struct], job: Callable[..., Any], ended_badly: Callable[..., Any] | None = None,
               limit_s: int = 0) -> Callable[[dict[str, Any]], None]:
        def run(payload: dict[str, Any]) -> None:
            message = msgspec.convert(payload, kind)
            try:
                asyncio.run(job(settings, redis_url, message))
            except TimeLimitExceeded:
                # The limit struck in the event loop, outside the job's own handler: fail the job
                # here; the actor `throws` it, so it is not retried (a retry would hit it again).
                if ended_badly is not None:
                    asyncio.run(ended_badly(settings, redis_url, message, time_limit_reason(limit_s)))
                raise

        return run

    def gave_up(kind: type[msgspec.Struct], job: Callable[..., Any]) -> Callable[[dict[str, Any], dict[str, Any]], Any]:
        # Dramatiq sends the failed message (as a dict) and its retry counts once retries run out.
        def run(failed: dict[str, Any], retries: dict[str, Any]) -> None:
            payload = msgspec.convert(failed["args"][0], kind)
            attempts = int(retries.get("retries", 0)) + 1
            asyncio.run(job(settings, redis_url, payload, f"gave up after {attempts} attempts"))

        return run

    send_webhook = webhook_sender(broker)
    scan_ended = functools.partial(scan_ended_badly, webhooks=send_webhook)
    dramatiq.actor(broker=broker, actor_name=SCAN_GAVE_UP_ACTOR, queue_name=SCAN_QUEUE, max_retries=5)(
        gave_up(ScanMessage, scan_ended))
    dramatiq.actor(broker=broker, actor_name=INGEST_GAVE_UP_ACTOR, queue_name=INGEST_QUEUE, max_retries=5)(
        gave_up(IngestMessage, ingest_ended_badly))
    scan = dramatiq.actor(
        broker=broker,
        actor_name=SCAN_ACTOR,
        queue_name=SCAN_QUEUE,
        max_retries=2,
        min_backoff=1000,
        max_backoff=10_000,
        time_limit=settings.scan_time_limit_s * 1000,
        on_retry_exhausted=SCAN_GAVE_UP_ACTOR,
        throws=(TimeLimitExceeded,),
    )(runner(ScanMessage, functools.partial(scan_job, webhooks=send_webhook), scan_ended, settings.scan_time_limit_s))
    ingest = dramatiq.actor(
        broker=broker,
        actor_name=INGEST_ACTOR,
        queue_name=INGEST_QUEUE,
        max_retries=2,
        min_backoff=1000,
        max_backoff=30_000,
        time_limit=settings.ingest_time_limit_s * 1000,
        on_retry_exhausted=INGEST_GAVE_UP_ACTOR,
        throws=(TimeLimitExceeded,),
    )(runner(IngestMessage, ingest_job, ingest_ended_badly, settings.ingest_time_limit_s))
    # One attempt per message: HTTP failures re-enqueue themselves with back-off (workers.webhooks);
    # Dramatiq's own retries only cover errors of ours (Redis trouble).
    webhook = dramatiq.actor(
        broker=broker,
        actor_name=WEBHOOK_ACTOR,
        queue_name=WEBHOOK_QUEUE,
        max_retries=3,
        min_backoff=1000,
        max_backoff=60_000,
        time_limit=int((settings.webhook_timeout_s + 60) * 1000),
    )(runner(WebhookMessage, functools.partial(webhook_job, send=send_webhook)))
    return {SCAN_ACTOR: scan, INGEST_ACTOR: ingest, WEBHOOK_ACTOR: webhook}
