"""Redis clients, each connection named after this process (see `client_name`)."""

import os
from urllib.parse import parse_qsl, urlencode, urlsplit

import redis
import redis.asyncio as aioredis


def client_name() -> str:
    """The CLIENT SETNAME of this process's connections: lets the embedded server's users see
    whether anyone else is still connected before stopping it."""
    return f"backlinks-{os.getpid()}"


def named(url: str) -> str:
    """The URL with `client_name` set to this process's name (kept if the URL names one)."""
    if dict(parse_qsl(urlsplit(url).query)).get("client_name"):
        return url
    # Appended by hand: urlunsplit would turn `unix:///path` into `unix:/path`, which redis-py refuses.
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'client_name': client_name()})}"


def async_client(url: str) -> aioredis.Redis:
    """An asyncio client; create it inside the event loop that will use it."""
    return aioredis.Redis.from_url(named(url), socket_connect_timeout=5, health_check_interval=30)


def sync_client(url: str) -> redis.Redis:
    """A blocking client, for the CLI and broker-side code."""
    return redis.Redis.from_url(named(url), socket_connect_timeout=5, health_check_interval=30)
