"""Webhook signatures: HMAC-SHA256 of `timestamp.body`, and the server's signing secret."""

import hashlib
import hmac
import secrets
import time

import redis
import redis.asyncio as aioredis

from backlinks.settings import Settings
from storage.codec import text
from storage.keys import Keys

SIGNATURE_PREFIX = "sha256="


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`: the `X-Backlinks-Signature` value."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    tolerance_s: float = 300,
    *,
    now: float | None = None,
) -> bool:
    """True when `signature` signs `timestamp.body` with `secret` and the timestamp is fresh.

    Fresh: within `tolerance_s` of `now` (default: the clock), either way, so that a captured
    delivery cannot be replayed later. The comparison takes constant time.
    """
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.strip().encode())


async def server_secret(client: aioredis.Redis, keys: Keys, settings: Settings) -> str:
    """The secret signing webhooks of requests without an API key.

    `settings.webhook_secret` when set; else a random one made once in Redis (SET NX, so every
    gateway and worker agrees on it) and kept there.
    """
    if settings.webhook_secret:
        return settings.webhook_secret
    await client.set(keys.server_secret(), secrets.token_urlsafe(32), nx=True)
    return text(await client.get(keys.server_secret()))


def server_secret_sync(client: redis.Redis, keys: Keys, settings: Settings) -> str:
    """`server_secret` for blocking callers (the CLI)."""
    if settings.webhook_secret:
        return settings.webhook_secret
    client.set(keys.server_secret(), secrets.token_urlsafe(32), nx=True)
    return text(client.get(keys.server_secret()))
