"""The HTTP session a Fetcher opens: guarded connector, own resolver and CA bundle, no proxies, no cookies."""

import ssl

import aiohttp
from aiohttp.abc import AbstractResolver

from backlinks.settings import Settings
from workers.fetch.errors import FetchConfigError
from workers.fetch.guard import AddressPolicy

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"


def ssl_context(ca_bundle: str) -> ssl.SSLContext | bool:
    """The TLS context trusting `ca_bundle` (the system's when empty), or `FetchConfigError`."""
    if not ca_bundle:
        return True
    try:
        return ssl.create_default_context(cafile=ca_bundle)
    except (OSError, ssl.SSLError) as exc:
        raise FetchConfigError(f"BACKLINKS_FETCH_CA_BUNDLE={ca_bundle!r}: {exc}") from None


def open_session(
    settings: Settings,
    resolver: AbstractResolver,
    guard: AddressPolicy,
    tls: ssl.SSLContext | bool,
) -> aiohttp.ClientSession:
    """A session whose every connection goes through `resolver` and `guard`, with our headers."""
    connector = aiohttp.TCPConnector(
        resolver=resolver,
        socket_factory=guard.socket_factory,
        ssl=tls,
        limit=max(100, 2 * settings.fetch_concurrency),
    )
    return aiohttp.ClientSession(
        connector=connector,
        # No proxies from the environment: a proxy would be the only address the guard sees.
        trust_env=False,
        cookie_jar=aiohttp.DummyCookieJar(),
        headers={"User-Agent": settings.fetch_user_agent, "Accept": ACCEPT},
    )
