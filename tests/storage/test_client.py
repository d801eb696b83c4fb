"""The asyncio Redis client: a burst of commands waits for connections instead of failing."""

import asyncio
import uuid

import redis

from storage.client import MAX_CONNECTIONS, async_client


async def test_a_burst_larger_than_the_pool_waits_and_every_command_answers(redis_url: str) -> None:
    name = f"burst-{uuid.uuid4().hex}"
    client = async_client(f"{redis_url}{'&' if '?' in redis_url else '?'}client_name={name}")
    observer = redis.Redis.from_url(redis_url)
    try:
        key = name
        await asyncio.gather(*(client.incr(key) for _ in range(10 * MAX_CONNECTIONS)))
        assert await client.get(key) == str(10 * MAX_CONNECTIONS).encode()
        ours = [c for c in observer.client_list() if c.get("name") == name]
        assert 1 <= len(ours) <= MAX_CONNECTIONS
        await client.delete(key)
    finally:
        await client.aclose()
        observer.close()
