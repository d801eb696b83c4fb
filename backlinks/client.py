"""A small blocking HTTP client of the gateway API, for the CLI."""

import json
import time
import urllib.error
import urllib.request
from typing import Any

from backlinks.errors import BacklinksError


class ApiCallError(BacklinksError):
    """The gateway answered with an error body, or could not be reached."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def reachable(base_url: str, timeout_s: float = 1.0) -> bool:
    """True when a gateway answers `/healthz` at base_url."""
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=timeout_s) as resp:
            return bool(resp.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def call(base_url: str, method: str, path: str, body: Any = None, timeout_s: float = 90) -> tuple[int, Any]:
    """(status, decoded JSON); raises ApiCallError with the API's message on 4xx/5xx."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base_url}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise ApiCallError(exc.code, f"HTTP {exc.code}: {_message(exc.read())}") from None
    except (OSError, urllib.error.URLError) as exc:
        raise ApiCallError(0, f"cannot reach the gateway at {base_url}: {exc}") from None


def call_text(base_url: str, method: str, path: str, body: Any = None, timeout_s: float = 90) -> str:
    """The body of a CSV answer as text; raises ApiCallError with the API's message on 4xx/5xx."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base_url}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json", "Accept": "text/csv"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            return str(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise ApiCallError(exc.code, f"HTTP {exc.code}: {_message(exc.read())}") from None
    except (OSError, urllib.error.URLError) as exc:
        raise ApiCallError(0, f"cannot reach the gateway at {base_url}: {exc}") from None


def _message(raw: bytes) -> str:
    try:
        return str(json.loads(raw)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return raw.decode("utf-8", "replace")[:500]


def check(base_url: str, body: dict[str, Any], timeout_s: float = 600) -> dict[str, Any]:
    """Run a check through the API, polling its job until it finishes."""
    status, answer = call(base_url, "POST", "/api/v1/backlinks/check", {**body, "wait": 30})
    deadline = time.monotonic() + timeout_s
    while status == 202:
        if time.monotonic() > deadline:
            raise ApiCallError(0, f"the check did not finish within {timeout_s:g}s (job {answer['job_id']})")
        time.sleep(0.5)
        _, job = call(base_url, "GET", answer["poll_url"])
        if job["status"] == "done":
            result: dict[str, Any] = job["result"]
            return result
        if job["status"] == "failed":
            raise ApiCallError(500, job.get("error") or "the check failed")
    return dict(answer)
