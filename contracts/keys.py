"""API keys for server-to-server use (configured by the operator; only hashes are stored)."""

import msgspec


class ApiKey(msgspec.Struct, frozen=True, kw_only=True):
    """One API key: its public id, the SHA-256 of its secret, its quota and rights."""

    key_id: str
    name: str
    key_hash: str
    hourly_quota: int = 1000
    admin: bool = False
    #: Signs this key's webhook deliveries (HMAC-SHA256); shown once when the key is made.
    webhook_secret: str = ""
    created_at: int = 0
    revoked_at: int | None = None


class WebhookState(msgspec.Struct, kw_only=True):
    """Delivery of a finished job to its `webhook_url`."""

    url: str
    attempts: int = 0
    last_status: int | None = None
    last_error: str | None = None
    delivered_at: float | None = None
    #: True once delivery stopped for good (delivered, a 4xx answer, or retries exhausted).
    finished: bool = False
