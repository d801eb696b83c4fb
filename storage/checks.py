"""Check results: the 24 h cache, the shared in-flight job, and the atomic finish of a check."""

import secrets
import time

import msgspec
import redis.asyncio as aioredis

from contracts.enums import JobStatus
from contracts.jobs import Job
from contracts.results import CheckResult, Diagnostics
from contracts.snapshots import Snapshot, SnapshotRow
from storage.batching import BatchedReads
from storage.codec import decode, encode, text
from storage.keys import Keys


class CheckStore:
    """Repository of cached results, in-flight markers and snapshots of one namespace.

    Parameters:
      client: asyncio Redis client.
      keys: key builder.
      result_ttl_s: how long a result answers identical checks from the cache.
      job_ttl_s: how long finished jobs are kept.
      snapshot_keep_s: how long snapshots are kept.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        keys: Keys,
        *,
        result_ttl_s: int,
        job_ttl_s: int,
        snapshot_keep_s: int,
    ) -> None:
        self.client = client
        self.keys = keys
        self.result_ttl_s = result_ttl_s
        self.job_ttl_s = job_ttl_s
        self.snapshot_keep_s = snapshot_keep_s
        #: The hot read of every repeated check, batched with its concurrent neighbours.
        self.reads = BatchedReads(client)

    async def cached(self, domain: str, deep_scan: bool, include_big: bool, *,
                     diagnostics: bool = False) -> CheckResult | None:
        """The cached result of a domain + flags (`cached` true), with its diagnostics if asked; or None."""
        if not diagnostics:
            raw = await self.client.get(self.keys.result(domain, deep_scan, include_big))
            return decode(raw, CheckResult) if raw else None
        raw, diag = await self.client.mget([self.keys.result(domain, deep_scan, include_big),
                                            self.keys.result_diagnostics(domain, deep_scan, include_big)])
        if not raw:
            return None
        found = decode(raw, CheckResult)
        return msgspec.structs.replace(found, diagnostics=decode(diag, Diagnostics)) if diag else found

    async def cached_answer(self, domain: str, deep_scan: bool, include_big: bool,
                            *, also: str) -> tuple[bytes | None, bytes | None]:
        """The cached answer as stored (JSON bytes, served as they are), and in the same round trip
        the value of the key `also` (a cache hit needs the caller's quota counter too)."""
        raw, other = await self.reads.mget([self.keys.result(domain, deep_scan, include_big), also])
        return _bytes(raw), _bytes(other)

    async def claim(self, domain: str, deep_scan: bool, include_big: bool, job_id: str) -> str | None:
        """Make `job_id` the in-flight check of domain + flags; the other job's id if one runs."""
        key = self.keys.inflight(domain, deep_scan, include_big)
        if await self.client.set(key, job_id, nx=True, ex=self.job_ttl_s):
            return None
        existing = await self.client.get(key)
        return text(existing) if existing else None

    async def release(self, domain: str, deep_scan: bool, include_big: bool, job_id: str) -> None:
        """Drop the in-flight marker if it is still this job's."""
        key = self.keys.inflight(domain, deep_scan, include_big)
        current = await self.client.get(key)
        if current is not None and text(current) == job_id:
            await self.client.delete(key)

    async def finish(self, job: Job, result: CheckResult, *, debug: bool) -> Snapshot:
        """In one transaction: the job done with its result, the cache, a snapshot, no in-flight.

        The cache keeps the diagnostics apart (a later `debug` request may want them); the job
        shows them only when its request asked. A worker killed before this call leaves nothing
        half-written; the retry starts over.
        """
        snapshot = snapshot_of(result)
        job.status = JobStatus.DONE
        job.result = result if debug else msgspec.structs.replace(result, diagnostics=None)
        job.finished_at = float(result.scanned_at)
        flags = (result.domain, result.deep_scan, result.include_big)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.set(self.keys.job(job.job_id), encode(job), ex=self.job_ttl_s)
            # The cache holds the answer exactly as a cache hit serves it; diagnostics beside it.
            answer = msgspec.structs.replace(result, cached=True, diagnostics=None)
            pipe.set(self.keys.result(*flags), encode(answer), ex=self.result_ttl_s)
            if result.diagnostics is not None:
                pipe.set(self.keys.result_diagnostics(*flags), encode(result.diagnostics), ex=self.result_ttl_s)
            else:
                pipe.delete(self.keys.result_diagnostics(*flags))
            pipe.set(self.keys.snapshot(snapshot.snapshot_id), encode(snapshot), ex=self.snapshot_keep_s)
            pipe.zadd(self.keys.snapshots(*flags), {snapshot.snapshot_id: snapshot.taken_at})
            pipe.expire(self.keys.snapshots(*flags), self.snapshot_keep_s)
            pipe.delete(self.keys.inflight(*flags))
            pipe.publish(self.keys.job_events(job.job_id), job.status.value)
            await pipe.execute()
        return snapshot


def _bytes(value: bytes | str | None) -> bytes | None:
    return value.encode() if isinstance(value, str) else value


def snapshot_of(result: CheckResult) -> Snapshot:
    """What a snapshot keeps of a result."""
    return Snapshot(
        # Ids sort by creation time: Redis orders equal scores (two checks in one second) by member.
        snapshot_id=f"{time.time_ns():020d}-{secrets.token_hex(4)}",
        domain=result.domain,
        taken_at=result.scanned_at,
        deep_scan=result.deep_scan,
        include_big=result.include_big,
        rows=[
            SnapshotRow(
                referring_url=row.referring_url,
                referring_domain=row.referring_domain,
                link_type=row.link_type,
                target_url=row.target_url,
                anchor_text=row.anchor_text,
                unverified=bool(row.note and row.note.startswith("verify")),
            )
            for row in result.results
        ],
    )
