"""The whole system in the test process: private Redis, a real Dramatiq worker, uvicorn gateway."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from backlinks.commands.ingest import ingest
from backlinks.settings import Settings
from backlinks.stack import GatewayThread, free_port
from workers.runner import WorkerProcess


@dataclass
class System:
    """A running system and an HTTP client of its gateway."""

    settings: Settings
    redis_url: str
    http: httpx.Client
    worker: WorkerProcess

    def ingest(self, *sources: Path | str) -> int:
        """Ingest through the CLI path (jobs on the broker, executed by the worker)."""
        return ingest(self.settings, [str(s) for s in sources], wait=True, console=Console(quiet=True))

    def check(self, domain: str, **flags: object) -> httpx.Response:
        """POST a check and wait for its result."""
        return self.http.post("/api/v1/backlinks/check", json={"domain": domain, "wait": 60, **flags})


def make_settings(redis_url: str, tmp: Path, **overrides: object) -> Settings:
    """Settings of an isolated system: own namespace, loopback fetching allowed, short timeouts."""
    values: dict[str, object] = {
        "redis_url": redis_url,
        "namespace": f"e2e{uuid.uuid4().hex[:10]}",
        "data_dir": str(tmp),
        "fetch_allow_nets": ["127.0.0.0/8", "::1/128"],
        "fetch_connect_timeout_s": 2.0,
        "fetch_total_timeout_s": 5.0,
        "worker_threads": 4,
        "broker_heartbeat_timeout_ms": 60_000,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def start_system(settings: Settings) -> Iterator[System]:
    """Worker and gateway on the settings' Redis; stopped afterwards."""
    worker = WorkerProcess(settings, settings.redis_url)
    worker.start()
    gateway = GatewayThread(settings, settings.redis_url, "127.0.0.1", free_port())
    gateway.start()
    try:
        with httpx.Client(base_url=gateway.url, timeout=90) as http:
            yield System(settings, settings.redis_url, http, worker)
    finally:
        gateway.stop()
        worker.stop()


@pytest.fixture
def system(redis_url: str, tmp_path: Path) -> Iterator[System]:
    """A fresh system of this test's own."""
    yield from start_system(make_settings(redis_url, tmp_path))


@pytest.fixture(scope="module")
def module_system(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    """A system shared by the tests of one module (ingest once, check many times)."""
    yield from start_system(make_settings(redis_url, tmp_path_factory.mktemp("sys")))
