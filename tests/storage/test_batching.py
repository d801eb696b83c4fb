"""Batched reads against real Redis: each caller gets its own reply, in fewer round trips."""

import asyncio

import redis
import redis.asyncio as aioredis

from backlinks.stack import free_port
from storage.batching import BatchedReads
from storage.client import async_client


async def test_concurrent_reads_each_get_their_own_values_in_fewer_round_trips(
    redis_url: str, namespace: str
) -> None:
    client = async_client(redis_url)
    try:
        keys = [f"{namespace}:k{i}" for i in range(300)]
        await client.mset({key: f"v{i}" for i, key in enumerate(keys) if i % 3})
        reads = BatchedReads(client)
        replies = await asyncio.gather(*(reads.mget([key, keys[0]]) for key in keys))
        assert replies == [[f"v{i}".encode() if i % 3 else None, None] for i in range(len(keys))]
        assert 1 <= reads.batches < len(keys) / 10, "concurrent callers share round trips"
        assert await reads.mget([keys[1]]) == [b"v1"], "a read alone goes out at once"
    finally:
        await client.aclose()


async def test_a_cancelled_caller_does_not_disturb_its_batch(redis_url: str, namespace: str) -> None:
    client = async_client(redis_url)
    try:
        await client.set(f"{namespace}:a", "1")
        reads = BatchedReads(client)
        doomed = asyncio.create_task(reads.mget([f"{namespace}:a"]))
        kept = asyncio.create_task(reads.mget([f"{namespace}:a", f"{namespace}:none"]))
        await asyncio.sleep(0)
        doomed.cancel()
        assert await kept == [b"1", None]
        assert doomed.cancelled()
    finally:
        await client.aclose()


async def test_a_failed_connection_reaches_every_caller_of_the_batch() -> None:
    client = aioredis.Redis(port=free_port(), socket_connect_timeout=1)
    try:
        reads = BatchedReads(client)
        results = await asyncio.gather(*(reads.mget(["a"]) for _ in range(5)), return_exceptions=True)
        assert all(isinstance(r, redis.ConnectionError) for r in results)
    finally:
        await client.aclose()


def test_each_event_loop_gets_its_own_sender(redis_url: str, namespace: str) -> None:
    # One store may serve several loops in turn (tests, CLI): a sender of a finished loop is
    # never waited for.
    async def read(reads: BatchedReads) -> list[bytes | None]:
        client = async_client(redis_url)
        reads.client = client
        try:
            return await reads.mget([f"{namespace}:missing"])
        finally:
            await client.aclose()

    reads = BatchedReads(async_client(redis_url))
    for _ in range(2):
        assert asyncio.run(read(reads)) == [None]
