"""Page fetch results: the fetched page (also the page-cache record), the outcome, robots.txt."""

from enum import StrEnum

import msgspec


class FetchErrorKind(StrEnum):
    """Why a fetch gave no page; `FetchResult.error` holds the human-readable detail."""

    #: The URL is not an absolute http(s) URL with a host.
    BAD_URL = "bad_url"
    #: The server answered with a non-2xx status that is not a followed redirect.
    HTTP_STATUS = "http_status"
    #: Too many redirects, a redirect loop, or a redirect to a non-http(s) URL.
    REDIRECT = "redirect"
    #: robots.txt disallows the URL for our User-Agent, or answered 429/5xx.
    ROBOTS = "robots"
    #: The connected address is private, loopback, link-local, multicast or reserved.
    REFUSED_ADDRESS = "refused_address"
    #: The body is larger than the cap (decompressed bytes).
    TOO_LARGE = "too_large"
    #: The response is not HTML (an image, a PDF, ...).
    NOT_HTML = "not_html"
    #: Connect or total timeout.
    TIMEOUT = "timeout"
    #: DNS, TCP, TLS or protocol failure.
    CONNECTION = "connection"
    #: No host slot came free in time (the host is busy with other fetches).
    HOST_BUSY = "host_busy"


class FetchedPage(msgspec.Struct, frozen=True, kw_only=True):
    """A successful (2xx, HTML) fetch; also what the page cache stores."""

    #: The URL asked for.
    url: str
    #: The URL that answered with the body, after redirects.
    final_url: str
    status: int
    #: Response headers of the final response, in order, repeated names kept.
    headers: list[tuple[str, str]]
    #: Decompressed body, at most `fetch_max_body_bytes`.
    body: bytes
    #: Declared encoding from BOM, then Content-Type charset, then `<meta>`; None if none.
    encoding: str | None = None
    #: Unix time of the fetch.
    fetched_at: float
    #: URLs that answered with a redirect, in order (the first is `url`); empty if none.
    redirects: list[str] = []

    def header(self, name: str) -> str | None:
        """First value of a response header, case-insensitive; None when absent."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


class FetchResult(msgspec.Struct, frozen=True, kw_only=True):
    """What `Fetcher.fetch` returns: a page, or a short reason why there is none."""

    url: str
    page: FetchedPage | None = None
    #: Short reason: "HTTP 500", "timeout", "too many redirects", "robots.txt disallows",
    #: "robots.txt unavailable: HTTP 503", "refused loopback address 127.0.0.1", ...
    error: str | None = None
    error_kind: FetchErrorKind | None = None
    #: HTTP status of the last response when the error is an HTTP status.
    status: int | None = None
    #: robots.txt kept us from fetching (disallowed, or 429/5xx); counted apart from errors.
    robots_refused: bool = False
    #: The page came from the page cache, not the network.
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        """True when there is a page."""
        return self.page is not None


class RobotsRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One origin's robots.txt as fetched; what the robots cache stores."""

    origin: str
    #: HTTP status of robots.txt (after redirects).
    status: int
    #: The text (2xx only; empty otherwise), truncated to the robots size cap.
    text: str = ""
    fetched_at: float
