"""The system under benchmark: worker processes of their own, a gateway, jobs enqueued and awaited."""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from backlinks.settings import Settings
from backlinks.stack import GatewayThread, free_port
from bench.common import REPO
from contracts.enums import JobKind, JobStatus
from contracts.jobs import IngestMessage, Job
from storage.client import async_client, sync_client
from storage.jobs import JobStore
from storage.keys import Keys
from storage.workers import live_workers
from workers.broker import INGEST_ACTOR, INGEST_QUEUE, build_broker, publish


def bench_settings(redis_url: str, data_dir: str, **overrides: Any) -> Settings:
    """Settings of a benchmark system: its own namespace, loopback fetching allowed."""
    values: dict[str, Any] = {
        "redis_url": redis_url,
        "namespace": f"bench{uuid.uuid4().hex[:8]}",
        "data_dir": data_dir,
        "fetch_allow_nets": ["127.0.0.0/8"],
        "session_checks_per_hour": 10**9,
        "ip_checks_per_hour": 10**9,
    }
    values.update(overrides)
    return Settings(**values)


def settings_env(settings: Settings) -> dict[str, str]:
    """`BACKLINKS_*` variables that give another process these settings."""
    env = {}
    defaults = Settings()
    for name in settings.__struct_fields__:
        value = getattr(settings, name)
        if value == getattr(defaults, name):
            continue
        if isinstance(value, list):
            value = ",".join(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        env[f"BACKLINKS_{name.upper()}"] = str(value)
    return env


class Workers:
    """Worker processes (`backlinks worker`) started one by one, all stopped at the end."""

    def __init__(self, settings: Settings, threads: int | None = None) -> None:
        self.settings = settings
        self.threads = threads
        self.processes: list[subprocess.Popen[bytes]] = []
        self._logs = tempfile.TemporaryDirectory(prefix="bench-workers-")

    def add(self, timeout_s: float = 30) -> None:
        """Start one more worker and wait until its heartbeat is seen."""
        env = {**os.environ, **settings_env(self.settings), "PYTHONPATH": str(REPO)}
        args = [sys.executable, "-m", "backlinks.cli", "worker"]
        if self.threads:
            args += ["--threads", str(self.threads)]
        log = open(Path(self._logs.name) / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115
        self.processes.append(subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO))
        client = sync_client(self.settings.redis_url)
        try:
            deadline = time.monotonic() + timeout_s
            while live_workers(client, Keys(self.settings.namespace)) < len(self.processes):
                if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                    raise RuntimeError(f"worker did not start; see {self._logs.name}")
                time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        """Stop every worker this object started (SIGTERM, then SIGKILL after 15 s)."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        self._logs.cleanup()

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class IngestRun(msgspec.Struct):
    """What one batch of ingest jobs did."""

    seconds: float
    pages: int
    links: int
    failed: list[str]


def ingest(settings: Settings, sources: list[Path], timeout_s: float = 600) -> IngestRun:
    """Enqueue one ingest job per source and wait for all; timed from the first enqueue."""
    return asyncio.run(_ingest(settings, sources, timeout_s))


async def _ingest(settings: Settings, sources: list[Path], timeout_s: float) -> IngestRun:
    client = async_client(settings.redis_url)
    jobs = JobStore(client, Keys(settings.namespace), settings.job_ttl_s)
    broker = build_broker(settings, settings.redis_url)
    try:
        ids = [uuid.uuid4().hex for _ in sources]
        for job_id in ids:
            await jobs.create(Job(job_id=job_id, kind=JobKind.INGEST, created_at=time.time()))
        started = time.perf_counter()
        for job_id, source in zip(ids, sources, strict=True):
            publish(broker, INGEST_QUEUE, INGEST_ACTOR, IngestMessage(job_id=job_id, source=str(source)))
        pending, done = set(ids), []
        while pending:
            if time.perf_counter() - started > timeout_s:
                raise TimeoutError(f"ingest jobs still running after {timeout_s} s")
            for job_id in list(pending):
                job = await jobs.get(job_id)
                if job is not None and job.status in (JobStatus.DONE, JobStatus.FAILED):
                    pending.discard(job_id)
                    done.append(job)
            await asyncio.sleep(0.02)
        seconds = time.perf_counter() - started
        return IngestRun(seconds=seconds, pages=sum(j.ingest.pages for j in done if j.ingest),
                         links=sum(j.ingest.links for j in done if j.ingest),
                         failed=[j.error or "?" for j in done if j.status == JobStatus.FAILED])
    finally:
        await client.aclose()
        broker.close()


def drop_index(settings: Settings) -> None:
    """Delete the namespace's link index (so the next run starts from nothing)."""
    client = sync_client(settings.redis_url)
    try:
        batch = []
        for key in client.scan_iter(match=f"{settings.namespace}:idx:*", count=5000):
            batch.append(key)
            if len(batch) >= 5000:
                client.unlink(*batch)
                batch.clear()
        if batch:
            client.unlink(*batch)
    finally:
        client.close()


@contextlib.contextmanager
def gateway(settings: Settings) -> Iterator[str]:
    """The gateway served by uvicorn from a thread of this process; its base URL."""
    thread = GatewayThread(settings, settings.redis_url, "127.0.0.1", free_port())
    thread.start()
    try:
        yield thread.url
    finally:
        thread.stop()
