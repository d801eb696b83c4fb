"""Browser sessions (server-side state behind a cookie)."""

import msgspec


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """One browser session: its id (the cookie value) and its CSRF token."""

    session_id: str
    csrf: str
    created_at: int
