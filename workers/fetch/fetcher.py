"""The page fetcher: page cache, robots.txt, host slots, guarded connections, redirects by hand.

Data flow of `Fetcher.fetch(url)`:

1. page cache hit -> the cached page;
2. for the URL and every redirect hop: robots.txt check, a per-host slot (shared by all
   workers), one GET without automatic redirects through the guarded connector (`session`,
   `exchange`);
3. a 2xx HTML answer is read in chunks up to the body cap (decompressed bytes), stored in the
   page cache and returned; anything else becomes a `FetchResult` with a short `error`.

aiohttp and OS errors are mapped to `FetchError`s in one place (`errors.map_client_error`); `fetch`
never raises for trouble on the network (Redis trouble does propagate).
"""

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Iterable
from types import TracebackType

import aiohttp
from redis.asyncio import Redis
from redis.exceptions import RedisError
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom
from yarl import URL

from backlinks.settings import Settings
from contracts.fetch import FetchedPage, FetchResult, RobotsRecord
from storage.hostslots import HostSlots
from storage.keys import Keys
from storage.pagecache import PageCache
from storage.robots import RobotsCache
from workers.fetch.errors import (
    BadURL,
    FetchError,
    FetchTimeout,
    HostBusy,
    HTTPStatusError,
    RedirectError,
    RobotsDisallowed,
    map_client_error,
)
from workers.fetch.exchange import Answer, exchange, redirect_target
from workers.fetch.guard import AddressPolicy
from workers.fetch.resolve import OverrideResolver
from workers.fetch.robots import RobotsPolicy
from workers.fetch.session import open_session, ssl_context

log = logging.getLogger(__name__)

# A lease outlives the longest request it covers, so it only expires early if a worker dies.
_LEASE_MARGIN_S = 5.0


