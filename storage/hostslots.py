"""Per-host fetch slots shared by every worker process: leases in a Redis sorted set."""

import asyncio
import logging
import random
import uuid

from redis.asyncio import Redis

from storage.keys import Keys

log = logging.getLogger(__name__)

# KEYS[1]: the host's sorted set of leases (member: token, score: expiry in ms, Redis clock).
# ARGV: cap, ttl_ms, token. Returns 0 when the lease was taken, else the ms until the earliest
# lease expires (an upper bound on the wait; a release usually frees a slot sooner).
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now))
  return 0
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(first[2]) - now)
"""

_MIN_POLL_S = 0.02
_MAX_POLL_S = 0.25


class HostSlots:
    """At most `cap` concurrent leases per host across all processes sharing the Redis.

    Leases expire after `ttl_s` so a crashed worker cannot block a host for longer than that;
    the holder must finish its work (or give up) within the TTL. Time is the Redis server's
    clock, so workers on machines with skewed clocks agree.

    Args:
        redis: an asyncio Redis client (not owned: the caller closes it).
        keys: the key builder of this install's namespace.
    """

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._acquire = redis.register_script(_ACQUIRE)

    async def try_acquire(self, host: str, *, cap: int, ttl_s: float) -> tuple[str | None, float]:
        """One attempt: `(token, 0.0)` when a lease was taken, else `(None, seconds_to_expiry)`."""
        token = uuid.uuid4().hex
        ttl_ms = max(1, int(ttl_s * 1000))
        try:
            wait_ms = int(await self._acquire(keys=[self._keys.host_slots(host)], args=[cap, ttl_ms, token]))
        except BaseException:
            # Cancelled mid-call: the lease may exist without us knowing; drop it (else it expires).
            await self._release_quietly(host, token)
            raise
        if wait_ms == 0:
            return token, 0.0
        return None, wait_ms / 1000

    async def acquire(self, host: str, *, cap: int, ttl_s: float, wait_s: float) -> str | None:
        """Take a lease on `host`, polling up to `wait_s`; the lease token, or None on time-out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        poll = _MIN_POLL_S
        while True:
            token, expiry_s = await self.try_acquire(host, cap=cap, ttl_s=ttl_s)
            if token is not None:
                return token
            left = deadline - loop.time()
            if left <= 0:
                return None
            # Jitter keeps waiters on a busy host from polling in lockstep.
            await asyncio.sleep(min(left, expiry_s, poll * random.uniform(0.5, 1.5)))
            poll = min(poll * 2, _MAX_POLL_S)

    async def release(self, host: str, token: str) -> None:
        """Give a lease back; releasing an expired or unknown token does nothing."""
        await self._redis.zrem(self._keys.host_slots(host), token)

    async def held(self, host: str) -> int:
        """How many unexpired leases `host` has now (for diagnostics and tests)."""
        key = self._keys.host_slots(host)
        seconds, micros = await self._redis.time()
        now_ms = seconds * 1000 + micros // 1000
        return int(await self._redis.zcount(key, f"({now_ms}", "+inf"))

    async def _release_quietly(self, host: str, token: str) -> None:
        try:
            await self.release(host, token)
        except Exception as exc:  # the lease expires on its own; say so and move on
            log.warning("could not release host slot of %s (it will expire): %s", host, exc)
