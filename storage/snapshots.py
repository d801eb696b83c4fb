"""Snapshots of completed checks: listing, thinning, and the test hook that moves them in time.

Cost: a snapshot keeps, per row, the referring URL and domain, link type, target URL and anchor
(JSON, about 350 bytes a row in Redis,
measured with MEMORY USAGE). Kept: every snapshot of the last 48 h, then the newest one of
each UTC day, for `snapshot_keep_s` (100 days by default): at most 48 h of checks plus ~100 a
domain + flags.
"""

import redis.asyncio as aioredis

from contracts.snapshots import Snapshot
from storage.codec import decode, encode, text
from storage.keys import Keys

DAY_S = 86_400
RAW_KEEP_S = 2 * DAY_S


class SnapshotStore:
    """Repository of the snapshots of each domain + flags.

    Parameters:
      client: asyncio Redis client.
      keys: key builder.
      keep_s: how long a snapshot is kept.
    """

    def __init__(self, client: aioredis.Redis, keys: Keys, keep_s: int) -> None:
        self.client = client
        self.keys = keys
        self.keep_s = keep_s

    async def ids(self, domain: str, deep_scan: bool, include_big: bool) -> list[tuple[str, int]]:
        """(snapshot id, taken_at) of a domain + flags, oldest first."""
        pairs = await self.client.zrange(self.keys.snapshots(domain, deep_scan, include_big), 0, -1, withscores=True)
        return [(text(pair[0]), int(pair[1])) for pair in pairs]

    async def get(self, snapshot_id: str) -> Snapshot | None:
        """One snapshot, or None when expired."""
        raw = await self.client.get(self.keys.snapshot(snapshot_id))
        return decode(raw, Snapshot) if raw else None

    async def retime(self, snapshot: Snapshot, taken_at: int) -> Snapshot:
        """Test hook: move a snapshot to another time (how tests fake days passing, not sleeping)."""
        moved = Snapshot(
            snapshot_id=snapshot.snapshot_id,
            domain=snapshot.domain,
            taken_at=taken_at,
            deep_scan=snapshot.deep_scan,
            include_big=snapshot.include_big,
            rows=snapshot.rows,
        )
        flags = (snapshot.domain, snapshot.deep_scan, snapshot.include_big)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.set(self.keys.snapshot(snapshot.snapshot_id), encode(moved), keepttl=True)
            pipe.zadd(self.keys.snapshots(*flags), {snapshot.snapshot_id: taken_at})
            await pipe.execute()
        return moved

    async def thin(self, domain: str, deep_scan: bool, include_big: bool, now: int) -> int:
        """Drop expired snapshots, and all but the newest of each day once older than 48 h."""
        key = self.keys.snapshots(domain, deep_scan, include_big)
        drop: list[str] = []
        newest_of_day: dict[int, str] = {}
        for snapshot_id, taken_at in await self.ids(domain, deep_scan, include_big):
            if taken_at < now - self.keep_s:
                drop.append(snapshot_id)
            elif taken_at < now - RAW_KEEP_S:
                day = taken_at // DAY_S
                if day in newest_of_day:  # ids come oldest first: the earlier one goes
                    drop.append(newest_of_day[day])
                newest_of_day[day] = snapshot_id
        if drop:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.zrem(key, *drop)
                pipe.delete(*(self.keys.snapshot(s) for s in drop))
                await pipe.execute()
        return len(drop)
