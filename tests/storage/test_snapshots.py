"""Snapshot thinning and the retime test hook."""

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from contracts.enums import JobKind
from contracts.jobs import Job
from contracts.results import CheckResult
from storage.checks import CheckStore
from storage.keys import Keys
from storage.snapshots import SnapshotStore

DAY = 86_400
NOW = 1_800_000_000


@pytest.fixture
async def stores(redis_url: str, namespace: str) -> AsyncIterator[tuple[CheckStore, SnapshotStore]]:
    client = aioredis.Redis.from_url(redis_url)
    keys = Keys(namespace)
    yield (CheckStore(client, keys, result_ttl_s=DAY, job_ttl_s=DAY, snapshot_keep_s=100 * DAY),
           SnapshotStore(client, keys, 100 * DAY))
    await client.aclose()


async def take(checks: CheckStore, at: int) -> None:
    job = Job(job_id=f"j{at}", kind=JobKind.CHECK)
    await checks.finish(job, CheckResult(domain="example.com", results=[], scanned_at=at), debug=False)


async def test_old_snapshots_are_thinned_to_the_newest_of_each_day_and_recent_ones_kept(
    stores: tuple[CheckStore, SnapshotStore]
) -> None:
    checks, snaps = stores
    times = [NOW - 5 * DAY + 60, NOW - 5 * DAY + 7200,  # two on one old day: the later stays
             NOW - 3 * DAY + 10,  # one on another old day
             NOW - 101 * DAY,  # past keep: dropped
             NOW - DAY, NOW - DAY + 5, NOW - 60]  # inside 48 h: all kept
    for at in times:
        await take(checks, at)
    dropped = await snaps.thin("example.com", False, False, NOW)
    kept = [ts for _, ts in await snaps.ids("example.com", False, False)]
    assert dropped == 2
    assert kept == [NOW - 5 * DAY + 7200, NOW - 3 * DAY + 10, NOW - DAY, NOW - DAY + 5, NOW - 60]


async def test_retime_moves_a_snapshot_and_its_order(stores: tuple[CheckStore, SnapshotStore]) -> None:
    checks, snaps = stores
    await take(checks, NOW)
    await take(checks, NOW + 10)
    first_id = (await snaps.ids("example.com", False, False))[0][0]
    first = await snaps.get(first_id)
    assert first is not None
    await snaps.retime(first, NOW - 3 * DAY)
    assert [ts for _, ts in await snaps.ids("example.com", False, False)] == [NOW - 3 * DAY, NOW + 10]
    moved = await snaps.get(first_id)
    assert moved is not None and moved.taken_at == NOW - 3 * DAY
