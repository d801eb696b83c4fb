"""Webhook pieces without a broker: signatures, back-off, which URLs are refused, one POST."""

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import redis
import redis.asyncio as aioredis
from aiohttp import web

from backlinks.errors import InvalidWebhook
from backlinks.settings import Settings
from contracts.enums import JobKind, JobStatus
from contracts.jobs import Job
from storage.jobs import JobStore
from storage.keys import Keys
from workers.webhooks import (
    WebhookMessage,
    backoff_ms,
    post_once,
    server_secret,
    server_secret_sync,
    sign,
    validate_webhook_url,
    verify,
    webhook_job,
)
from workers.webhooks import outcome_of_status as outcome

SECRET = "whsec-test"
BODY = b'{"job_id":"abc"}'
# HMAC-SHA256("whsec-test", b'1700000000.{"job_id":"abc"}'), computed independently.
EXPECTED = "sha256=5531e85e4831cc8a7e508c1cd8f4b9c06f7d9ae0af98f9775ba6ae756657c9ee"


def test_the_signature_is_the_hex_hmac_of_timestamp_dot_body() -> None:
    assert sign(SECRET, "1700000000", BODY) == EXPECTED


def test_a_fresh_correct_signature_verifies() -> None:
    assert verify(SECRET, "1700000000", BODY, EXPECTED, now=1_700_000_100)


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "signature", "now"),
    [
        ("other-secret", "1700000000", BODY, EXPECTED, 1_700_000_000),
        (SECRET, "1700000000", BODY + b" ", EXPECTED, 1_700_000_000),
        (SECRET, "1700000001", BODY, EXPECTED, 1_700_000_000),
        (SECRET, "1700000000", BODY, EXPECTED.removeprefix("sha256="), 1_700_000_000),
        (SECRET, "1700000000", BODY, EXPECTED, 1_700_000_301),
        (SECRET, "1700000000", BODY, EXPECTED, 1_699_999_699),
        (SECRET, "not-a-number", BODY, EXPECTED, 1_700_000_000),
    ],
    ids=["wrong-secret", "changed-body", "changed-timestamp", "no-prefix", "stale", "from-the-future", "bad-ts"],
)
def test_a_wrong_or_stale_signature_does_not_verify(
    secret: str, timestamp: str, body: bytes, signature: str, now: float
) -> None:
    assert not verify(secret, timestamp, body, signature, now=now)


def test_the_default_back_off_spreads_eight_attempts_over_about_an_hour() -> None:
    settings = Settings()
    delays = [backoff_ms(settings, n) / 1000 for n in range(1, settings.webhook_max_attempts)]
    assert settings.webhook_max_attempts == 8
    assert delays == [30, 60, 120, 240, 480, 960, 1800]
    assert 3600 <= sum(delays) <= 3700
    assert backoff_ms(settings, 20) == 1_800_000  # capped at 30 min


@pytest.mark.parametrize(
    ("status", "delivered", "retry"),
    [(200, True, False), (204, True, False), (500, False, True), (503, False, True), (429, False, True),
     (400, False, False), (404, False, False), (410, False, False), (302, False, False)],
)
def test_only_429_and_5xx_answers_are_retried(status: int, delivered: bool, retry: bool) -> None:
    assert (outcome(status).delivered, outcome(status).retry) == (delivered, retry)


# validate_webhook_url


def _settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8123/hook", "refused loopback address 127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "refused link-local address 169.254.169.254"),
        ("http://[::ffff:127.0.0.1]/", "refused loopback address ::ffff:7f00:1"),
        ("http://[::1]:8080/", "refused loopback address ::1"),
        ("http://10.1.2.3/", "refused private address 10.1.2.3"),
        ("http://0.0.0.0/", "refused unspecified address 0.0.0.0"),
        ("http://100.64.0.1/", "refused non-public address 100.64.0.1"),
        ("http://2130706433/", "2130706433 (resolves to 127.0.0.1) is not a public address: refused loopback"),
        ("ftp://files.example.com/hook", "must be an http or https URL, not ftp"),
        ("hooks.example.com/x", "must be an http or https URL, not scheme-less"),
        ("http://user:pw@hooks.example.com/", "must not carry a user name or password"),
        ("https://token@hooks.example.com/", "must not carry a user name or password"),
        ("http:///path-only", "has no host"),
        ("http://[fe80::1%25eth0]/", "percent-escapes or an IPv6 zone"),
        ("http://hooks.example.com:99999/", "not a valid URL"),
        ("   ", "is empty"),
    ],
)
def test_unusable_webhook_urls_are_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(InvalidWebhook) as caught:
        validate_webhook_url(url, _settings(), dns_timeout_s=1)
    assert reason in str(caught.value)


