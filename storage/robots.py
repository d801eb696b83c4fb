"""robots.txt cache: one record (status and text) per origin for `robots_cache_ttl_s`."""

from contracts.fetch import RobotsRecord
from storage.ttlcache import TTLCache


class RobotsCache(TTLCache[RobotsRecord]):
    """robots.txt records by origin (`scheme://host:port`), msgpack-encoded."""

    record_type = RobotsRecord
    what = "robots cache"

    def _key(self, name: str) -> str:
        return self._keys.robots(name)

    async def get(self, origin: str) -> RobotsRecord | None:
        """The cached record of `origin`, or None (missing, expired or undecodable)."""
        return await self._get(origin)

    async def put(self, record: RobotsRecord, ttl_s: int | None = None) -> None:
        """Store `record` under its origin for `ttl_s` (default: the cache's TTL)."""
        await self._put(record.origin, record, ttl_s)
