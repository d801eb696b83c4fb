"""Running a Dramatiq worker in this process (the `backlinks worker` command and `up`)."""

import logging

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from backlinks.settings import Settings
from storage.client import sync_client
from storage.keys import Keys
from storage.workers import WorkerPresence
from workers.actors import register_actors
from workers.broker import build_broker

log = logging.getLogger(__name__)


PRESENCE_EVERY_S = 5.0


class WorkerProcess:
    """A broker with our actors and a Dramatiq Worker consuming the configured queues.

    While it runs it announces itself in the namespace's worker set (`live_workers` counts it),
    so a CLI knows whether jobs it enqueues will be picked up.
    """

    def __init__(self, settings: Settings, redis_url: str, threads: int | None = None) -> None:
        self.presence = WorkerPresence(sync_client(redis_url), Keys(settings.namespace))
        self.broker: RedisBroker = build_broker(settings, redis_url)
        register_actors(self.broker, settings, redis_url)
        # Time limits only start counting after process_boot, which an in-process Worker never emits.
        self.broker.emit_after("process_boot")
        self.worker = dramatiq.Worker(
            self.broker,
            queues=set(settings.worker_queues),
            worker_threads=threads or settings.worker_threads,
            worker_timeout=200,
        )

    def start(self) -> None:
        """Start consuming in background threads."""
        self.worker.start()
        self.presence.start()
        log.info("worker consuming with %d threads", self.worker.worker_threads)

    def stop(self, timeout_ms: int = 10_000) -> None:
        """Stop consuming; unfinished messages go back to the queue."""
        self.presence.stop()
        self.worker.stop(timeout=timeout_ms)
        self.broker.close()