def parse_url(url: str) -> URL:
    """An absolute http(s) URL without fragment, or `BadURL`."""
    try:
        parsed = URL(url)
    except (TypeError, ValueError) as exc:
        raise BadURL(f"invalid URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise BadURL(f"not an http(s) URL: {url[:200]}")
    return parsed.with_fragment(None)


def declared_encoding(content_type: str | None, body: bytes) -> str | None:
    """Encoding from the BOM, then the Content-Type charset, then `<meta>`; None when none."""
    bom, _ = read_bom(body)
    if bom:
        return bom
    if content_type:
        from_header = http_content_type_encoding(content_type)
        if from_header:
            return from_header
    return html_body_declared_encoding(body)


class Fetcher:
    """Fetches pages politely and safely; one per scan: `async with Fetcher(s, r) as f: ...`.

    At most `fetch_concurrency` exchanges run at once in this Fetcher and at most
    `fetch_per_host_concurrency` per host across every worker (Redis leases). The total timeout
    is a budget of network time shared by the hops of one page; robots.txt has its own.

    Args:
        settings: the `fetch_*`, `page_cache_ttl_s`, `robots_cache_ttl_s` and namespace settings.
        redis: an asyncio Redis client returning bytes (`decode_responses=False`); not owned.
        slot_wait_s: how long to wait for a per-host slot before giving up with "host busy"
            (default: three total timeouts).
    """

    def __init__(self, settings: Settings, redis: Redis, *, slot_wait_s: float | None = None) -> None:
        self.settings = settings
        keys = Keys(settings.namespace)
        self.pages = PageCache(redis, keys, settings.page_cache_ttl_s)
        self.slots = HostSlots(redis, keys)
        self.guard = AddressPolicy(settings.fetch_allow_nets)
        self.robots = RobotsPolicy(
            RobotsCache(redis, keys, settings.robots_cache_ttl_s),
            self._download_robots,
            settings.fetch_user_agent,
            ttl_s=settings.robots_cache_ttl_s,
        )
        # Built now so that a bad rule or CA bundle fails at start, naming its variable.
        self._resolver = OverrideResolver(settings.fetch_resolve, settings.fetch_connect_to)
        self._ssl = ssl_context(settings.fetch_ca_bundle)
        self._slot_wait_s = 3 * settings.fetch_total_timeout_s if slot_wait_s is None else slot_wait_s
        self._lease_ttl_s = settings.fetch_total_timeout_s + _LEASE_MARGIN_S
        self._per_host = max(1, settings.fetch_per_host_concurrency)
        # Caps open exchanges; waiting for robots.txt or a host slot takes no place here.
        self._connections = asyncio.Semaphore(max(1, settings.fetch_concurrency))
        self._host_sems: dict[str, asyncio.Semaphore] = {}
        self._session: aiohttp.ClientSession | None = None
        #: "fetched", "cache_hits", "robots_refusals", "errors" counts for diagnostics.
        self.counts: Counter[str] = Counter()

    async def __aenter__(self) -> "Fetcher":
        self._session = open_session(self.settings, self._resolver, self.guard, self._ssl)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP session and the resolver."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        await self._resolver.close()

    async def fetch(self, url: str, *, use_cache: bool = True) -> FetchResult:
        """Fetch one page; never raises for network trouble: the reason is in `error`."""
        if self._session is None:
            raise RuntimeError("use Fetcher inside `async with`")
        try:
            start = parse_url(url)
        except FetchError as exc:
            return self._failed(url, exc)
        if use_cache:
            cached = await self.pages.get(url)
            if cached is not None:
                self.counts["cache_hits"] += 1
                return FetchResult(url=url, page=cached, from_cache=True)
        try:
            page = await self._fetch_live(url, start)
        except (FetchError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            return self._failed(url, map_client_error(exc))
        except RedisError:
            raise  # not the page's fault: the scan cannot go on without Redis
        except Exception as exc:  # one odd page must not sink a scan: reported, logged, counted
            log.exception("unexpected error fetching %s", url)
            self.counts["unexpected"] += 1
            return self._failed(url, FetchError(f"unexpected error: {type(exc).__name__}: {exc}"))
        await self.pages.put(page)
        self.counts["fetched"] += 1
        return FetchResult(url=url, page=page)

    async def fetch_many(self, urls: Iterable[str], *, use_cache: bool = True) -> list[FetchResult]:
        """Fetch several pages, at most `fetch_concurrency` at a time; results in input order."""
        return list(await asyncio.gather(*(self.fetch(u, use_cache=use_cache) for u in urls)))

    def _failed(self, url: str, exc: FetchError) -> FetchResult:
        robots = isinstance(exc, RobotsDisallowed)
        self.counts["robots_refusals" if robots else "errors"] += 1
        log.info("fetch %s failed: %s", url, exc)
        return FetchResult(
            url=url,
            error=str(exc),
            error_kind=exc.kind,
            status=exc.status if isinstance(exc, HTTPStatusError) else None,
            robots_refused=robots,
        )

    async def _fetch_live(self, url: str, start: URL) -> FetchedPage:
        current = start
        redirects: list[str] = []
        seen = {str(start)}
        budget = self.settings.fetch_total_timeout_s
        while True:
            refusal = await self.robots.refusal(current)
            if refusal is not None:
                raise RobotsDisallowed(refusal)
            answer = await self._exchange(current, page=True, budget_s=budget)
            budget -= answer.elapsed_s
            if answer.location is None:
                break
            target = redirect_target(current, answer.location)
            if str(target) in seen:
                raise RedirectError("redirect loop")
            if len(redirects) >= self.settings.fetch_max_redirects:
                raise RedirectError("too many redirects")
            redirects.append(str(current))
            seen.add(str(target))
            current = target
        if not 200 <= answer.status < 300 or answer.body is None:
            raise HTTPStatusError(answer.status)
        return FetchedPage(
            url=url,
            final_url=str(current),
            status=answer.status,
            headers=answer.headers,
            body=answer.body,
            encoding=declared_encoding(answer.content_type, answer.body),
            fetched_at=time.time(),
            redirects=redirects,
        )

    async def _download_robots(self, origin: str) -> RobotsRecord:
        """GET `{origin}/robots.txt`, following redirects; network trouble raises `FetchError`."""
        current = URL(origin).with_path("/robots.txt")
        seen = {str(current)}
        try:
            for _ in range(self.settings.fetch_max_redirects + 1):
                answer = await self._exchange(current, page=False, budget_s=self.settings.fetch_total_timeout_s)
                if answer.location is None:
                    break
                try:
                    target = redirect_target(current, answer.location)
                except RedirectError:
                    break  # a robots.txt redirect we cannot follow counts as no robots.txt
                if str(target) in seen:
                    break
                seen.add(str(target))
                current = target
        except (FetchError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise map_client_error(exc) from None
        text = ""
        if 200 <= answer.status < 300 and answer.body is not None:
            text = answer.body.decode("utf-8", "replace")
        return RobotsRecord(origin=origin, status=answer.status, text=text, fetched_at=time.time())

    async def _exchange(self, url: URL, *, page: bool, budget_s: float) -> Answer:
        """One GET under a host slot; reads the body of a 2xx (HTML if `page`) answer."""
        if budget_s <= 0:
            raise FetchTimeout("timeout")
        host = url.raw_host or ""
        # Waiters of this process queue here, so only `cap` of them poll Redis for a slot.
        local = self._host_sems.setdefault(host, asyncio.Semaphore(self._per_host))
        async with local:
            token = await self.slots.acquire(
                host, cap=self._per_host, ttl_s=self._lease_ttl_s, wait_s=self._slot_wait_s
            )
            if token is None:
                raise HostBusy(f"host busy: {host}")
            try:
                async with self._connections:
                    return await self._get(url, page=page, budget_s=budget_s)
            finally:
                await self.slots.release(host, token)

    async def _get(self, url: URL, *, page: bool, budget_s: float) -> Answer:
        assert self._session is not None
        timeout = aiohttp.ClientTimeout(
            total=budget_s,
            connect=self.settings.fetch_connect_timeout_s,
            sock_connect=self.settings.fetch_connect_timeout_s,
        )
        return await exchange(
            self._session, url, page=page, timeout=timeout, max_body_bytes=self.settings.fetch_max_body_bytes
        )