def test_a_name_resolving_to_a_private_address_is_refused() -> None:
    settings = _settings(fetch_resolve=["hooks.intranet.test:443:10.0.0.1"])
    with pytest.raises(InvalidWebhook) as caught:
        validate_webhook_url("https://hooks.intranet.test/receive", settings)
    assert str(caught.value) == (
        "webhook_url host hooks.intranet.test (resolves to 10.0.0.1) is not a public address: "
        "refused private address 10.0.0.1"
    )


def test_a_connect_to_rule_pointing_at_loopback_is_refused() -> None:
    settings = _settings(fetch_connect_to=["hooks.example.com:80:127.0.0.1:9000"])
    with pytest.raises(InvalidWebhook) as caught:
        validate_webhook_url("http://hooks.example.com/", settings)
    assert str(caught.value) == (
        "webhook_url host hooks.example.com (resolves to 127.0.0.1) is not a public address: "
        "refused loopback address 127.0.0.1"
    )


def test_an_allow_listed_loopback_receiver_is_accepted() -> None:
    settings = _settings(fetch_allow_nets=["127.0.0.0/8"])
    assert validate_webhook_url(" http://127.0.0.1:8123/hook ", settings) == "http://127.0.0.1:8123/hook"


@pytest.mark.parametrize(
    ("url", "rules"),
    [
        ("https://93.184.215.14/hook?x=1", []),
        ("https://hooks.example.com/hook", ["hooks.example.com:443:93.184.215.14"]),
        ("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/", []),
    ],
)
def test_public_addresses_are_accepted(url: str, rules: list[str]) -> None:
    assert validate_webhook_url(url, _settings(fetch_resolve=rules)) == url


def test_a_name_that_does_not_resolve_is_accepted() -> None:
    url = "https://no-such-host.invalid/hook"
    assert validate_webhook_url(url, _settings(), dns_timeout_s=1) == url


# the server's secret


async def test_a_configured_server_secret_wins(settings: Settings) -> None:
    client = aioredis.Redis.from_url(settings.redis_url)
    try:
        fixed = Settings(namespace=settings.namespace, webhook_secret="from-env")
        assert await server_secret(client, Keys(settings.namespace), fixed) == "from-env"
        assert await client.get(Keys(settings.namespace).server_secret()) is None
    finally:
        await client.aclose()


async def test_the_random_server_secret_is_made_once_and_shared(settings: Settings, sync_redis: redis.Redis) -> None:
    keys = Keys(settings.namespace)
    client = aioredis.Redis.from_url(settings.redis_url)
    try:
        first = await server_secret(client, keys, settings)
        again = await server_secret(client, keys, settings)
    finally:
        await client.aclose()
    assert len(first) >= 40
    assert first == again == server_secret_sync(sync_redis, keys, settings)
    assert sync_redis.get(keys.server_secret()) == first.encode()
    assert sync_redis.ttl(keys.server_secret()) == -1  # kept: a secret that changed would break receivers


# one POST


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[web.Request]]]:
    """A loopback server: /ok 200, /moved 302 to /ok, /slow answers after 0.8 s; records requests."""
    seen: list[web.Request] = []

    async def handle(request: web.Request) -> web.StreamResponse:
        seen.append(request)
        if request.path == "/moved":
            return web.Response(status=302, headers={"Location": "/ok"})
        if request.path == "/slow":
            await asyncio.sleep(0.8)
        if request.path == "/error":
            return web.Response(status=503)
        return web.Response(text="thanks")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


LOOPBACK = _settings(fetch_allow_nets=["127.0.0.0/8"], webhook_timeout_s=0.3)


async def test_a_redirect_is_not_followed(receiver: tuple[str, list[web.Request]]) -> None:
    base, seen = receiver
    result = await post_once(LOOPBACK, f"{base}/moved", b"{}", {})
    assert (result.status, result.retry, result.error) == (302, False, "HTTP 302: redirects are not followed")
    assert [r.path for r in seen] == ["/moved"]


