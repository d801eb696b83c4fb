"""Signed webhooks: a finished job is POSTed to its `webhook_url`, retried with back-off.

Data flow:

1. `scan_job` finishes a job whose message has a `webhook_url`: the job records
   `webhook = WebhookState(url)` and `start_delivery` enqueues `WebhookMessage(attempt=1)` on the
   `webhooks` queue;
2. the `webhook` actor runs `webhook_job`: ONE POST of the job (as `GET /api/v1/jobs/{id}` shows
   it) through the same guarded session as page fetches, no redirects followed, signed with the
   API key's `webhook_secret` or the server's secret;
3. the attempt is recorded on the job; a network error, 429 or 5xx enqueues the next attempt
   `backoff_ms` later, up to `webhook_max_attempts`; a 2xx, any other status, a refused address
   or a missing secret ends delivery (`finished`).

Delivery is at least once (a worker dying mid-attempt repeats it): receivers dedupe on
`X-Backlinks-Job`.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import msgspec
import redis.asyncio as aioredis
from dramatiq.brokers.redis import RedisBroker

from backlinks.settings import Settings
from contracts.jobs import Job, ScanMessage
from contracts.keys import WebhookState
from storage.apikeys import ApiKeyStore
from storage.client import async_client
from storage.jobs import JobStore
from storage.keys import Keys
from workers.broker import WEBHOOK_ACTOR, WEBHOOK_QUEUE, publish
from workers.fetch.errors import AddressRefused, BadURL, FetchConfigError, FetchError, map_client_error
from workers.fetch.guard import AddressPolicy
from workers.fetch.resolve import OverrideResolver
from workers.fetch.session import open_session, ssl_context
from workers.webhook_signing import server_secret, server_secret_sync, sign, verify
from workers.webhook_url import validate_webhook_url

log = logging.getLogger(__name__)

#: Delays double from `webhook_base_delay_ms` up to this many times it.
MAX_DELAY_FACTOR = 60


class WebhookMessage(msgspec.Struct, frozen=True, kw_only=True):
    """What the `webhook` actor gets: one delivery attempt of one job."""

    job_id: str
    url: str
    #: The API key whose secret signs; None: the server's secret.
    key_id: str | None = None
    #: 1 for the first attempt; a redelivered message whose attempt is already recorded is skipped.
    attempt: int = 1


#: Enqueues a delivery attempt, after a delay in ms (None: now). Blocking.
SendWebhook = Callable[[WebhookMessage, int | None], None]


def webhook_sender(broker: RedisBroker) -> SendWebhook:
    """A `SendWebhook` publishing on this broker's `webhooks` queue."""

    def send(message: WebhookMessage, delay_ms: int | None) -> None:
        publish(broker, WEBHOOK_QUEUE, WEBHOOK_ACTOR, message, delay_ms=delay_ms)

    return send


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt gave: the status answered, or why there was none; whether to try again."""

    status: int | None
    error: str | None
    retry: bool

    @property
    def delivered(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300


def retryable_status(status: int) -> bool:
    """429 and 5xx are worth another try; any other non-2xx answer will not change."""
    return status == 429 or status >= 500


def outcome_of_status(status: int) -> Outcome:
    """The outcome of an attempt the receiver answered."""
    if 200 <= status < 300:
        return Outcome(status, None, retry=False)
    if 300 <= status < 400:
        return Outcome(status, f"HTTP {status}: redirects are not followed", retry=False)
    return Outcome(status, f"HTTP {status}", retry=retryable_status(status))


def backoff_ms(settings: Settings, attempt: int) -> int:
    """Wait after failed attempt number `attempt` (1-based) before the next one."""
    base = settings.webhook_base_delay_ms
    return int(min(base * 2 ** (attempt - 1), base * MAX_DELAY_FACTOR))


def delivery_headers(
    settings: Settings, secret: str, job_id: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """The headers of one delivery, its signature over a fresh timestamp included."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        "Content-Type": "application/json",
        "Accept": "*/*",
        "User-Agent": settings.fetch_user_agent,
        "X-Backlinks-Timestamp": timestamp,
        "X-Backlinks-Signature": sign(secret, timestamp, body),
        "X-Backlinks-Job": job_id,
    }


