"""Page cache: successful deep-scan fetches kept for `page_cache_ttl_s` (3 h by default)."""

import logging

import msgspec
from redis.asyncio import Redis

from contracts.fetch import FetchedPage
from storage.keys import Keys

log = logging.getLogger(__name__)

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(FetchedPage)


class PageCache:
    """Fetched pages by requested URL, msgpack-encoded, each with its own TTL.

    Args:
        redis: an asyncio Redis client (not owned: the caller closes it).
        keys: the key builder of this install's namespace.
        ttl_s: how long an entry lives.
    """

    def __init__(self, redis: Redis, keys: Keys, ttl_s: int) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_s = ttl_s
        #: Entries that could not be decoded (an older shape); dropped and counted.
        self.undecodable = 0

    async def get(self, url: str) -> FetchedPage | None:
        """The cached page fetched for `url`, or None (missing, expired or undecodable)."""
        key = self._keys.fetched_page(url)
        raw = await self._redis.get(key)
        if raw is None:
            return None
        if not isinstance(raw, bytes):
            raise TypeError("stored records are bytes: use a client with decode_responses=False")
        try:
            return _decoder.decode(raw)
        except msgspec.DecodeError as exc:
            self.undecodable += 1
            log.warning("dropping undecodable page cache entry for %s: %s", url, exc)
            await self._redis.delete(key)
            return None

    async def put(self, page: FetchedPage) -> None:
        """Store `page` under its requested URL for the TTL."""
        await self._redis.set(self._keys.fetched_page(page.url), _encoder.encode(page), ex=self._ttl_s)

    async def delete(self, url: str) -> None:
        """Forget the page fetched for `url`."""
        await self._redis.delete(self._keys.fetched_page(url))
