"""robots.txt policy (RFC 9309) with protego, cached per origin in Redis and per scan in memory.

2xx: the rules apply. 3xx left after the redirects, 4xx (but 429): no rules, all allowed.
429 or 5xx: all disallowed. Network failure (timeout, TLS, refused address): the fetch fails
with that error, since the page is no more reachable than its robots.txt. 429/5xx answers and
network failures are kept only in memory, for `unreachable_ttl_s` (about one scan), so a host
that is down now is asked again later rather than shunned for a day.
"""

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from protego import Protego
from yarl import URL

from contracts.fetch import RobotsRecord
from storage.robots import RobotsCache
from workers.fetch.errors import FetchError, HostBusy

log = logging.getLogger(__name__)

#: RFC 9309 asks crawlers to parse at least 500 KiB; the rest may be ignored.
ROBOTS_MAX_BYTES = 512 * 1024

RobotsDownloader = Callable[[str], Awaitable[RobotsRecord]]


def user_agent_token(user_agent: str) -> str:
    """The product token robots.txt groups match on: `BacklinksBot/0.1 (+url)` -> `BacklinksBot`."""
    token = user_agent.strip().split("/", 1)[0].split(None, 1)
    return token[0] if token else user_agent


def origin_of(url: URL) -> str:
    """`scheme://host[:port]` of `url`, the unit robots.txt applies to."""
    return str(url.origin())


def lasting(record: RobotsRecord) -> bool:
    """True for answers that say something lasting about the site (not 429, not 5xx)."""
    return record.status < 500 and record.status != 429


class _Known:
    """What this policy knows about one origin: rules, or the error its robots.txt gave."""

    __slots__ = ("error", "record", "rules", "since")

    def __init__(
        self,
        record: RobotsRecord | None,
        rules: Protego | None = None,
        error: FetchError | None = None,
    ) -> None:
        self.record = record
        self.rules = rules
        self.error = error
        self.since = record.fetched_at if record is not None else time.time()


class RobotsPolicy:
    """Answers "may we fetch this URL?" for one scan; fetches robots.txt once per origin.

    Args:
        cache: the shared robots.txt cache.
        download: fetches `{origin}/robots.txt` (redirects followed) through the guarded
            session; raises `FetchError` when it cannot be reached.
        user_agent: our User-Agent; its product token selects the robots.txt group.
        ttl_s: how long an answer stays usable in memory (the Redis cache's TTL).
        unreachable_ttl_s: how long a 429/5xx answer or a network failure is remembered.
    """

    def __init__(
        self,
        cache: RobotsCache,
        download: RobotsDownloader,
        user_agent: str,
        *,
        ttl_s: float = 86_400,
        unreachable_ttl_s: float = 600,
    ) -> None:
        self._cache = cache
        self._download = download
        self._ttl_s = ttl_s
        self._unreachable_ttl_s = unreachable_ttl_s
        self.token = user_agent_token(user_agent)
        self._known: dict[str, _Known] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        #: "downloaded", "cache_hits", "unavailable", "unreachable" counts for diagnostics.
        self.counts: Counter[str] = Counter()

    async def refusal(self, url: URL) -> str | None:
        """None when robots.txt lets our User-Agent fetch `url`, else why not.

        Raises the `FetchError` of the robots.txt fetch when robots.txt could not be reached.
        """
        known = await self._lookup(origin_of(url))
        if known.error is not None:
            raise known.error.with_traceback(None)
        record = known.record
        assert record is not None
        if known.rules is not None:
            return None if known.rules.can_fetch(str(url), self.token) else "robots.txt disallows"
        if not lasting(record):
            return f"robots.txt unavailable: HTTP {record.status}"
        return None

    async def allowed(self, url: URL) -> bool:
        """True when robots.txt lets our User-Agent fetch `url` (see `refusal`)."""
        return await self.refusal(url) is None

    def _fresh(self, origin: str) -> _Known | None:
        known = self._known.get(origin)
        if known is None:
            return None
        short = known.error is not None or (known.record is not None and not lasting(known.record))
        ttl = self._unreachable_ttl_s if short else self._ttl_s
        if time.time() - known.since > ttl:
            del self._known[origin]
            return None
        return known

    async def _lookup(self, origin: str) -> _Known:
        known = self._fresh(origin)
        if known is not None:
            return known
        # One download per origin even when many fetches of that origin start together.
        async with self._locks.setdefault(origin, asyncio.Lock()):
            known = self._fresh(origin)
            if known is not None:
                return known
            known = await self._load(origin)
            self._known[origin] = known
            return known

    async def _load(self, origin: str) -> _Known:
        record = await self._cache.get(origin)
        if record is not None:
            self.counts["cache_hits"] += 1
        else:
            try:
                record = await self._download(origin)
            except HostBusy:
                raise  # says nothing about the site: ask again next time
            except FetchError as exc:
                self.counts["unreachable"] += 1
                log.info("robots.txt of %s unreachable: %s", origin, exc)
                return _Known(None, error=exc)
            self.counts["downloaded"] += 1
            if lasting(record):
                await self._cache.put(record)
            else:
                self.counts["unavailable"] += 1
                log.info("robots.txt of %s: HTTP %s, disallow all", origin, record.status)
        rules = Protego.parse(record.text) if 200 <= record.status < 300 else None
        return _Known(record, rules)
