"""Reads coalesced into shared round trips (auto-pipelining).

Under load many requests want a small read at the same moment. Each read alone costs a full
round trip through redis-py (a pooled connection, a send, a wake-up for the reply); `BatchedReads`
queues them and sends everything queued so far as one pipeline, one batch in flight at a time:
while a batch travels, the next one fills. Alone, a read goes out at once; every caller gets
exactly its own reply, read at the same moment as its batch neighbours.
"""

import asyncio

import redis.asyncio as aioredis

Reply = list[bytes | None]


class BatchedReads:
    """MGETs of concurrent callers, sent together (see the module's docstring)."""

    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client
        self._queued: list[tuple[list[str], asyncio.Future[Reply]]] = []
        self._sender: asyncio.Task[None] | None = None
        #: Round trips made so far (each carries one or more callers' reads).
        self.batches = 0

    async def mget(self, keys: list[str]) -> Reply:
        """The values of `keys` (None where missing), as one MGET would give them."""
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._queued.append((keys, future))
        sender = self._sender
        if sender is None or sender.done() or sender.get_loop() is not future.get_loop():
            self._sender = asyncio.create_task(self._send())
        return await future

    async def _send(self) -> None:
        while self._queued:
            batch, self._queued = self._queued, []
            self.batches += 1
            try:
                async with self.client.pipeline(transaction=False) as pipe:
                    for keys, _ in batch:
                        pipe.mget(keys)
                    replies = await pipe.execute(raise_on_error=False)
            except Exception as exc:  # the connection failed: every caller of the batch hears it
                replies = [exc] * len(batch)
            for (_, future), reply in zip(batch, replies, strict=True):
                if future.done():  # its caller went away (request cancelled)
                    continue
                if isinstance(reply, BaseException):
                    future.set_exception(reply)
                else:
                    future.set_result(reply)
