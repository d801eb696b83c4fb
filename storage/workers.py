"""Which workers are alive: each announces itself every few seconds in a sorted set."""

import contextlib
import threading
import time
import uuid

import redis

from storage.keys import Keys

#: A worker not heard from for this long is taken for dead.
ALIVE_WITHIN_S = 15.0


class WorkerPresence:
    """A background thread keeping this worker's entry fresh; removed on stop."""

    def __init__(self, client: redis.Redis, keys: Keys, every_s: float = 5.0) -> None:
        self.client = client
        self.key = keys.workers()
        self.worker_id = uuid.uuid4().hex
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-presence", daemon=True)

    def start(self) -> None:
        """Announce now, then keep announcing."""
        self.client.zadd(self.key, {self.worker_id: time.time()})
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            with contextlib.suppress(redis.RedisError):
                self.client.zadd(self.key, {self.worker_id: time.time()})

    def stop(self) -> None:
        """Stop announcing and leave the set."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.every_s + 1)
        with contextlib.suppress(redis.RedisError):
            self.client.zrem(self.key, self.worker_id)
        self.client.close()


def live_workers(client: redis.Redis, keys: Keys) -> int:
    """How many workers announced themselves within ALIVE_WITHIN_S."""
    now = time.time()
    client.zremrangebyscore(keys.workers(), 0, now - 10 * ALIVE_WITHIN_S)
    return int(client.zcount(keys.workers(), now - ALIVE_WITHIN_S, "+inf"))
