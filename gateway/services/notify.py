"""Webhooks for answers the gateway computes itself (compare, diff): a finished job to deliver."""

import asyncio
import time
import uuid

import msgspec

from backlinks.settings import Settings
from contracts.enums import JobKind, JobStatus
from contracts.jobs import Job
from contracts.keys import WebhookState
from gateway.auth import Caller
from gateway.state import Services
from workers.broker import WEBHOOK_ACTOR, WEBHOOK_QUEUE
from workers.webhook_url import validate_webhook_url
from workers.webhooks import WebhookMessage


async def checked_webhook(url: str | None, settings: Settings) -> str | None:
    """The webhook URL validated (400 invalid_webhook otherwise); DNS off the event loop."""
    return await asyncio.to_thread(validate_webhook_url, url, settings) if url else None


async def notify(services: Services, kind: JobKind, answer: msgspec.Struct, url: str, caller: Caller) -> str:
    """Store the answer as a finished job and hand its delivery to the workers; the job id."""
    now = time.time()
    job = Job(job_id=uuid.uuid4().hex, kind=kind, status=JobStatus.DONE, created_at=now, finished_at=now,
              answer=msgspec.Raw(msgspec.json.encode(answer)), webhook=WebhookState(url=url))
    await services.jobs.save(job)
    message = WebhookMessage(job_id=job.job_id, url=url, key_id=caller.key.key_id if caller.key else None)
    await services.publish(WEBHOOK_QUEUE, WEBHOOK_ACTOR, message)
    return job.job_id
