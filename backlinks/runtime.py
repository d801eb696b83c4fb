"""Finding (or starting) the Redis every command of one install talks to."""

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from backlinks.redis_server import EmbeddedRedis
from backlinks.settings import Settings
from storage.client import client_name

log = logging.getLogger(__name__)


@dataclass
class RedisHandle:
    """The Redis URL in use, and the embedded server when it is the data folder's."""

    url: str
    embedded: EmbeddedRedis | None = None

    def close(self) -> None:
        """Done with Redis: an embedded server is stopped when no other process uses it."""
        if self.embedded is not None:
            self.embedded.release(client_name())
            self.embedded = None


def redis_url_or_none(settings: Settings) -> str | None:
    """The configured URL, or the embedded server's when one already answers; None otherwise."""
    if settings.redis_url:
        return settings.redis_url
    server = EmbeddedRedis(settings.resolved_data_dir())
    return server.url if server.running() else None


def acquire_redis(settings: Settings) -> RedisHandle:
    """`REDIS_URL` when set; else the embedded server of the data folder, started if needed."""
    if settings.redis_url:
        return RedisHandle(settings.redis_url)
    server = EmbeddedRedis(settings.resolved_data_dir())
    if server.start():
        log.info("started embedded Redis in %s", server.data_dir)
    return RedisHandle(server.url, server)


@contextlib.contextmanager
def redis_for(settings: Settings) -> Iterator[str]:
    """Context manager form of acquire_redis."""
    handle = acquire_redis(settings)
    try:
        yield handle.url
    finally:
        handle.close()
