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


#: Connections one asyncio client opens at most; more concurrent commands wait for one.
MAX_CONNECTIONS = 64
#: How long a command waits for a free connection before failing.
POOL_WAIT_S = 20


def async_client(url: str) -> aioredis.Redis:
    """An asyncio client; create it inside the event loop that will use it.

    The pool blocks when all its connections are busy (redis-py's default pool raises
    "Too many connections" instead): a burst of concurrent work waits its turn, not fails.
    """
    pool = aioredis.BlockingConnectionPool.from_url(named(url), socket_connect_timeout=5, health_check_interval=30,
                                                    max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT_S)
    return aioredis.Redis.from_pool(pool)  # the client owns the pool: closing it closes the pool


def sync_client(url: str) -> redis.Redis:
    """A blocking client, for the CLI and broker-side code."""
    return redis.Redis.from_url(named(url), socket_connect_timeout=5, health_check_interval=30)
