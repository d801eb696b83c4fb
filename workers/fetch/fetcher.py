"""The page fetcher: page cache, robots.txt, host slots, guarded connections, redirects by hand.

Data flow of `Fetcher.fetch(url)`:

1. page cache hit -> the cached page;
2. for the URL and every redirect hop: robots.txt check, a per-host slot (shared by all
   workers), one GET without automatic redirects through the guarded connector;
3. a 2xx HTML answer is read in chunks up to the body cap (decompressed bytes), stored in the
   page cache and returned; anything else becomes a `FetchResult` with a short `error`.

aiohttp and OS errors are mapped to `FetchError`s in one place (`errors.map_client_error`); `fetch`
never raises for trouble on the network (Redis trouble does propagate).
"""

import asyncio
import logging
import ssl
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
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
    BodyTooLarge,
    FetchConfigError,
    FetchError,
    FetchTimeout,
    HostBusy,
    HTTPStatusError,
    NotHTML,
    RedirectError,
    RobotsDisallowed,
    map_client_error,
)
from workers.fetch.guard import AddressPolicy
from workers.fetch.resolve import OverrideResolver
from workers.fetch.robots import ROBOTS_MAX_BYTES, RobotsPolicy

log = logging.getLogger(__name__)

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_BYTES = 64 * 1024
# A lease outlives the longest request it covers, so it only expires early if a worker dies.
_LEASE_MARGIN_S = 5.0


@dataclass(slots=True)
class _Answer:
    """One HTTP exchange, read as far as we need it."""

    url: URL
    status: int
    headers: list[tuple[str, str]]
    location: str | None = None
    body: bytes | None = None
    content_type: str | None = None
    #: Time on the network, slot and connection waits excluded.
    elapsed_s: float = 0.0


def parse_url(url: str) -> URL:
    """An absolute http(s) URL without fragment, or `BadURL`."""
    try:
        parsed = URL(url)
    except (TypeError, ValueError) as exc:
        raise BadURL(f"invalid URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise BadURL(f"not an http(s) URL: {url[:200]}")
    return parsed.with_fragment(None)


def redirect_target(current: URL, location: str) -> URL:
    """The absolute http(s) URL a `Location` header points to (fragment dropped), or `RedirectError`."""
    try:
        target = current.join(URL(location)).with_fragment(None)
    except (TypeError, ValueError):
        target = None
    if target is None or target.scheme not in ("http", "https") or not target.raw_host:
        raise RedirectError(f"redirect to unsupported URL: {location[:200]}")
    return target


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


def _ssl_context(ca_bundle: str) -> ssl.SSLContext | bool:
    if not ca_bundle:
        return True
    try:
        return ssl.create_default_context(cafile=ca_bundle)
    except (OSError, ssl.SSLError) as exc:
        raise FetchConfigError(f"BACKLINKS_FETCH_CA_BUNDLE={ca_bundle!r}: {exc}") from None


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
        self._ssl = _ssl_context(settings.fetch_ca_bundle)
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
        connector = aiohttp.TCPConnector(
            resolver=self._resolver,
            socket_factory=self.guard.socket_factory,
            ssl=self._ssl,
            limit=max(100, 2 * self.settings.fetch_concurrency),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            # No proxies from the environment: a proxy would be the only address the guard sees.
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": self.settings.fetch_user_agent, "Accept": ACCEPT},
        )
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

    async def _exchange(self, url: URL, *, page: bool, budget_s: float) -> _Answer:
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

    async def _get(self, url: URL, *, page: bool, budget_s: float) -> _Answer:
        assert self._session is not None
        timeout = aiohttp.ClientTimeout(
            total=budget_s,
            connect=self.settings.fetch_connect_timeout_s,
            sock_connect=self.settings.fetch_connect_timeout_s,
        )
        loop = asyncio.get_running_loop()
        began = loop.time()
        async with self._session.get(
            url,
            allow_redirects=False,
            timeout=timeout,
            headers=None if page else {"Accept": "*/*"},
        ) as resp:
            answer = _Answer(
                url=url,
                status=resp.status,
                headers=[(str(k), str(v)) for k, v in resp.headers.items()],
                content_type=resp.headers.get("Content-Type"),
            )
            if resp.status in REDIRECT_STATUSES and "Location" in resp.headers:
                answer.location = resp.headers["Location"]
            elif 200 <= resp.status < 300:
                answer.body = await (self._read_page(resp) if page else self._read_robots(resp))
        answer.elapsed_s = loop.time() - began
        return answer

    async def _read_page(self, resp: aiohttp.ClientResponse) -> bytes:
        content_type = resp.headers.get("Content-Type", "")
        mime = content_type.split(";", 1)[0].strip().lower()
        # A missing Content-Type is given the benefit of the doubt; the extractor copes.
        if mime and mime not in HTML_TYPES:
            raise NotHTML(mime)
        cap = self.settings.fetch_max_body_bytes
        if resp.content_length is not None and resp.content_length > cap:
            raise BodyTooLarge(cap)
        body = bytearray()
        # Chunks are decompressed bytes, so the cap holds for gzip/deflate/br bodies too.
        async for chunk in resp.content.iter_chunked(_CHUNK_BYTES):
            body += chunk
            if len(body) > cap:
                raise BodyTooLarge(cap)
        return bytes(body)

    async def _read_robots(self, resp: aiohttp.ClientResponse) -> bytes:
        body = bytearray()
        async for chunk in resp.content.iter_chunked(_CHUNK_BYTES):
            body += chunk
            if len(body) >= ROBOTS_MAX_BYTES:
                break
        return bytes(body[:ROBOTS_MAX_BYTES])
