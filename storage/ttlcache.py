"""One msgspec record per Redis key, msgpack-encoded, each with its own TTL: the fetch caches' base."""

import logging
from typing import Generic, TypeVar

import msgspec
from redis.asyncio import Redis

from storage.keys import Keys

log = logging.getLogger(__name__)

T = TypeVar("T")

_encoder = msgspec.msgpack.Encoder()


class TTLCache(Generic[T]):
    """Records of one msgspec type by name; a subclass sets the type and the key, and its methods.

    Args:
        redis: an asyncio Redis client (not owned: the caller closes it).
        keys: the key builder of this install's namespace.
        ttl_s: default lifetime of an entry.
    """

    #: The msgspec type stored.
    record_type: type[T]
    #: What the cache holds, for log lines ("page cache").
    what: str

    def __init__(self, redis: Redis, keys: Keys, ttl_s: int) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_s = ttl_s
        self._decoder = msgspec.msgpack.Decoder(self.record_type)
        #: Entries that could not be decoded (an older shape); dropped and counted.
        self.undecodable = 0

    def _key(self, name: str) -> str:
        """The Redis key of the record named `name` (a URL, an origin)."""
        raise NotImplementedError

    async def _get(self, name: str) -> T | None:
        """The record named `name`, or None (missing, expired or undecodable, then deleted)."""
        key = self._key(name)
        raw = await self._redis.get(key)
        if raw is None:
            return None
        if not isinstance(raw, bytes):
            raise TypeError("stored records are bytes: use a client with decode_responses=False")
        try:
            return self._decoder.decode(raw)
        except msgspec.DecodeError as exc:
            self.undecodable += 1
            log.warning("dropping undecodable %s entry for %s: %s", self.what, name, exc)
            await self._redis.delete(key)
            return None

    async def _put(self, name: str, record: T, ttl_s: int | None = None) -> None:
        """Store `record` as `name` for `ttl_s` (default: the cache's TTL)."""
        ttl = self._ttl_s if ttl_s is None else ttl_s
        await self._redis.set(self._key(name), _encoder.encode(record), ex=ttl)

    async def _delete(self, name: str) -> None:
        await self._redis.delete(self._key(name))
