"""Redis clients built from settings (the URL is resolved by `backlinks.runtime`)."""

import redis
import redis.asyncio as aioredis


def async_client(url: str) -> aioredis.Redis:
    """An asyncio client; create it inside the event loop that will use it."""
    return aioredis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)


def sync_client(url: str) -> redis.Redis:
    """A blocking client, for the CLI and broker-side code."""
    return redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
