"""One HTTP exchange, no automatic redirects: the GET, its body read under a cap, its `Location`.

The fetcher follows redirects itself (a robots.txt check and a host slot per hop); here one
answer is read as far as it needs: the `Location` of a redirect, the body of a 2xx answer (HTML
only for a page), nothing else.
"""

import asyncio
from dataclasses import dataclass

import aiohttp
from yarl import URL

from workers.fetch.errors import BodyTooLarge, NotHTML, RedirectError
from workers.fetch.robots import ROBOTS_MAX_BYTES

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_BYTES = 64 * 1024


@dataclass(slots=True)
class Answer:
    """One HTTP exchange, read as far as we need it."""

    url: URL
    status: int
    headers: list[tuple[str, str]]
    location: str | None = None
    body: bytes | None = None
    content_type: str | None = None
    #: Time on the network, slot and connection waits excluded.
    elapsed_s: float = 0.0


def redirect_target(current: URL, location: str) -> URL:
    """The absolute http(s) URL a `Location` header points to (fragment dropped), or `RedirectError`."""
    try:
        target = current.join(URL(location)).with_fragment(None)
    except (TypeError, ValueError):
        target = None
    if target is None or target.scheme not in ("http", "https") or not target.raw_host:
        raise RedirectError(f"redirect to unsupported URL: {location[:200]}")
    return target


async def exchange(
    session: aiohttp.ClientSession,
    url: URL,
    *,
    page: bool,
    timeout: aiohttp.ClientTimeout,
    max_body_bytes: int,
) -> Answer:
    """One GET; reads the body of a 2xx answer (HTML and at most `max_body_bytes` if `page`)."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with session.get(
        url,
        allow_redirects=False,
        timeout=timeout,
        headers=None if page else {"Accept": "*/*"},
    ) as resp:
        answer = Answer(
            url=url,
            status=resp.status,
            headers=[(str(k), str(v)) for k, v in resp.headers.items()],
            content_type=resp.headers.get("Content-Type"),
        )
        if resp.status in REDIRECT_STATUSES and "Location" in resp.headers:
            answer.location = resp.headers["Location"]
        elif 200 <= resp.status < 300:
            answer.body = await (_read_page(resp, max_body_bytes) if page else _read_robots(resp))
    answer.elapsed_s = loop.time() - began
    return answer


async def _read_page(resp: aiohttp.ClientResponse, cap: int) -> bytes:
    content_type = resp.headers.get("Content-Type", "")
    mime = content_type.split(";", 1)[0].strip().lower()
    # A missing Content-Type is given the benefit of the doubt; the extractor copes.
    if mime and mime not in HTML_TYPES:
        raise NotHTML(mime)
    if resp.content_length is not None and resp.content_length > cap:
        raise BodyTooLarge(cap)
    body = bytearray()
    # Chunks are decompressed bytes, so the cap holds for gzip/deflate/br bodies too.
    async for chunk in resp.content.iter_chunked(_CHUNK_BYTES):
        body += chunk
        if len(body) > cap:
            raise BodyTooLarge(cap)
    return bytes(body)


async def _read_robots(resp: aiohttp.ClientResponse) -> bytes:
    body = bytearray()
    async for chunk in resp.content.iter_chunked(_CHUNK_BYTES):
        body += chunk
        if len(body) >= ROBOTS_MAX_BYTES:
            break
    return bytes(body[:ROBOTS_MAX_BYTES])
