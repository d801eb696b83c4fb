"""Sessions: the state behind the session cookie, and the reports each session saved."""

import secrets
import time

import redis.asyncio as aioredis

from contracts.sessions import Session
from storage.codec import decode, encode, text
from storage.keys import Keys


class SessionStore:
    """Repository of sessions.

    Parameters:
      client: asyncio Redis client.
      keys: key builder.
      ttl_s: idle lifetime of a session (renewed on use).
    """

    def __init__(self, client: aioredis.Redis, keys: Keys, ttl_s: int) -> None:
        self.client = client
        self.keys = keys
        self.ttl_s = ttl_s

    async def create(self) -> Session:
        """A new session with an unguessable id and CSRF token."""
        session = Session(
            session_id=secrets.token_urlsafe(24), csrf=secrets.token_urlsafe(32), created_at=int(time.time())
        )
        await self.client.set(self.keys.session(session.session_id), encode(session), ex=self.ttl_s)
        return session

    async def get(self, session_id: str) -> Session | None:
        """The session, renewed; None when unknown or expired."""
        if not session_id or len(session_id) > 100:
            return None
        key = self.keys.session(session_id)
        raw = await self.client.getex(key, ex=self.ttl_s)
        return decode(raw, Session) if raw else None

    async def add_report(self, session_id: str, report_id: str, saved_at: int) -> None:
        """Remember that this session saved a report."""
        key = self.keys.session_reports(session_id)
        await self.client.zadd(key, {report_id: saved_at})
        await self.client.expire(key, self.ttl_s)

    async def reports(self, session_id: str) -> list[str]:
        """Report ids saved by this session, newest first."""
        return [text(r) for r in await self.client.zrevrange(self.keys.session_reports(session_id), 0, -1)]
