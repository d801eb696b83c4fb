"""`backlinks ingest FILE|URL...`: one job per archive, with a progress bar."""

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from backlinks.errors import BacklinksError
from backlinks.runtime import acquire_redis
from backlinks.settings import Settings
from contracts.enums import JobKind, JobStatus
from contracts.jobs import IngestMessage, Job
from storage.client import async_client, sync_client
from storage.jobs import JobStore
from storage.keys import Keys
from storage.workers import live_workers
from workers.broker import INGEST_ACTOR, INGEST_QUEUE, build_broker, publish
from workers.runner import WorkerProcess


def resolve_source(source: str) -> str:
    """An http(s) URL as is; a local path made absolute (workers may run elsewhere), checked."""
    if source.startswith(("http://", "https://")):
        return source
    if "://" in source:
        raise BacklinksError(f"{source}: only local paths and http(s) URLs can be ingested")
    path = Path(source).expanduser()
    if not path.exists():
        raise BacklinksError(f"{source}: no such file")
    if not path.is_file():
        raise BacklinksError(f"{source}: not a regular file (give a WARC or WAT file)")
    return str(path.resolve())


@contextlib.contextmanager
def system_with_worker(settings: Settings, console: Console) -> Iterator[str]:
    """The install's Redis (started if needed) and a worker (in this process if none runs)."""
    handle = acquire_redis(settings)
    worker: WorkerProcess | None = None
    try:
        client = sync_client(handle.url)
        running = live_workers(client, Keys(settings.namespace))
        client.close()
        if running == 0:
            console.print("[dim]no worker is running; running one in this process[/dim]")
            worker = WorkerProcess(settings, handle.url)
            worker.start()
        yield handle.url
    finally:
        if worker is not None:
            worker.stop()
        handle.close()


def ingest(settings: Settings, sources: list[str], *, wait: bool, console: Console) -> int:
    """Enqueue one ingest job per source; with `wait`, show progress until all end. Exit code."""
    resolved = [resolve_source(s) for s in sources]
    with system_with_worker(settings, console) if wait else _redis_only(settings) as redis_url:
        return asyncio.run(_ingest(settings, redis_url, resolved, wait, console))


@contextlib.contextmanager
def _redis_only(settings: Settings) -> Iterator[str]:
    handle = acquire_redis(settings)
    if handle.embedded is not None:
        # Nothing else runs here: keep the server for the workers that will pick the jobs up.
        handle.embedded = None
    yield handle.url


async def _ingest(settings: Settings, redis_url: str, sources: list[str], wait: bool, console: Console) -> int:
    client = async_client(redis_url)
    jobs = JobStore(client, Keys(settings.namespace), settings.job_ttl_s)
    broker = build_broker(settings, redis_url)
    try:
        ids: dict[str, str] = {}
        for source in sources:
            job_id = uuid.uuid4().hex
            await jobs.create(Job(job_id=job_id, kind=JobKind.INGEST, created_at=time.time()))
            await asyncio.to_thread(publish, broker, INGEST_QUEUE, INGEST_ACTOR,
                                    IngestMessage(job_id=job_id, source=source))
            ids[source] = job_id
        if not wait:
            for source, job_id in ids.items():
                console.print(f"queued {source} as job {job_id}")
            return 0
        return await _follow(jobs, ids, console)
    finally:
        await client.aclose()
        broker.close()


async def _follow(jobs: JobStore, ids: dict[str, str], console: Console) -> int:
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]}"),
               TimeElapsedColumn())
    failed = 0
    with Progress(*columns, console=console) as progress:
        tasks = {job_id: progress.add_task(Path(src).name or src, total=None, status="queued")
                 for src, job_id in ids.items()}
        pending = set(ids.values())
        while pending:
            for job_id in list(pending):
                job = await jobs.get(job_id)
                if job is None:
                    pending.discard(job_id)
                    failed += 1
                    progress.update(tasks[job_id], status="[red]job expired[/red]")
                    continue
                stats = job.ingest
                status = f"{job.status.value}: {stats.pages} pages, {stats.links} links" if stats else job.status.value
                if job.status == JobStatus.FAILED:
                    status = f"[red]failed: {job.error}[/red]"
                progress.update(tasks[job_id], status=status)
                if job.status in (JobStatus.DONE, JobStatus.FAILED):
                    pending.discard(job_id)
                    progress.update(tasks[job_id], total=1, completed=1)
                    failed += job.status == JobStatus.FAILED
            await asyncio.sleep(0.2)
    return 1 if failed else 0
