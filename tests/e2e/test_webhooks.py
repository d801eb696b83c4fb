"""Webhooks through the real system: worker, broker, Redis, and a receiver on loopback."""

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from aiohttp import web

from backlinks.settings import Settings
from contracts.enums import JobKind
from contracts.jobs import Job, ScanMessage
from storage.apikeys import ApiKeyAdmin
from storage.client import async_client
from storage.jobs import JobStore
from storage.keys import Keys
from tests.e2e.conftest import System, make_settings, start_system
from workers.broker import SCAN_ACTOR, SCAN_QUEUE, build_broker, publish
from workers.webhooks import server_secret_sync, validate_webhook_url, verify

BASE_DELAY_MS = 100
MAX_ATTEMPTS = 4


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An aiohttp server on 127.0.0.1 answering each path with a scripted list of statuses."""

    port: int = 0
    scripts: dict[str, list[int]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def url(self, path: str, *statuses: int) -> str:
        """A fresh URL answering `statuses` in turn (the last one repeats)."""
        self.scripts[path] = list(statuses)
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        """What arrived at `path`, in order."""
        return [r for r in self.received if r.path == path]

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(Received(request.path, dict(request.headers), await request.read(), time.monotonic()))
        script = self.scripts.get(request.path, [404])
        status = script.pop(0) if len(script) > 1 else script[0]
        return web.Response(status=status, text="ok" if status < 300 else "no")


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    """The receiver, served from its own thread and loop."""
    found = Receiver()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    runner_box: list[web.AppRunner] = []

    async def serve() -> None:
        app = web.Application()
        app.router.add_route("POST", "/{tail:.*}", found.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        found.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        runner_box.append(runner)
        ready.set()

    def run() -> None:
        loop.run_until_complete(serve())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True, name="webhook-receiver")
    thread.start()
    assert ready.wait(10)
    yield found
    asyncio.run_coroutine_threadsafe(runner_box[0].cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def hook_settings(redis_url: str, tmp: Path, **overrides: object) -> Settings:
    """Loopback allow-listed (make_settings), a small back-off, few attempts."""
    values: dict[str, object] = {"webhook_base_delay_ms": BASE_DELAY_MS, "webhook_max_attempts": MAX_ATTEMPTS}
    values.update(overrides)
    return make_settings(redis_url, tmp, **values)


@pytest.fixture(scope="module")
def hooks(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    """One system for the module's delivery tests."""
    yield from start_system(hook_settings(redis_url, tmp_path_factory.mktemp("hooks")))


def submit(system: System, domain: str, webhook_url: str, key_id: str | None = None) -> str:
    """Create a check job and publish its message as the gateway would; the job id."""
    job_id = uuid.uuid4().hex

    async def create() -> None:
        client = async_client(system.redis_url)
        try:
            jobs = JobStore(client, Keys(system.settings.namespace), system.settings.job_ttl_s)
            await jobs.create(Job(job_id=job_id, kind=JobKind.CHECK, created_at=time.time()))
        finally:
            await client.aclose()

    asyncio.run(create())
    broker = build_broker(system.settings, system.redis_url)
    try:
        message = ScanMessage(job_id=job_id, domain=domain, webhook_url=webhook_url, key_id=key_id)
        publish(broker, SCAN_QUEUE, SCAN_ACTOR, message)
    finally:
        broker.close()
    return job_id


def delivery_ended(system: System, job_id: str, timeout_s: float = 10) -> dict[str, Any]:
    """The job (as the API shows it) once its webhook delivery is finished."""
    deadline = time.monotonic() + timeout_s
    while True:
        job = system.http.get(f"/api/v1/jobs/{job_id}").json()
        if (job.get("webhook") or {}).get("finished") or time.monotonic() > deadline:
            return dict(job)
        time.sleep(0.05)