async def test_the_post_carries_the_body_and_headers(receiver: tuple[str, list[web.Request]]) -> None:
    base, seen = receiver
    result = await post_once(LOOPBACK, f"{base}/ok", b'{"a":1}', {"X-Backlinks-Job": "j1"})
    assert result.delivered
    assert seen[0].method == "POST"
    assert seen[0].headers["X-Backlinks-Job"] == "j1"
    assert seen[0].headers["User-Agent"] == LOOPBACK.fetch_user_agent


async def test_a_private_address_is_refused_at_connect_time_and_not_retried(
    receiver: tuple[str, list[web.Request]],
) -> None:
    base, seen = receiver
    result = await post_once(_settings(), f"{base}/ok", b"{}", {})
    assert (result.status, result.retry, result.error) == (None, False, "refused loopback address 127.0.0.1")
    assert seen == []


async def test_a_timeout_is_retried(receiver: tuple[str, list[web.Request]]) -> None:
    base, _ = receiver
    result = await post_once(LOOPBACK, f"{base}/slow", b"{}", {})
    assert (result.status, result.retry, result.error) == (None, True, "timeout")


async def test_a_refused_connection_is_retried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await post_once(LOOPBACK, f"http://127.0.0.1:{port}/", b"{}", {})
    assert result.status is None
    assert result.retry
    assert result.error is not None and result.error.startswith("connection failed")


# the actor's body: one attempt per message


class Sent(list[tuple[WebhookMessage, int | None]]):
    """Collects what `webhook_job` enqueues."""

    def __call__(self, message: WebhookMessage, delay_ms: int | None) -> None:
        self.append((message, delay_ms))


async def _finished_job(settings: Settings) -> tuple[JobStore, aioredis.Redis, str]:
    client = aioredis.Redis.from_url(settings.redis_url)
    jobs = JobStore(client, Keys(settings.namespace), settings.job_ttl_s)
    job = Job(job_id="hookjob", kind=JobKind.CHECK, status=JobStatus.DONE, created_at=1.0, finished_at=2.0)
    await jobs.create(job)
    return jobs, client, job.job_id


async def test_a_failed_attempt_is_recorded_and_the_next_one_enqueued_with_its_delay(
    settings: Settings, receiver: tuple[str, list[web.Request]]
) -> None:
    base, seen = receiver
    jobs, client, job_id = await _finished_job(settings)
    sent = Sent()
    first = WebhookMessage(job_id=job_id, url=f"{base}/error")
    try:
        await webhook_job(settings, settings.redis_url, first, send=sent)
        # The same message again (a worker died before acknowledging it): no second POST.
        await webhook_job(settings, settings.redis_url, first, send=sent)
        job = await jobs.get(job_id)
    finally:
        await client.aclose()
    assert len(seen) == 1
    assert job is not None and job.webhook is not None
    assert (job.webhook.attempts, job.webhook.last_status, job.webhook.last_error, job.webhook.finished) == (
        1, 503, "HTTP 503", False)
    second = WebhookMessage(job_id=job_id, url=f"{base}/error", attempt=2)
    assert sent == [(second, 30_000), (second, 30_000)]  # the chain goes on even after a redelivery


async def test_the_last_allowed_attempt_ends_delivery(
    settings: Settings, receiver: tuple[str, list[web.Request]]
) -> None:
    base, _ = receiver
    jobs, client, job_id = await _finished_job(settings)
    sent = Sent()
    last = WebhookMessage(job_id=job_id, url=f"{base}/error", attempt=settings.webhook_max_attempts)
    try:
        await webhook_job(settings, settings.redis_url, last, send=sent)
        job = await jobs.get(job_id)
    finally:
        await client.aclose()
    assert job is not None and job.webhook is not None
    assert (job.webhook.attempts, job.webhook.finished) == (8, True)
    assert sent == []


async def test_an_unknown_api_key_ends_delivery_without_a_post(
    settings: Settings, receiver: tuple[str, list[web.Request]]
) -> None:
    base, seen = receiver
    jobs, client, job_id = await _finished_job(settings)
    sent = Sent()
    try:
        await webhook_job(settings, settings.redis_url,
                          WebhookMessage(job_id=job_id, url=f"{base}/ok", key_id="nokey"), send=sent)
        job = await jobs.get(job_id)
    finally:
        await client.aclose()
    assert job is not None and job.webhook is not None
    assert (job.webhook.attempts, job.webhook.finished) == (1, True)
    assert job.webhook.last_error == "API key nokey is gone or has no webhook secret"
    assert seen == []
    assert sent == []
