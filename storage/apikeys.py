"""API keys: stored by the hash of their secret, never the secret itself."""

import hashlib
import secrets
import time

import redis
import redis.asyncio as aioredis

from contracts.keys import ApiKey
from storage.codec import decode, encode, text
from storage.keys import Keys

KEY_PREFIX = "bl_"


def hash_secret(secret: str) -> str:
    """SHA-256 hex of a key's secret (keys are long random strings: no slow hash needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key(name: str, hourly_quota: int, admin: bool) -> tuple[str, ApiKey]:
    """(secret to show once, the record to store)."""
    key_id = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    record = ApiKey(key_id=key_id, name=name, key_hash=hash_secret(secret), hourly_quota=hourly_quota,
                    admin=admin, webhook_secret=secrets.token_urlsafe(32), created_at=int(time.time()))
    return secret, record


class ApiKeyAdmin:
    """Blocking repository for the CLI (`backlinks keys add|list|revoke`)."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.client = client
        self.keys = keys

    def add(self, name: str, hourly_quota: int, admin: bool) -> tuple[str, ApiKey]:
        """Make and store a key; returns the secret (shown once) and the record."""
        secret, record = new_key(name, hourly_quota, admin)
        self.client.hset(self.keys.api_keys(), record.key_hash, encode(record))
        return secret, record

    def all(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        found = [decode(raw, ApiKey) for raw in self.client.hvals(self.keys.api_keys())]
        return sorted(found, key=lambda k: k.created_at)

    def revoke(self, key_id_or_name: str) -> "list[ApiKey]":
        """Revoke keys by id or name (takes effect at once); the keys revoked."""
        revoked = []
        for key in self.all():
            if key.revoked_at is None and key_id_or_name in (key.key_id, key.name):
                done = ApiKey(**{f: getattr(key, f) for f in ApiKey.__struct_fields__ if f != "revoked_at"},
                              revoked_at=int(time.time()))
                self.client.hset(self.keys.api_keys(), key.key_hash, encode(done))
                revoked.append(done)
        return revoked


class ApiKeyStore:
    """Async look-up for the gateway."""

    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        self.client = client
        self.keys = keys

    async def find(self, secret: str) -> ApiKey | None:
        """The live key with this secret, or None (unknown or revoked)."""
        raw = await self.client.hget(self.keys.api_keys(), hash_secret(secret))
        if not raw:
            return None
        key = decode(raw, ApiKey)
        return None if key.revoked_at is not None else key

    async def by_id(self, key_id: str) -> ApiKey | None:
        """A key by its public id (for workers signing webhooks)."""
        for raw in await self.client.hvals(self.keys.api_keys()):
            key = decode(raw, ApiKey)
            if key.key_id == key_id:
                return key
        return None


__all__ = ["ApiKeyAdmin", "ApiKeyStore", "hash_secret", "new_key", "text"]
