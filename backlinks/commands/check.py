"""`backlinks check|compare|diff`: through the running gateway, or a transient one."""

import contextlib
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

from rich.console import Console

from backlinks import client
from backlinks.settings import Settings
from backlinks.stack import Stack


@contextlib.contextmanager
def gateway_url(settings: Settings, console: Console) -> Iterator[str]:
    """The gateway at BACKLINKS_API_URL, or one started in this process for the call."""
    base = settings.resolved_api_url()
    if client.reachable(base):
        yield base
        return
    console.print(f"[dim]no gateway at {base}; starting one in this process[/dim]", highlight=False)
    with Stack(settings).start(worker=True, gateway_port=0) as stack:
        assert stack.gateway is not None
        yield stack.gateway.url


def run_check(settings: Settings, body: dict[str, Any], console: Console, *, csv: bool = False) -> Any:
    """The check result (JSON), or its CSV text with `csv`."""
    with gateway_url(settings, console) as base:
        result = client.check(base, body)
        if not csv:
            return result
        query = urllib.parse.urlencode({"domain": result["domain"], "deep_scan": str(body["deep_scan"]).lower(),
                                        "include_big": str(body["include_big"]).lower()})
        return client.call_text(base, "GET", f"/api/v1/backlinks.csv?{query}")


def run_compare(settings: Settings, body: dict[str, Any], console: Console, *, csv: bool = False,
                timeout_s: float = 600) -> Any:
    """The comparison (JSON or CSV), repeating the request while the checks run."""
    deadline = time.monotonic() + timeout_s
    with gateway_url(settings, console) as base:
        while True:
            status, answer = client.call(base, "POST", "/api/v1/backlinks/compare", {**body, "wait": 30})
            if status == 200:
                break
            if time.monotonic() > deadline:
                raise client.ApiCallError(0, f"the comparison did not finish within {timeout_s:g}s")
            time.sleep(0.5)
        if csv:
            return client.call_text(base, "POST", "/api/v1/backlinks/compare", {**body, "wait": 30})
        return answer


def run_diff(settings: Settings, body: dict[str, Any], console: Console, *, csv: bool = False) -> Any:
    """The new-vs-lost answer (JSON or CSV)."""
    with gateway_url(settings, console) as base:
        if csv:
            return client.call_text(base, "POST", "/api/v1/backlinks/diff", body)
        return client.call(base, "POST", "/api/v1/backlinks/diff", body)[1]
