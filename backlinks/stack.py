"""The pieces of a running system (Redis, worker, gateway) started inside one process."""

import contextlib
import logging
import socket
import threading
import time

import uvicorn

from backlinks.runtime import RedisHandle, acquire_redis
from backlinks.settings import Settings
from gateway.app import create_app
from workers.runner import WorkerProcess

log = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class GatewayThread:
    """uvicorn serving the gateway from a background thread."""

    def __init__(self, settings: Settings, redis_url: str, host: str, port: int) -> None:
        config = uvicorn.Config(create_app(settings, redis_url), host=host, port=port, log_level="warning",
                                proxy_headers=False,
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="gateway", daemon=True)
        self.url = f"http://{host}:{port}"

    def start(self, timeout_s: float = 20) -> None:
        """Start serving and wait until the socket accepts."""
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the gateway did not start on {self.url}")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop serving."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


class Stack:
    """Redis (embedded unless REDIS_URL), an in-process worker, optionally a gateway thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.redis: RedisHandle | None = None
        self.worker: WorkerProcess | None = None
        self.gateway: GatewayThread | None = None

    @property
    def redis_url(self) -> str:
        """The Redis in use (after start)."""
        assert self.redis is not None
        return self.redis.url

    def start(self, *, worker: bool = True, gateway_port: int | None = None, host: str = "127.0.0.1") -> "Stack":
        """Start what is asked; `gateway_port=0` picks a free port."""
        self.redis = acquire_redis(self.settings)
        if worker:
            self.worker = WorkerProcess(self.settings, self.redis.url)
            self.worker.start()
        if gateway_port is not None:
            port = gateway_port or free_port(host)
            self.gateway = GatewayThread(self.settings, self.redis.url, host, port)
            self.gateway.start()
        return self

    def stop(self) -> None:
        """Stop everything this stack started, gateway first, Redis last."""
        if self.gateway is not None:
            self.gateway.stop()
            self.gateway = None
        if self.worker is not None:
            with contextlib.suppress(Exception):
                self.worker.stop()
            self.worker = None
        if self.redis is not None:
            self.redis.close()
            self.redis = None

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
