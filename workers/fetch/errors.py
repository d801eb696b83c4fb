"""Why a fetch failed: a small tree (each error a short reason and a kind), and the one mapping
from aiohttp/OS errors to it."""

import re

import aiohttp

from backlinks.errors import BacklinksError
from contracts.fetch import FetchErrorKind


class FetchConfigError(BacklinksError):
    """A fetch setting (resolve or connect-to rule, allow-list, CA bundle) cannot be used."""


class FetchError(BacklinksError):
    """A fetch gave no page; `str(exc)` is the short reason reported to users."""

    kind: FetchErrorKind = FetchErrorKind.CONNECTION


class BadURL(FetchError):
    """The URL is not an absolute http(s) URL with a host."""

    kind = FetchErrorKind.BAD_URL


class HTTPStatusError(FetchError):
    """The server answered with a status we do not take a page from."""

    kind = FetchErrorKind.HTTP_STATUS

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class RedirectError(FetchError):
    """Too many redirects, a loop, or a redirect we will not follow."""

    kind = FetchErrorKind.REDIRECT


class RobotsDisallowed(FetchError):
    """robots.txt disallows the URL (or could not be fetched, which counts as disallow)."""

    kind = FetchErrorKind.ROBOTS


class BodyTooLarge(FetchError):
    """The body (decompressed) is over the cap."""

    kind = FetchErrorKind.TOO_LARGE

    def __init__(self, cap: int) -> None:
        super().__init__(f"body over {cap} bytes")


class NotHTML(FetchError):
    """The response is not an HTML document."""

    kind = FetchErrorKind.NOT_HTML

    def __init__(self, content_type: str) -> None:
        super().__init__(f"not HTML: {content_type}")


class FetchTimeout(FetchError):
    """The connect or total timeout ran out."""

    kind = FetchErrorKind.TIMEOUT


class ConnectionFailed(FetchError):
    """DNS, TCP, TLS or HTTP protocol failure."""

    kind = FetchErrorKind.CONNECTION


class HostBusy(FetchError):
    """No per-host slot came free in time."""

    kind = FetchErrorKind.HOST_BUSY


class AddressRefused(FetchError, OSError):
    """The guard refused to connect to an address.

    An OSError so that aiohttp's connector treats it as a failed connection attempt (and tries
    the host's next address, if any); `Fetcher` maps it back to this reason.
    """

    kind = FetchErrorKind.REFUSED_ADDRESS


_REFUSAL = re.compile(r"refused [a-z-]+ address [0-9A-Fa-f.:%\w]+")


def refusal_in(exc: BaseException) -> str | None:
    """The guard's reason when `exc` (or what it wraps) is a refused connection, else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, AddressRefused):
            return str(current)
        # Several refused addresses of one host come back merged into one OSError message.
        match = _REFUSAL.search(str(current))
        if match:
            return match.group(0)
        wrapped = getattr(current, "os_error", None)
        current = wrapped if isinstance(wrapped, BaseException) else current.__cause__
    return None


def map_client_error(exc: BaseException) -> FetchError:
    """The one place where aiohttp/OS errors become our errors with short reasons."""
    if isinstance(exc, FetchError):
        return exc
    refused = refusal_in(exc)
    if refused is not None:
        return AddressRefused(refused)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return FetchTimeout("connect timeout")
    if isinstance(exc, TimeoutError):
        return FetchTimeout("timeout")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return ConnectionFailed(f"TLS certificate error: {exc.certificate_error}")
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return ConnectionFailed(f"DNS lookup failed: {exc.host}")
    if isinstance(exc, aiohttp.ClientSSLError):
        return ConnectionFailed(f"TLS error: {exc.os_error}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectionFailed(f"connection failed: {exc.os_error.strerror or exc.os_error}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return ConnectionFailed("connection failed: server disconnected")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return ConnectionFailed(f"connection failed: bad body ({exc})")
    if isinstance(exc, aiohttp.InvalidURL):
        return BadURL(f"invalid URL: {exc}")
    if isinstance(exc, aiohttp.ClientResponseError):
        return ConnectionFailed(f"bad response: {exc.message}")
    return ConnectionFailed(f"connection failed: {exc or type(exc).__name__}")