def test_a_finished_check_is_posted_as_the_job_signed_with_the_server_secret(
    hooks: System, receiver: Receiver, sync_redis: redis.Redis
) -> None:
    url = receiver.url("/server-secret", 200)
    job_id = submit(hooks, "hooked-server.com", url)
    job = delivery_ended(hooks, job_id)

    [got] = receiver.at("/server-secret")
    secret = server_secret_sync(sync_redis, Keys(hooks.settings.namespace), hooks.settings)
    timestamp, signature = got.headers["X-Backlinks-Timestamp"], got.headers["X-Backlinks-Signature"]
    assert verify(secret, timestamp, got.body, signature)
    assert not verify("some-other-secret", timestamp, got.body, signature)
    assert abs(int(timestamp) - time.time()) < 30
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["User-Agent"] == hooks.settings.fetch_user_agent
    assert got.headers["X-Backlinks-Job"] == job_id

    body = got.json()
    assert body["status"] == "done"
    assert body["result"]["domain"] == "hooked-server.com"
    assert body["result"]["results"] == []
    # The body is the job as GET /api/v1/jobs/{id} shows it (the webhook part moved on since).
    assert body["webhook"] == {"url": url, "attempts": 0, "last_status": None, "last_error": None,
                               "delivered_at": None, "finished": False}
    assert {k: v for k, v in body.items() if k != "webhook"} == {k: v for k, v in job.items() if k != "webhook"}

    state = job["webhook"]
    assert (state["url"], state["attempts"], state["last_status"], state["last_error"], state["finished"]) == (
        url, 1, 200, None, True)
    assert state["delivered_at"] >= job["finished_at"]


def test_a_check_asked_with_an_api_key_is_signed_with_that_key_s_secret(
    hooks: System, receiver: Receiver, sync_redis: redis.Redis
) -> None:
    keys = Keys(hooks.settings.namespace)
    _, key = ApiKeyAdmin(sync_redis, keys).add("hook-client", hourly_quota=100, admin=False)
    job_id = submit(hooks, "hooked-key.com", receiver.url("/key-secret", 200), key_id=key.key_id)
    assert delivery_ended(hooks, job_id)["webhook"]["last_status"] == 200

    [got] = receiver.at("/key-secret")
    timestamp, signature = got.headers["X-Backlinks-Timestamp"], got.headers["X-Backlinks-Signature"]
    assert verify(key.webhook_secret, timestamp, got.body, signature)
    assert not verify(server_secret_sync(sync_redis, keys, hooks.settings), timestamp, got.body, signature)


def test_500_500_then_200_takes_exactly_three_attempts_with_growing_delays(hooks: System, receiver: Receiver) -> None:
    job_id = submit(hooks, "hooked-retry.com", receiver.url("/flaky", 500, 500, 200))
    state = delivery_ended(hooks, job_id)["webhook"]
    time.sleep(4 * BASE_DELAY_MS / 1000)  # long enough for a stray fourth attempt to show up

    got = receiver.at("/flaky")
    assert len(got) == 3
    assert (state["attempts"], state["last_status"], state["last_error"], state["finished"]) == (3, 200, None, True)
    assert state["delivered_at"] is not None
    assert [r.json()["webhook"]["attempts"] for r in got] == [0, 1, 2]
    assert got[1].at - got[0].at >= BASE_DELAY_MS / 1000
    assert got[2].at - got[1].at >= 2 * BASE_DELAY_MS / 1000


def test_a_410_stops_delivery_after_one_attempt(hooks: System, receiver: Receiver) -> None:
    job_id = submit(hooks, "hooked-gone.com", receiver.url("/gone", 410, 200))
    state = delivery_ended(hooks, job_id)["webhook"]
    time.sleep(4 * BASE_DELAY_MS / 1000)

    assert len(receiver.at("/gone")) == 1
    assert (state["attempts"], state["last_status"], state["last_error"], state["finished"]) == (
        1, 410, "HTTP 410", True)
    assert state["delivered_at"] is None


def test_a_receiver_failing_every_time_gets_max_attempts_then_delivery_stops(hooks: System, receiver: Receiver) -> None:
    job_id = submit(hooks, "hooked-down.com", receiver.url("/down", 503))
    state = delivery_ended(hooks, job_id)["webhook"]
    time.sleep(8 * BASE_DELAY_MS / 1000)

    assert len(receiver.at("/down")) == MAX_ATTEMPTS
    assert (state["attempts"], state["last_status"], state["last_error"], state["finished"]) == (
        MAX_ATTEMPTS, 503, "HTTP 503", True)