async def post_once(settings: Settings, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """One POST through the guarded session (allow-list, resolve and connect-to rules); never raises."""
    try:
        resolver = OverrideResolver(settings.fetch_resolve, settings.fetch_connect_to)
        guard = AddressPolicy(settings.fetch_allow_nets)
        tls = ssl_context(settings.fetch_ca_bundle)
    except FetchConfigError as exc:
        return Outcome(None, f"configuration error: {exc}", retry=False)
    session = open_session(settings, resolver, guard, tls)
    try:
        async with session.post(
            url,
            data=body,
            headers=headers,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=settings.webhook_timeout_s),
        ) as response:
            return outcome_of_status(response.status)
    except (FetchError, aiohttp.ClientError, OSError, TimeoutError) as exc:
        error = map_client_error(exc)
        # A refused address is a policy answer, not a network hiccup: asking again changes nothing.
        return Outcome(None, str(error), retry=not isinstance(error, AddressRefused | BadURL))
    finally:
        await session.close()
        await resolver.close()


async def signing_secret(client: aioredis.Redis, keys: Keys, settings: Settings, key_id: str | None) -> str | None:
    """The API key's webhook secret, or the server's when no key asked; None: the key has none."""
    if key_id is None:
        return await server_secret(client, keys, settings)
    key = await ApiKeyStore(client, keys).by_id(key_id)
    return key.webhook_secret if key is not None and key.webhook_secret else None


async def start_delivery(jobs: JobStore, message: ScanMessage, send: SendWebhook | None) -> None:
    """After a scan job finished (done or failed): mark its delivery pending, enqueue attempt 1."""
    if not message.webhook_url or send is None:
        return
    job = await jobs.get(message.job_id)
    if job is None:
        return
    if job.webhook is None:
        job.webhook = WebhookState(url=message.webhook_url)
        await jobs.save(job)
    first = WebhookMessage(job_id=message.job_id, url=message.webhook_url, key_id=message.key_id)
    await asyncio.to_thread(send, first, None)


async def webhook_job(settings: Settings, redis_url: str, message: WebhookMessage, *, send: SendWebhook) -> None:
    """The `webhook` actor: one attempt, recorded on the job; the next one enqueued if worth it."""
    client = async_client(redis_url)
    keys = Keys(settings.namespace)
    jobs = JobStore(client, keys, settings.job_ttl_s)
    try:
        job = await jobs.get(message.job_id)
        if job is None:
            log.warning("webhook of job %s not sent: the job expired", message.job_id)
            return
        state = job.webhook or WebhookState(url=message.url)
        if state.finished or state.attempts >= message.attempt:
            # A redelivered message (a worker died after recording it): the chain must go on.
            if not state.finished and state.attempts == message.attempt:
                await _send_next(settings, message, send)
            return
        job.webhook = state
        outcome = await _attempt(settings, client, keys, job, message)
        state.attempts = message.attempt
        state.last_status = outcome.status
        state.last_error = outcome.error
        if outcome.delivered:
            state.delivered_at = time.time()
        state.finished = not outcome.retry or message.attempt >= settings.webhook_max_attempts
        await jobs.save(job)
        log.info("webhook of job %s, attempt %d: %s", job.job_id, message.attempt,
                 outcome.status if outcome.error is None else outcome.error)
        if not state.finished:
            await _send_next(settings, message, send)
        elif outcome.retry:
            log.warning("webhook of job %s given up after %d attempts: %s", job.job_id, message.attempt, outcome.error)
    finally:
        await client.aclose()


async def _attempt(
    settings: Settings, client: aioredis.Redis, keys: Keys, job: Job, message: WebhookMessage
) -> Outcome:
    secret = await signing_secret(client, keys, settings, message.key_id)
    if secret is None:
        return Outcome(None, f"API key {message.key_id} is gone or has no webhook secret", retry=False)
    body = msgspec.json.encode(job)
    return await post_once(settings, message.url, body, delivery_headers(settings, secret, job.job_id, body))


async def _send_next(settings: Settings, message: WebhookMessage, send: SendWebhook) -> None:
    following = msgspec.structs.replace(message, attempt=message.attempt + 1)
    await asyncio.to_thread(send, following, backoff_ms(settings, message.attempt))


__all__ = [
    "Outcome",
    "SendWebhook",
    "WebhookMessage",
    "backoff_ms",
    "post_once",
    "server_secret",
    "server_secret_sync",
    "sign",
    "start_delivery",
    "validate_webhook_url",
    "verify",
    "webhook_job",
    "webhook_sender",
]
