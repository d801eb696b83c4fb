"""The Dramatiq broker, built explicitly (never Dramatiq's implicit global default)."""

from typing import Any

import dramatiq
import msgspec
from dramatiq.brokers.redis import RedisBroker
from dramatiq.encoder import Encoder, MessageData
from dramatiq.errors import DecodeError

from backlinks.settings import Settings
from storage.client import named

SCAN_QUEUE = "scans"
INGEST_QUEUE = "ingest"
SCAN_ACTOR = "scan"
INGEST_ACTOR = "ingest"
#: Told when every attempt of a scan or ingest raised: they fail the job for good.
SCAN_GAVE_UP_ACTOR = "scan_gave_up"
INGEST_GAVE_UP_ACTOR = "ingest_gave_up"
WEBHOOK_QUEUE = "webhooks"
WEBHOOK_ACTOR = "webhook"


class MsgspecEncoder(Encoder):
    """Messages as JSON through msgspec (Structs in, plain dicts out)."""

    def encode(self, data: MessageData) -> bytes:
        return msgspec.json.encode(data)

    def decode(self, data: bytes) -> MessageData:
        try:
            decoded: MessageData = msgspec.json.decode(data)
        except msgspec.DecodeError as exc:
            raise DecodeError(f"failed to decode message {data[:200]!r}", data, exc) from None
        return decoded


def broker_namespace(settings: Settings) -> str:
    """The broker's key prefix: beside the app's own keys, one per namespace."""
    return f"{settings.namespace}:dramatiq"


def build_broker(settings: Settings, redis_url: str) -> RedisBroker:
    """A Redis broker for gateway, CLI and workers alike; the queues declared."""
    dramatiq.set_encoder(MsgspecEncoder())
    broker = RedisBroker(
        url=named(redis_url),
        namespace=broker_namespace(settings),
        heartbeat_timeout=settings.broker_heartbeat_timeout_ms,
        maintenance_chance=settings.broker_maintenance_chance,
    )
    broker.declare_queue(SCAN_QUEUE)
    broker.declare_queue(INGEST_QUEUE)
    broker.declare_queue(WEBHOOK_QUEUE)
    return broker


def publish(
    broker: RedisBroker, queue: str, actor: str, payload: msgspec.Struct, *, delay_ms: int | None = None, **options: Any
) -> None:
    """Enqueue one job message without importing the actors (blocking: run off the event loop)."""
    message: dramatiq.Message[Any] = dramatiq.Message(
        queue_name=queue,
        actor_name=actor,
        args=(msgspec.to_builtins(payload),),
        kwargs={},
        options=options,
    )
    broker.enqueue(message, delay=delay_ms)