def test_a_failed_check_is_delivered_too(hooks: System, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken_scan(*_: object) -> None:
        raise RuntimeError("index unreachable")

    # The worker runs in this process: its next scan calls the broken pipeline.
    monkeypatch.setattr("workers.actors.run_scan", broken_scan)
    job_id = submit(hooks, "hooked-broken.com", receiver.url("/failed", 200))
    job = delivery_ended(hooks, job_id)

    [got] = receiver.at("/failed")
    assert job["status"] == "failed"
    assert got.json()["status"] == "failed"
    assert got.json()["error"] == job["error"] == "scan failed: index unreachable"
    assert (job["webhook"]["attempts"], job["webhook"]["last_status"]) == (1, 200)


def test_an_address_refused_at_delivery_is_recorded_and_not_retried(
    redis_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    path = "/rebound"
    url = receiver.url(path, 200).replace("127.0.0.1", "hooks.rebind.test")
    port = receiver.port
    # At submission the name resolved to the allow-listed receiver ...
    submitted = hook_settings(redis_url, tmp_path, fetch_resolve=[f"hooks.rebind.test:{port}:127.0.0.1"])
    assert validate_webhook_url(url, submitted) == url
    # ... by delivery it resolves to a private address (only the worker's settings say so).
    worker = hook_settings(redis_url, tmp_path, fetch_resolve=[f"hooks.rebind.test:{port}:10.0.0.1"])
    for system in start_system(worker):
        job_id = submit(system, "hooked-rebound.com", url)
        state = delivery_ended(system, job_id)["webhook"]
        time.sleep(4 * BASE_DELAY_MS / 1000)
        assert delivery_ended(system, job_id)["webhook"]["attempts"] == 1

    assert (state["attempts"], state["last_status"], state["finished"]) == (1, None, True)
    assert state["last_error"] == "refused private address 10.0.0.1"
    assert receiver.at(path) == []


def test_a_check_through_the_gateway_with_a_webhook_url_is_delivered(hooks: System, receiver: Receiver) -> None:
    url = receiver.url("/via-gateway", 200)
    response = hooks.http.post("/api/v1/backlinks/check",
                               json={"domain": "gateway-hook.com", "webhook_url": url, "refresh": True})
    assert response.status_code == 202, response.text
    job = delivery_ended(hooks, response.json()["job_id"])
    assert job["webhook"]["last_status"] == 200
    assert len(receiver.at("/via-gateway")) == 1


# Loopback is allow-listed in this system (for the receiver); its refusal is unit-tested.
@pytest.mark.parametrize("bad", ["http://169.254.169.254/latest/meta-data", "http://10.0.0.1/hook",
                                 "ftp://example.com/hook", "https://user:pw@example.com/hook"])
def test_the_gateway_refuses_a_bad_webhook_url_with_400(hooks: System, bad: str) -> None:
    response = hooks.http.post("/api/v1/backlinks/check", json={"domain": "gateway-hook.com", "webhook_url": bad})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_webhook"


def test_compare_and_diff_answers_are_delivered_to_their_webhooks(hooks: System, receiver: Receiver) -> None:
    compare_url = receiver.url("/compare", 200)
    compared = hooks.http.post("/api/v1/backlinks/compare", json={
        "domain_a": "hook-a.com", "domain_b": "hook-b.com", "webhook_url": compare_url})
    assert compared.status_code == 200, compared.text
    job = delivery_ended(hooks, compared.headers["X-Backlinks-Webhook-Job"])
    assert job["kind"] == "compare" and job["webhook"]["last_status"] == 200
    [delivered] = receiver.at("/compare")
    assert delivered.json()["answer"] == compared.json()

    hooks.check("hook-a.com")
    diff_url = receiver.url("/diff", 200)
    diffed = hooks.http.post("/api/v1/backlinks/diff", json={"domain": "hook-a.com", "webhook_url": diff_url})
    assert diffed.status_code == 200, diffed.text
    job = delivery_ended(hooks, diffed.headers["X-Backlinks-Webhook-Job"])
    assert job["kind"] == "diff" and job["webhook"]["last_status"] == 200
    assert receiver.at("/diff")[0].json()["answer"] == diffed.json()
    refused = hooks.http.post("/api/v1/backlinks/diff", json={"domain": "hook-a.com",
                                                               "webhook_url": "http://169.254.169.254/"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_webhook"
