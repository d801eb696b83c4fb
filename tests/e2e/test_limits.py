"""Sessions, CSRF, exact rate limits across two gateway processes, and API keys."""

import concurrent.futures
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from backlinks.settings import Settings
from backlinks.stack import free_port
from storage.apikeys import ApiKeyAdmin
from storage.keys import Keys
from workers.runner import WorkerProcess

CHECK = "/api/v1/backlinks/check"


class Gateways:
    """Two real `backlinks gateway` processes sharing one Redis and namespace."""

    def __init__(self, redis_url: str, tmp: Path) -> None:
        self.namespace = f"lim{uuid.uuid4().hex[:8]}"
        self.env = {**os.environ, "REDIS_URL": redis_url, "BACKLINKS_NAMESPACE": self.namespace,
                    "BACKLINKS_DATA_DIR": str(tmp)}
        self.ports = [free_port(), free_port()]
        self.procs = [subprocess.Popen([sys.executable, "-m", "backlinks.cli", "gateway", "--port", str(port)],
                                       env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                      for port in self.ports]
        self.urls = [f"http://127.0.0.1:{port}" for port in self.ports]
        deadline = time.monotonic() + 30
        for url in self.urls:
            while True:
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "gateways did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(15)


@pytest.fixture
def gateways(redis_url: str, tmp_path: Path) -> Iterator[Gateways]:
    running = Gateways(redis_url, tmp_path)
    yield running
    running.stop()


def burst(requests: list[tuple[str, dict[str, str], dict[str, Any]]]) -> list[httpx.Response]:
    """Send all requests at once from a thread pool."""
    def send(req: tuple[str, dict[str, str], dict[str, Any]]) -> httpx.Response:
        url, headers, body = req
        return httpx.post(url, json=body, headers=headers, timeout=30)

    with concurrent.futures.ThreadPoolExecutor(40) as pool:
        return list(pool.map(send, requests))


def admitted_and_refused(responses: list[httpx.Response]) -> tuple[list[httpx.Response], list[httpx.Response]]:
    ok = [r for r in responses if r.status_code in (200, 202)]
    refused = [r for r in responses if r.status_code == 429]
    assert len(ok) + len(refused) == len(responses), {r.status_code for r in responses}
    return ok, refused


def assert_exact(responses: list[httpx.Response], limit: int) -> None:
    ok, refused = admitted_and_refused(responses)
    assert len(ok) == limit
    assert sorted(int(r.headers["RateLimit-Remaining"]) for r in ok) == list(range(limit))
    for r in refused:
        assert r.json()["error"]["code"] == "rate_limited"
        assert int(r.headers["Retry-After"]) > 0
        assert r.headers["RateLimit-Limit"] == str(limit)
        assert r.headers["RateLimit-Remaining"] == "0"
        assert int(r.headers["RateLimit-Reset"]) > 0


def test_one_session_gets_exactly_30_checks_an_hour_across_two_gateways(gateways: Gateways) -> None:
    first = httpx.get(f"{gateways.urls[0]}/api/v1/csrf")
    cookie = first.cookies["bl_session"]
    token = first.json()["csrf"]
    headers = {"Cookie": f"bl_session={cookie}", "X-CSRF-Token": token}
    # Requests that fail validation cost nothing.
    for bad in burst([(f"{gateways.urls[i % 2]}{CHECK}", headers, {"domain": "not a domain"}) for i in range(10)]):
        assert bad.status_code == 400
    requests = [(f"{gateways.urls[i % 2]}{CHECK}", headers, {"domain": f"site{i}.com"}) for i in range(80)]
    assert_exact(burst(requests), 30)


def test_cookie_less_clients_are_limited_per_ip_across_two_gateways(gateways: Gateways) -> None:
    no_headers: dict[str, str] = {}
    requests = [(f"{gateways.urls[i % 2]}{CHECK}", no_headers, {"domain": f"ip{i}.com"}) for i in range(80)]
    assert_exact(burst(requests), 60)


def test_x_forwarded_for_from_an_untrusted_peer_does_not_change_the_ip_quota(gateways: Gateways) -> None:
    requests = [(f"{gateways.urls[i % 2]}{CHECK}", {"X-Forwarded-For": f"10.0.{i}.1"}, {"domain": f"xff{i}.com"})
                for i in range(62)]
    ok, refused = admitted_and_refused(burst(requests))
    assert (len(ok), len(refused)) == (60, 2)


def test_a_cached_answer_after_the_quota_is_spent_is_free_and_has_no_retry_after(
    gateways: Gateways, redis_url: str
) -> None:
    base = gateways.urls[0]
    worker = WorkerProcess(Settings(redis_url=redis_url, namespace=gateways.namespace), redis_url, threads=2)
    worker.start()
    try:
        first = httpx.post(f"{base}{CHECK}", json={"domain": "cached-free.com", "wait": 30}, timeout=60)
    finally:
        worker.stop()
    assert first.status_code == 200, first.text
    burst([(f"{base}{CHECK}", {}, {"domain": f"spend{i}.com"}) for i in range(70)])
    for _ in range(50):
        again = httpx.post(f"{base}{CHECK}", json={"domain": "cached-free.com"})
        if again.status_code == 200:
            break
        time.sleep(0.1)
    assert again.status_code == 200 and again.json()["cached"] is True
    assert again.headers["RateLimit-Remaining"] == "0"
    assert "Retry-After" not in again.headers


def test_a_compare_counts_two_checks(gateways: Gateways) -> None:
    url = f"{gateways.urls[0]}/api/v1/backlinks/compare"
    response = httpx.post(url, json={"domain_a": "one.com", "domain_b": "two.com", "wait": 0}, timeout=30)
    assert response.status_code == 202
    assert response.headers["RateLimit-Remaining"] == "58"


def test_csrf_is_required_with_the_session_cookie_and_only_then(gateways: Gateways) -> None:
    base = gateways.urls[0]
    mine = httpx.get(f"{base}/api/v1/csrf")
    other = httpx.get(f"{base}/api/v1/csrf")
    cookie = {"Cookie": f"bl_session={mine.cookies['bl_session']}"}
    body = {"domain": "csrf-test.com"}
    cases = {
        "cookie, no token": (cookie, body, 403),
        "cookie, wrong token": ({**cookie, "X-CSRF-Token": "nope"}, body, 403),
        "cookie, another session's token": ({**cookie, "X-CSRF-Token": other.json()["csrf"]}, body, 403),
        "cookie, right token in header": ({**cookie, "X-CSRF-Token": mine.json()["csrf"]}, body, 202),
        "cookie, right token in body": (cookie, {**body, "csrf": mine.json()["csrf"]}, 202),
        "no cookie": ({}, body, 202),
    }
    for name, (headers, payload, status) in cases.items():
        response = httpx.post(f"{base}{CHECK}", json=payload, headers=headers)
        assert response.status_code in (status, 200 if status == 202 else status), (name, response.text)
        if status == 403:
            assert response.json()["error"]["code"] == "invalid_csrf", name
    for path, payload in (("/api/v1/backlinks/compare", {"domain_a": "a.com", "domain_b": "b.com"}),
                          ("/api/v1/backlinks/diff", {"domain": "a.com"}),
                          ("/marketing/backlinks-api.php", {"domain": "a.com"}),
                          ("/api/v1/reports", {"domain": "a.com", "payload": {"domain": "a.com", "results": []}})):
        assert httpx.post(f"{base}{path}", json=payload, headers=cookie).status_code == 403, path
    cookie_attrs = mine.headers["set-cookie"].lower()
    assert "httponly" in cookie_attrs and "samesite=lax" in cookie_attrs


def test_api_keys_have_their_own_quota_need_no_csrf_and_revoke_at_once(
    gateways: Gateways, redis_url: str
) -> None:
    client = redis.Redis.from_url(redis_url)
    admin = ApiKeyAdmin(client, Keys(gateways.namespace))
    secret, record = admin.add("partner", 3, False)
    base = gateways.urls[1]
    bad = httpx.post(f"{base}{CHECK}", json={"domain": "key-test.com"}, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "invalid_api_key"
    keyed = {"Authorization": f"Bearer {secret}", "Cookie": "bl_session=whatever"}
    statuses = [httpx.post(f"{base}{CHECK}", json={"domain": f"k{i}.com"}, headers=keyed).status_code
                for i in range(5)]
    assert statuses == [202, 202, 202, 429, 429]
    assert admin.revoke(record.key_id)
    revoked = httpx.post(f"{base}{CHECK}", json={"domain": "k9.com"}, headers=keyed)
    assert revoked.status_code == 401
    client.close()


def test_openapi_documents_401_403_and_429_where_limited(gateways: Gateways) -> None:
    schema = httpx.get(f"{gateways.urls[0]}/schema/openapi.json").json()
    for path, limited in (("/api/v1/backlinks/check", True), ("/api/v1/backlinks/compare", True),
                          ("/api/v1/backlinks/diff", False), ("/api/v1/reports", False)):
        statuses = set(schema["paths"][path]["post"]["responses"])
        assert {"401", "403"} <= statuses, path
        assert ("429" in statuses) == limited, path


def test_report_saves_have_their_own_hourly_quota(gateways: Gateways) -> None:
    base = gateways.urls[0]
    payload = {"domain": "quota.com", "payload": {"domain": "quota.com", "results": []}}
    bad = httpx.post(f"{base}/api/v1/reports", json={**payload, "domain": "other.com"})
    assert bad.status_code == 400, "an invalid save costs nothing"
    statuses = [httpx.post(f"{base}/api/v1/reports", json=payload).status_code for _ in range(31)]
    assert statuses == [201] * 30 + [429]
