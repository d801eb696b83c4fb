"""Per-host fetch slots: a cap shared by every worker, leases that expire, against real Redis."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from storage.hostslots import HostSlots
from storage.keys import Keys


@pytest.fixture
async def clients(redis_url: str) -> AsyncIterator[tuple[aioredis.Redis, aioredis.Redis]]:
    """Two clients with their own connections, standing for two worker processes."""
    first = aioredis.Redis.from_url(redis_url)
    second = aioredis.Redis.from_url(redis_url)
    yield first, second
    await first.aclose()
    await second.aclose()


@pytest.fixture
def slots(clients: tuple[aioredis.Redis, aioredis.Redis], namespace: str) -> HostSlots:
    return HostSlots(clients[0], Keys(namespace))


async def test_no_more_leases_than_the_cap_are_handed_out(slots: HostSlots) -> None:
    first, _ = await slots.try_acquire("a.test", cap=2, ttl_s=30)
    second, _ = await slots.try_acquire("a.test", cap=2, ttl_s=30)
    third, wait_s = await slots.try_acquire("a.test", cap=2, ttl_s=30)
    assert first and second and first != second
    assert third is None
    assert 0 < wait_s <= 30, "the answer says when the oldest lease expires at the latest"
    assert await slots.held("a.test") == 2


async def test_a_released_lease_frees_a_slot(slots: HostSlots) -> None:
    token = await slots.acquire("a.test", cap=1, ttl_s=30, wait_s=0)
    assert token is not None
    assert await slots.acquire("a.test", cap=1, ttl_s=30, wait_s=0) is None
    await slots.release("a.test", token)
    assert await slots.held("a.test") == 0
    assert await slots.acquire("a.test", cap=1, ttl_s=30, wait_s=0) is not None


async def test_hosts_have_separate_slots(slots: HostSlots) -> None:
    assert await slots.acquire("a.test", cap=1, ttl_s=30, wait_s=0)
    assert await slots.acquire("b.test", cap=1, ttl_s=30, wait_s=0)


async def test_a_waiter_gets_the_slot_soon_after_a_release(slots: HostSlots) -> None:
    token = await slots.acquire("a.test", cap=1, ttl_s=30, wait_s=0)
    assert token is not None

    async def release_later() -> None:
        await asyncio.sleep(0.2)
        await slots.release("a.test", token)

    releaser = asyncio.create_task(release_later())
    started = time.monotonic()
    second = await slots.acquire("a.test", cap=1, ttl_s=30, wait_s=5)
    waited = time.monotonic() - started
    await releaser
    assert second is not None
    assert 0.15 < waited < 1.0


async def test_a_waiter_gives_up_after_its_wait(slots: HostSlots) -> None:
    assert await slots.acquire("a.test", cap=1, ttl_s=30, wait_s=0)
    started = time.monotonic()
    assert await slots.acquire("a.test", cap=1, ttl_s=30, wait_s=0.3) is None
    assert 0.25 < time.monotonic() - started < 1.0


async def test_a_lease_of_a_crashed_worker_expires(slots: HostSlots) -> None:
    assert await slots.acquire("a.test", cap=1, ttl_s=0.2, wait_s=0)  # never released
    started = time.monotonic()
    assert await slots.acquire("a.test", cap=1, ttl_s=30, wait_s=2) is not None
    assert time.monotonic() - started < 1.0


async def test_the_key_expires_with_its_last_lease(
    slots: HostSlots, clients: tuple[aioredis.Redis, aioredis.Redis], namespace: str
) -> None:
    await slots.acquire("a.test", cap=3, ttl_s=5, wait_s=0)
    await slots.acquire("a.test", cap=3, ttl_s=20, wait_s=0)
    ttl_ms = await clients[0].pttl(Keys(namespace).host_slots("a.test"))
    assert 15_000 < ttl_ms <= 20_000, "no key outlives its longest lease"


async def test_releasing_an_unknown_token_does_nothing(slots: HostSlots) -> None:
    token = await slots.acquire("a.test", cap=1, ttl_s=30, wait_s=0)
    await slots.release("a.test", "not-a-token")
    assert token is not None and await slots.held("a.test") == 1


async def test_the_cap_holds_for_many_holders_on_two_connections(
    clients: tuple[aioredis.Redis, aioredis.Redis], namespace: str
) -> None:
    workers = [HostSlots(client, Keys(namespace)) for client in clients]
    holding = 0
    most = 0

    async def hold(slots: HostSlots) -> None:
        nonlocal holding, most
        token = await slots.acquire("busy.test", cap=3, ttl_s=10, wait_s=5)
        assert token is not None
        holding += 1
        most = max(most, holding)
        await asyncio.sleep(0.03)
        holding -= 1
        await slots.release("busy.test", token)

    await asyncio.gather(*(hold(workers[n % 2]) for n in range(16)))
    assert most == 3
    assert await workers[0].held("busy.test") == 0
