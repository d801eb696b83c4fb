"""Job records: created by the gateway or CLI, advanced by workers, kept `job_ttl_s`."""

import asyncio
import time

import redis.asyncio as aioredis

from contracts.enums import JobStatus
from contracts.jobs import Job, Progress
from storage.codec import decode, encode
from storage.keys import Keys

FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class JobStore:
    """Repository of Job records.

    Parameters:
      client: asyncio Redis client.
      keys: key builder of the namespace.
      ttl_s: how long a job is kept after its last change.
    """

    def __init__(self, client: aioredis.Redis, keys: Keys, ttl_s: int) -> None:
        self.client = client
        self.keys = keys
        self.ttl_s = ttl_s

    async def create(self, job: Job) -> None:
        """Store a new job (queued)."""
        await self.client.set(self.keys.job(job.job_id), encode(job), ex=self.ttl_s)

    async def get(self, job_id: str) -> Job | None:
        """The job, or None when unknown or expired."""
        raw = await self.client.get(self.keys.job(job_id))
        return decode(raw, Job) if raw else None

    async def save(self, job: Job) -> None:
        """Overwrite the job and announce the change."""
        await self.client.set(self.keys.job(job.job_id), encode(job), ex=self.ttl_s)
        await self.client.publish(self.keys.job_events(job.job_id), job.status.value)

    async def start(self, job_id: str) -> Job | None:
        """Mark a job running (again, on a retry); None when it is gone or already finished."""
        job = await self.get(job_id)
        if job is None or job.status in FINISHED:
            return None
        job.status = JobStatus.RUNNING
        job.started_at = time.time()
        job.attempts += 1
        job.progress = Progress()
        await self.save(job)
        return job

    async def set_progress(self, job_id: str, done: int, total: int) -> None:
        """Record progress of a running job."""
        job = await self.get(job_id)
        if job is None or job.status in FINISHED:
            return
        job.progress = Progress(done=done, total=total)
        await self.client.set(self.keys.job(job_id), encode(job), ex=self.ttl_s)

    async def fail(self, job_id: str, error: str) -> None:
        """Mark a job failed with a reason people can read."""
        job = await self.get(job_id)
        if job is None:
            return
        job.status = JobStatus.FAILED
        job.error = error
        job.finished_at = time.time()
        await self.save(job)

    async def wait(self, job_id: str, timeout_s: float, poll_s: float = 0.05) -> Job | None:
        """Wait until the job is finished or `timeout_s` passed; the job as it then is."""
        deadline = time.monotonic() + timeout_s
        delay = poll_s
        while True:
            job = await self.get(job_id)
            if job is None or job.status in FINISHED or time.monotonic() >= deadline:
                return job
            await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 1.5, 0.5)
