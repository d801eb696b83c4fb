"""Page cache: successful deep-scan fetches kept for `page_cache_ttl_s` (3 h by default)."""

from contracts.fetch import FetchedPage
from storage.ttlcache import TTLCache


class PageCache(TTLCache[FetchedPage]):
    """Fetched pages by requested URL, msgpack-encoded, each with its own TTL (`ttl_s`)."""

    record_type = FetchedPage
    what = "page cache"

    def _key(self, name: str) -> str:
        return self._keys.fetched_page(name)

    async def get(self, url: str) -> FetchedPage | None:
        """The cached page fetched for `url`, or None (missing, expired or undecodable)."""
        return await self._get(url)

    async def put(self, page: FetchedPage) -> None:
        """Store `page` under its requested URL for the TTL."""
        await self._put(page.url, page)

    async def delete(self, url: str) -> None:
        """Forget the page fetched for `url`."""
        await self._delete(url)
