"""What the gateway holds while it runs: clients and repositories, owned by the lifespan."""

import asyncio
from dataclasses import dataclass
from typing import Any

import msgspec
import redis.asyncio as aioredis
from dramatiq.brokers.redis import RedisBroker

from backlinks.settings import Settings
from storage.apikeys import ApiKeyStore
from storage.checks import CheckStore
from storage.client import async_client
from storage.index import IndexReader
from storage.jobs import JobStore
from storage.keys import Keys
from storage.limits import RateLimiter
from storage.sessions import SessionStore
from storage.snapshots import SnapshotStore
from workers.broker import build_broker, publish


@dataclass
class Services:
    """Clients and repositories of one gateway process."""

    settings: Settings
    redis_url: str
    client: aioredis.Redis
    broker: RedisBroker
    keys: Keys
    jobs: JobStore
    checks: CheckStore
    index: IndexReader
    sessions: SessionStore
    snapshots: SnapshotStore
    apikeys: ApiKeyStore
    limiter: RateLimiter

    @classmethod
    def open(cls, settings: Settings, redis_url: str) -> "Services":
        """Create clients (inside the app's event loop)."""
        client = async_client(redis_url)
        keys = Keys(settings.namespace)
        return cls(
            settings=settings,
            redis_url=redis_url,
            client=client,
            broker=build_broker(settings, redis_url),
            keys=keys,
            jobs=JobStore(client, keys, settings.job_ttl_s),
            checks=CheckStore(
                client,
                keys,
                result_ttl_s=settings.result_cache_ttl_s,
                job_ttl_s=settings.job_ttl_s,
                snapshot_keep_s=settings.snapshot_keep_s,
            ),
            index=IndexReader(client, keys),
            sessions=SessionStore(client, keys, settings.session_ttl_s),
            snapshots=SnapshotStore(client, keys, settings.snapshot_keep_s),
            apikeys=ApiKeyStore(client, keys),
            limiter=RateLimiter(client, keys),
        )

    async def publish(self, queue: str, actor: str, payload: msgspec.Struct, **options: Any) -> None:
        """Enqueue a job message; the broker is blocking, so off the event loop."""
        await asyncio.to_thread(publish, self.broker, queue, actor, payload, **options)

    async def close(self) -> None:
        """Release clients."""
        await self.client.aclose()
        await asyncio.to_thread(self.broker.close)
