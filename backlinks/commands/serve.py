"""`backlinks up`, `backlinks gateway`, `backlinks worker`: long-running processes."""

import logging
import signal
import socket
import threading

import uvicorn
from rich.console import Console

from backlinks.errors import BacklinksError
from backlinks.runtime import acquire_redis
from backlinks.settings import Settings
from gateway.app import create_app
from workers.runner import WorkerProcess

log = logging.getLogger(__name__)


def serve_gateway(settings: Settings, redis_url: str, host: str, port: int) -> None:
    """Serve the gateway in the foreground until SIGINT/SIGTERM, then return (so callers clean up).

    uvicorn re-raises the signal that stopped it to the handler that was there before; a quiet
    handler of ours makes that a no-op instead of killing the process before its `finally`.
    """
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1 and let
    # any local client pick its own rate-limit identity; gateway.auth.client_ip decides instead.
    uvicorn.run(create_app(settings, redis_url), host=host, port=port, log_level="info", lifespan="on",
                proxy_headers=False)


def ensure_port_free(host: str, port: int) -> None:
    """Fail before starting anything when the port is taken."""
    with socket.socket() as sock:
        # As uvicorn binds: connections of a previous run in TIME_WAIT do not make the port busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise BacklinksError(f"cannot listen on {host}:{port} ({exc.strerror}); "
                                 "choose another with --port or BACKLINKS_PORT") from None


def up(settings: Settings, host: str, port: int, console: Console) -> int:
    """Gateway + worker + Redis (embedded unless REDIS_URL) in one process; stops them all cleanly."""
    ensure_port_free(host, port)
    handle = acquire_redis(settings)
    worker = WorkerProcess(settings, handle.url)
    try:
        worker.start()
        console.print(f"Backlinks is up: http://{host}:{port}  (Redis: {handle.url}; Ctrl-C stops everything)")
        serve_gateway(settings, handle.url, host, port)
    finally:
        console.print("stopping worker and Redis ...")
        worker.stop()
        handle.close()
    return 0


def gateway(settings: Settings, host: str, port: int) -> int:
    """Only the gateway (Redis must be reachable: REDIS_URL, or a running embedded server)."""
    ensure_port_free(host, port)
    handle = acquire_redis(settings)
    try:
        serve_gateway(settings, handle.url, host, port)
    finally:
        handle.close()
    return 0


def worker(settings: Settings, threads: int | None, console: Console) -> int:
    """Only a worker, until SIGINT/SIGTERM."""
    handle = acquire_redis(settings)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    process = WorkerProcess(settings, handle.url, threads)
    try:
        process.start()
        console.print(f"worker running on {handle.url}; Ctrl-C stops it")
        stop.wait()
    finally:
        process.stop()
        handle.close()
    return 0
