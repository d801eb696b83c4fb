"""A worker process killed mid-job: nothing half-written, the job is retried and completes."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from backlinks.stack import GatewayThread, free_port
from storage.keys import Keys
from tests.e2e.conftest import make_settings
from tests.helpers.warcs import WarcPage, write_warc
from tests.helpers.web import LoopbackWeb, running_web

TARGET = "crash-target.com"
PAGES = [f"http://slow{i}.referrer.test/page" for i in range(4)]


def page(i: int) -> bytes:
    return f'<p><a href="https://{TARGET}/p{i}">page {i}</a></p>'.encode()


@pytest.fixture
def web(tmp_path: Path) -> Iterator[LoopbackWeb]:
    for server in running_web([], tmp_path / "ca.pem"):
        for i, url in enumerate(PAGES):
            server.add(url, page(i), delay_s=3.0)
        yield server


def spawn_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    code = "from backlinks.cli import main; import sys; sys.exit(main(['worker', '--threads', '2']))"
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def test_a_killed_worker_leaves_no_half_written_result_and_the_job_completes(
    redis_url: str, tmp_path: Path, web: LoopbackWeb, sync_redis: redis.Redis
) -> None:
    settings = make_settings(redis_url, tmp_path, fetch_connect_to=web.connect_to(),
                             broker_heartbeat_timeout_ms=2000, broker_maintenance_chance=1_000_000)
    env = {**os.environ, "REDIS_URL": redis_url, "BACKLINKS_NAMESPACE": settings.namespace,
           "BACKLINKS_FETCH_ALLOW_NETS": "127.0.0.0/8", "BACKLINKS_FETCH_CONNECT_TO": ",".join(web.connect_to()),
           "BACKLINKS_BROKER_HEARTBEAT_TIMEOUT_MS": "2000", "BACKLINKS_BROKER_MAINTENANCE_CHANCE": "1000000",
           "BACKLINKS_DATA_DIR": str(tmp_path)}
    keys = Keys(settings.namespace)
    write_warc(tmp_path / "slow.warc.gz", [WarcPage(url=u, body=page(i)) for i, u in enumerate(PAGES)])
    first = spawn_worker(env)
    gateway = GatewayThread(settings, redis_url, "127.0.0.1", free_port())
    gateway.start()
    second = None
    try:
        from rich.console import Console

        from backlinks.commands.ingest import ingest

        assert ingest(settings, [str(tmp_path / "slow.warc.gz")], wait=True, console=Console(quiet=True)) == 0
        with httpx.Client(base_url=gateway.url, timeout=60) as http:
            accepted = http.post("/api/v1/backlinks/check", json={"domain": TARGET, "deep_scan": True}).json()
            job_url = accepted["poll_url"]
            deadline = time.monotonic() + 20
            while http.get(job_url).json()["status"] != "running":
                assert time.monotonic() < deadline, "the job never started"
                time.sleep(0.05)
            time.sleep(0.5)  # mid-fetch: the pages take 3 s each
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)

            job = http.get(job_url).json()
            assert job["status"] == "running"
            assert job["result"] is None
            assert sync_redis.get(keys.result(TARGET, True, False)) is None
            assert sync_redis.zcard(keys.snapshots(TARGET, True, False)) == 0

            second = spawn_worker(env)
            deadline = time.monotonic() + 40
            while (job := http.get(job_url).json())["status"] != "done":
                assert job["status"] != "failed", job
                assert time.monotonic() < deadline, f"the job was not retried: {job}"
                time.sleep(0.2)
        assert job["attempts"] == 2
        assert sorted(r["referring_url"] for r in job["result"]["results"]) == sorted(PAGES)
        assert all(r["source"] == "live" for r in job["result"]["results"])
        assert sync_redis.zcard(keys.snapshots(TARGET, True, False)) == 1
    finally:
        gateway.stop()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(15)
