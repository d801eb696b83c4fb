"""`backlinks check DOMAIN`: through the running gateway, or a transient one."""

from typing import Any

from rich.console import Console

from backlinks import client
from backlinks.settings import Settings
from backlinks.stack import Stack
from backlinks.target import normalize_target


def run_check(settings: Settings, body: dict[str, Any], console: Console) -> dict[str, Any]:
    """The check result, from the gateway at BACKLINKS_API_URL or a stack started for this call."""
    normalize_target(body["domain"])  # a bad domain fails here, before anything starts
    base = settings.resolved_api_url()
    if client.reachable(base):
        return client.check(base, body)
    console.print(f"[dim]no gateway at {base}; starting one in this process[/dim]", highlight=False)
    with Stack(settings).start(worker=True, gateway_port=0) as stack:
        assert stack.gateway is not None
        return client.check(stack.gateway.url, body)
