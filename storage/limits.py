"""Exact rate limits: one atomic Lua script per request, shared by every gateway process."""

import time
from dataclasses import dataclass

import redis.asyncio as aioredis

from storage.keys import Keys

WINDOW_S = 3600

# KEYS[1] counter; ARGV: cost, limit, ttl. Adds the cost only when it fits: a refused request
# costs nothing. Returns {allowed, used after, ttl left}.
_CHARGE = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
if used + cost > limit then
  local ttl = redis.call('TTL', KEYS[1])
  return {0, used, ttl}
end
used = redis.call('INCRBY', KEYS[1], cost)
if redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
end
return {1, used, redis.call('TTL', KEYS[1])}
"""


@dataclass(frozen=True, slots=True)
class Quota:
    """Where a caller stands in the current hourly window."""

    allowed: bool
    limit: int
    remaining: int
    reset_s: int

    def headers(self) -> dict[str, str]:
        """`RateLimit-*` headers (and `Retry-After` when refused)."""
        out = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
               "RateLimit-Reset": str(self.reset_s)}
        if not self.allowed:
            out["Retry-After"] = str(self.reset_s)
        return out


class RateLimiter:
    """Hourly fixed-window counters per caller (`session:<id>`, `ip:<addr>`, `key:<id>`)."""

    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        self.client = client
        self.keys = keys
        self._charge = client.register_script(_CHARGE)

    def counter(self, who: str) -> tuple[str, int]:
        """The key counting the caller's current window, and the seconds until the window ends."""
        now = time.time()
        window = int(now // WINDOW_S)
        return self.keys.quota(who, window), (window + 1) * WINDOW_S - int(now)

    @staticmethod
    def standing(counted: bytes | str | None, limit: int, until_reset: int) -> Quota:
        """Where a caller stands given its counter's value (read by `peek` or with other keys)."""
        return Quota(True, limit, max(0, limit - int(counted or 0)), max(1, until_reset))

    async def charge(self, who: str, cost: int, limit: int) -> Quota:
        """Add `cost` checks if they fit under `limit` this hour; refused ones cost nothing."""
        key, until_reset = self.counter(who)
        allowed, used, _ = await self._charge(keys=[key], args=[cost, limit, until_reset + 60])
        return Quota(bool(allowed), limit, max(0, limit - int(used)), max(1, until_reset))

    async def peek(self, who: str, limit: int) -> Quota:
        """Where the caller stands, without charging (an answer that costs nothing is allowed)."""
        key, until_reset = self.counter(who)
        return self.standing(await self.client.get(key), limit, until_reset)
