"""robots.txt cache: one record (status and text) per origin for `robots_cache_ttl_s`."""

import logging

import msgspec
from redis.asyncio import Redis

from contracts.fetch import RobotsRecord
from storage.keys import Keys

log = logging.getLogger(__name__)

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(RobotsRecord)


class RobotsCache:
    """robots.txt records by origin (`scheme://host:port`), msgpack-encoded.

    Args:
        redis: an asyncio Redis client (not owned: the caller closes it).
        keys: the key builder of this install's namespace.
        ttl_s: default lifetime of an entry.
    """

    def __init__(self, redis: Redis, keys: Keys, ttl_s: int) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_s = ttl_s
        #: Entries that could not be decoded (an older shape); dropped and counted.
        self.undecodable = 0

    async def get(self, origin: str) -> RobotsRecord | None:
        """The cached record of `origin`, or None (missing, expired or undecodable)."""
        key = self._keys.robots(origin)
        raw = await self._redis.get(key)
        if raw is None:
            return None
        if not isinstance(raw, bytes):
            raise TypeError("stored records are bytes: use a client with decode_responses=False")
        try:
            return _decoder.decode(raw)
        except msgspec.DecodeError as exc:
            self.undecodable += 1
            log.warning("dropping undecodable robots cache entry for %s: %s", origin, exc)
            await self._redis.delete(key)
            return None

    async def put(self, record: RobotsRecord, ttl_s: int | None = None) -> None:
        """Store `record` under its origin for `ttl_s` (default: the cache's TTL)."""
        ttl = self._ttl_s if ttl_s is None else ttl_s
        await self._redis.set(self._keys.robots(record.origin), _encoder.encode(record), ex=ttl)
