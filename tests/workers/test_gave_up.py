"""Jobs whose every attempt raised end as failed (they must never stay "running")."""

import time
from typing import Any

import dramatiq
import msgspec
import pytest
import redis

from backlinks.settings import Settings
from contracts.enums import JobKind, JobStatus
from contracts.jobs import IngestMessage, Job, ScanMessage
from storage.codec import decode, encode
from storage.keys import Keys
from workers.actors import register_actors
from workers.broker import (
    INGEST_ACTOR,
    INGEST_GAVE_UP_ACTOR,
    INGEST_QUEUE,
    SCAN_ACTOR,
    SCAN_GAVE_UP_ACTOR,
    SCAN_QUEUE,
    build_broker,
)


@pytest.fixture
def actors(settings: Settings) -> dict[str, Any]:
    broker = build_broker(settings, settings.redis_url)
    register_actors(broker, settings, settings.redis_url)
    return {name: broker.get_actor(name) for name in broker.get_declared_actors()}


def running_job(sync_redis: redis.Redis, keys: Keys, kind: JobKind) -> str:
    job = Job(job_id=f"job-{time.monotonic_ns()}", kind=kind, status=JobStatus.RUNNING, attempts=3,
              created_at=time.time(), started_at=time.time())
    sync_redis.set(keys.job(job.job_id), encode(job))
    return job.job_id


def stored_job(sync_redis: redis.Redis, keys: Keys, job_id: str) -> Job:
    raw = sync_redis.get(keys.job(job_id))
    assert raw is not None
    return decode(raw, Job)


def exhausted(payload: msgspec.Struct, actor: str, queue: str) -> dict[str, Any]:
    """What Dramatiq's Retries middleware sends the `on_retry_exhausted` actor."""
    message: dramatiq.Message[Any] = dramatiq.Message(queue_name=queue, actor_name=actor,
                                                      args=(msgspec.to_builtins(payload),), kwargs={}, options={})
    return message.asdict()


def test_scans_and_ingests_name_a_gave_up_actor_on_their_own_queue(actors: dict[str, Any]) -> None:
    for actor, gave_up, queue in ((SCAN_ACTOR, SCAN_GAVE_UP_ACTOR, SCAN_QUEUE),
                                  (INGEST_ACTOR, INGEST_GAVE_UP_ACTOR, INGEST_QUEUE)):
        assert actors[actor].options["on_retry_exhausted"] == gave_up
        assert actors[gave_up].queue_name == queue


def test_a_scan_that_gave_up_fails_its_job_and_frees_the_next_identical_check(
    actors: dict[str, Any], settings: Settings, sync_redis: redis.Redis
) -> None:
    keys = Keys(settings.namespace)
    job_id = running_job(sync_redis, keys, JobKind.CHECK)
    sync_redis.set(keys.inflight("example.com", True, False), job_id)
    message = ScanMessage(job_id=job_id, domain="example.com", deep_scan=True)
    actors[SCAN_GAVE_UP_ACTOR].fn(exhausted(message, SCAN_ACTOR, SCAN_QUEUE), {"retries": 2, "max_retries": 2})
    job = stored_job(sync_redis, keys, job_id)
    assert job.status == JobStatus.FAILED
    assert job.error == "scan failed: gave up after 3 attempts"
    assert job.finished_at is not None
    assert sync_redis.get(keys.inflight("example.com", True, False)) is None


def test_an_ingest_that_gave_up_fails_its_job(actors: dict[str, Any], settings: Settings,
                                              sync_redis: redis.Redis) -> None:
    keys = Keys(settings.namespace)
    job_id = running_job(sync_redis, keys, JobKind.INGEST)
    message = IngestMessage(job_id=job_id, source="/data/a.warc.gz")
    actors[INGEST_GAVE_UP_ACTOR].fn(exhausted(message, INGEST_ACTOR, INGEST_QUEUE), {"retries": 2, "max_retries": 2})
    job = stored_job(sync_redis, keys, job_id)
    assert (job.status, job.error) == (JobStatus.FAILED, "ingest failed: gave up after 3 attempts")


def test_a_job_that_ended_meanwhile_is_left_as_it_is(actors: dict[str, Any], settings: Settings,
                                                     sync_redis: redis.Redis) -> None:
    keys = Keys(settings.namespace)
    job_id = running_job(sync_redis, keys, JobKind.CHECK)
    done = msgspec.structs.replace(stored_job(sync_redis, keys, job_id), status=JobStatus.DONE)
    sync_redis.set(keys.job(job_id), encode(done))
    actors[SCAN_GAVE_UP_ACTOR].fn(exhausted(ScanMessage(job_id=job_id, domain="example.com"), SCAN_ACTOR, SCAN_QUEUE),
                                  {"retries": 2})
    assert stored_job(sync_redis, keys, job_id).status == JobStatus.DONE
