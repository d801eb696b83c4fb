"""The page fetcher against real loopback HTTP(S) servers and the real Redis."""

import asyncio
import gzip
import ssl
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import msgspec
import pytest
import redis.asyncio as aioredis
import trustme
from aiohttp import web
from aiohttp.test_utils import TestServer

from backlinks.settings import Settings
from contracts.fetch import FetchErrorKind
from storage.hostslots import HostSlots
from storage.keys import Keys
from workers.fetch import Fetcher

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HTML = "text/html; charset=utf-8"
PAGE = "<html><head><title>t</title></head><body><a href='https://example.com/'>x</a></body></html>"
TEN_MB = 10_000_000


class Site:
    """A loopback aiohttp server that counts hits, User-Agents and concurrent requests."""

    def __init__(self, routes: dict[str, Handler]) -> None:
        self.hits: Counter[str] = Counter()
        self.requests: list[web.Request] = []
        self.active = 0
        self.max_active = 0
        self.app = web.Application(middlewares=[self._track])
        for path, handler in routes.items():
            self.app.router.add_get(path, handler)
        self.server = TestServer(self.app, host="127.0.0.1")

    @web.middleware
    async def _track(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.hits[request.path] += 1
        self.requests.append(request)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            return await handler(request)
        finally:
            self.active -= 1

    async def start(self, ssl_context: ssl.SSLContext | None = None) -> "Site":
        await self.server.start_server(ssl=ssl_context)
        return self

    @property
    def port(self) -> int:
        assert self.server.port is not None
        return self.server.port

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))


SiteFactory = Callable[..., Awaitable[Site]]


def html(body: str = PAGE, content_type: str = HTML) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body.encode("utf-8"), headers={"Content-Type": content_type})

    return handler


def redirect(location: str, status: int = 302) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": location})

    return handler


def status(code: int, body: str = "nope") -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=code, text=body)

    return handler


def robots(text: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text=text, content_type="text/plain")

    return handler


@pytest.fixture
async def make_site() -> AsyncIterator[SiteFactory]:
    sites: list[Site] = []

    async def make(routes: dict[str, Handler], ssl_context: ssl.SSLContext | None = None) -> Site:
        site = await Site(routes).start(ssl_context)
        sites.append(site)
        return site

    yield make
    for site in sites:
        await site.server.close()


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    redis_client = aioredis.Redis.from_url(redis_url)
    yield redis_client
    await redis_client.aclose()


def tuned(settings: Settings, **changes: object) -> Settings:
    return msgspec.structs.replace(settings, **changes)


async def test_a_plain_page_is_fetched_with_status_headers_and_body(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    site = await make_site({"/page": html()})
    async with Fetcher(settings, client) as fetcher:
        result = await fetcher.fetch(site.url("/page"))
    assert result.error is None and result.page is not None
    page = result.page
    assert page.url == page.final_url == site.url("/page")
    assert page.status == 200
    assert page.body == PAGE.encode()
    assert page.header("content-type") == HTML
    assert page.encoding == "utf-8"
    assert page.redirects == []
    assert not result.from_cache and not result.robots_refused
    assert abs(page.fetched_at - time.time()) < 5


async def test_the_server_sees_our_user_agent_and_an_html_accept_header(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    site = await make_site({"/page": html()})
    async with Fetcher(settings, client) as fetcher:
        await fetcher.fetch(site.url("/page"))
    assert [r.path for r in site.requests] == ["/robots.txt", "/page"]
    for request in site.requests:
        assert request.headers["User-Agent"] == settings.fetch_user_agent
    assert site.requests[1].headers["Accept"].startswith("text/html,")


async def test_the_charset_is_kept_in_the_headers_and_named_as_the_encoding(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    latin = "<html><body>caf\xe9</body></html>".encode("latin-1")

    async def latin_page(request: web.Request) -> web.StreamResponse:
        return web.Response(body=latin, headers={"Content-Type": "text/html; charset=ISO-8859-1"})

    site = await make_site({"/latin": latin_page, "/meta": html("<meta charset='koi8-r'><p>x</p>", "text/html")})
    async with Fetcher(settings, client) as fetcher:
        latin_result, meta_result = await fetcher.fetch_many([site.url("/latin"), site.url("/meta")])
    assert latin_result.page is not None and meta_result.page is not None
    assert latin_result.page.header("Content-Type") == "text/html; charset=ISO-8859-1"
    assert latin_result.page.body == latin, "the body is kept as bytes, undecoded"
    assert latin_result.page.encoding == "cp1252"  # what browsers use for ISO-8859-1
    assert meta_result.page.encoding == "koi8-r"


async def test_a_server_error_becomes_http_500_and_is_not_cached(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    site = await make_site({"/boom": status(500)})
    async with Fetcher(settings, client) as fetcher:
        first = await fetcher.fetch(site.url("/boom"))
        second = await fetcher.fetch(site.url("/boom"))
    assert first.page is None
    assert first.error == "HTTP 500"
    assert first.error_kind is FetchErrorKind.HTTP_STATUS
    assert first.status == 500
    assert not second.from_cache
    assert site.hits["/boom"] == 2


async def test_a_redirect_chain_is_followed_and_recorded(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    site = await make_site({"/a": redirect("/b", 301), "/b": redirect("c?x=1#frag", 307), "/c": html()})
    async with Fetcher(settings, client) as fetcher:
        result = await fetcher.fetch(site.url("/a"))
    assert result.page is not None, result.error
    assert result.page.url == site.url("/a")
    assert result.page.final_url == site.url("/c?x=1")
    assert result.page.redirects == [site.url("/a"), site.url("/b")]
    assert site.hits["/robots.txt"] == 1, "one robots.txt per origin, also across hops"


async def test_a_redirect_loop_is_an_error(settings: Settings, client: aioredis.Redis, make_site: SiteFactory) -> None:
    site = await make_site({"/x": redirect("/y"), "/y": redirect("/x")})
    async with Fetcher(settings, client) as fetcher:
        result = await fetcher.fetch(site.url("/x"))
    assert result.page is None
    assert result.error == "redirect loop"
    assert result.error_kind is FetchErrorKind.REDIRECT
    assert site.hits["/x"] == 1 and site.hits["/y"] == 1


async def test_five_redirects_are_followed_and_a_sixth_is_too_many(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    routes: dict[str, Handler] = {f"/r{i}": redirect(f"/r{i + 1}") for i in range(6)}
    routes["/r6"] = html()
    site = await make_site(routes)
    async with Fetcher(settings, client) as fetcher:
        five = await fetcher.fetch(site.url("/r1"))
        six = await fetcher.fetch(site.url("/r0"))
    assert five.page is not None and len(five.page.redirects) == 5
    assert six.page is None
    assert six.error == "too many redirects"


async def test_a_redirect_to_another_scheme_is_an_error(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    site = await make_site({"/ftp": redirect("ftp://example.com/file"), "/bad": redirect("http://[::1")})
    async with Fetcher(settings, client) as fetcher:
        ftp, bad = await fetcher.fetch_many([site.url("/ftp"), site.url("/bad")])
    assert ftp.error == "redirect to unsupported URL: ftp://example.com/file"
    assert bad.error == "redirect to unsupported URL: http://[::1"
    assert bad.error_kind is FetchErrorKind.REDIRECT


async def test_a_host_whose_slots_stay_taken_is_reported_busy(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    site = await make_site({"/page": html()})
    other_worker = HostSlots(client, Keys(settings.namespace))
    for _ in range(settings.fetch_per_host_concurrency):
        assert await other_worker.acquire("127.0.0.1", cap=2, ttl_s=30, wait_s=0)
    async with Fetcher(settings, client, slot_wait_s=0.2) as fetcher:
        result = await fetcher.fetch(site.url("/page"))
    assert result.error == "host busy: 127.0.0.1"
    assert result.error_kind is FetchErrorKind.HOST_BUSY
    assert site.requests == []


async def test_a_fetcher_must_be_entered_first(settings: Settings, client: aioredis.Redis) -> None:
    with pytest.raises(RuntimeError, match="async with"):
        await Fetcher(settings, client).fetch("http://127.0.0.1/")


def big_page() -> bytes:
    return b"<html><body>" + b"a" * TEN_MB + b"</body></html>"


async def test_a_body_over_the_cap_is_refused_by_content_length(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    body = big_page()

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, content_type="text/html")

    site = await make_site({"/big": handler})
    async with Fetcher(settings, client) as fetcher:
        result = await fetcher.fetch(site.url("/big"))
    assert result.page is None
    assert result.error == "body over 5000000 bytes"
    assert result.error_kind is FetchErrorKind.TOO_LARGE
    assert await fetcher.pages.get(site.url("/big")) is None


async def test_a_body_over_the_cap_without_content_length_is_cut_off(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    sent = 0

    async def chunked(request: web.Request) -> web.StreamResponse:
        nonlocal sent
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for _ in range(TEN_MB // 65536 + 1):
                await response.write(b"a" * 65536)
                sent += 65536
        except (ConnectionError, RuntimeError):
            pass  # the client hung up, as it should
        return response

    site = await make_site({"/stream": chunked})
    async with Fetcher(settings, client) as fetcher:
        result = await fetcher.fetch(site.url("/stream"))
    assert result.error == "body over 5000000 bytes"
    assert result.page is None


async def test_the_cap_counts_decompressed_bytes_of_a_gzip_body(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    bomb = gzip.compress(big_page())
    small = gzip.compress(PAGE.encode())
    assert len(bomb) < 100_000

    def gzipped(data: bytes) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
            return web.Response(body=data, headers=headers)

        return handler

    site = await make_site({"/bomb": gzipped(bomb), "/small": gzipped(small)})
    async with Fetcher(settings, client) as fetcher:
        over, fine = await fetcher.fetch_many([site.url("/bomb"), site.url("/small")])
    assert over.error == "body over 5000000 bytes"
    assert fine.page is not None and fine.page.body == PAGE.encode()


async def test_a_slow_server_runs_into_the_total_timeout(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    release = asyncio.Event()

    async def slow_headers(request: web.Request) -> web.StreamResponse:
        await asyncio.wait_for(release.wait(), 5)
        return web.Response(text="late", content_type="text/html")

    async def slow_body(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        try:
            while not release.is_set():
                await response.write(b"<p>drip</p>")
                await asyncio.sleep(0.05)
        except (ConnectionError, RuntimeError):
            pass
        return response

    site = await make_site({"/headers": slow_headers, "/body": slow_body})
    fast = tuned(settings, fetch_connect_timeout_s=0.5, fetch_total_timeout_s=0.6)
    started = time.monotonic()
    try:
        async with Fetcher(fast, client) as fetcher:
            results = await fetcher.fetch_many([site.url("/headers"), site.url("/body")])
    finally:
        release.set()
    elapsed = time.monotonic() - started
    assert [r.error for r in results] == ["timeout", "timeout"]
    assert all(r.error_kind is FetchErrorKind.TIMEOUT for r in results)
    assert elapsed < 2.0


async def test_robots_txt_disallow_is_honoured_per_hop_and_cached(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    rules = "User-agent: BacklinksBot\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n"
    site = await make_site(
        {
            "/robots.txt": robots(rules),
            "/private/a": html(),
            "/private/b": html(),
            "/public": html(),
            "/go": redirect("/private/a"),
        }
    )
    async with Fetcher(settings, client) as fetcher:
        refused = await fetcher.fetch(site.url("/private/a"))
        allowed = await fetcher.fetch(site.url("/public"))
        via_redirect = await fetcher.fetch(site.url("/go"))
    assert refused.page is None and refused.robots_refused
    assert refused.error == "robots.txt disallows"
    assert refused.error_kind is FetchErrorKind.ROBOTS
    assert allowed.page is not None, "our own group wins over `*`"
    assert via_redirect.robots_refused, "robots.txt is checked again on every hop"
    assert fetcher.counts["robots_refusals"] == 2
    async with Fetcher(settings, client) as second:
        again = await second.fetch(site.url("/private/b"))
    assert again.robots_refused
    assert site.hits["/robots.txt"] == 1, "the second Fetcher used the cached robots.txt"
    assert site.hits["/private/a"] == site.hits["/private/b"] == 0


async def test_robots_txt_4xx_allows_all_and_5xx_disallows_all_without_caching_it(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    missing = await make_site({"/page": html()})
    broken = await make_site({"/robots.txt": status(503), "/page": html()})
    async with Fetcher(settings, client) as fetcher:
        ok, down = await fetcher.fetch_many([missing.url("/page"), broken.url("/page")])
    assert ok.page is not None
    assert down.robots_refused and down.error == "robots.txt unavailable: HTTP 503"
    assert broken.hits["/page"] == 0
    async with Fetcher(settings, client) as second:
        await second.fetch(broken.url("/page"))
    assert broken.hits["/robots.txt"] == 2, "an unreachable robots.txt is asked again next scan"
    assert missing.hits["/robots.txt"] == 1


async def test_a_second_fetch_is_a_page_cache_hit(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory
) -> None:
    site = await make_site({"/page": html()})
    async with Fetcher(settings, client) as fetcher:
        first = await fetcher.fetch(site.url("/page"))
    async with Fetcher(settings, client) as fetcher:
        second = await fetcher.fetch(site.url("/page"))
        fresh = await fetcher.fetch(site.url("/page"), use_cache=False)
    assert not first.from_cache and second.from_cache and not fresh.from_cache
    assert second.page == first.page
    assert site.hits["/page"] == 2
    ttl = await client.ttl(Keys(settings.namespace).fetched_page(site.url("/page")))
    assert 0 < ttl <= settings.page_cache_ttl_s


async def test_non_html_content_is_an_error(settings: Settings, client: aioredis.Redis, make_site: SiteFactory) -> None:
    site = await make_site({"/logo.png": html("\x89PNG", "image/png"), "/doc.pdf": html("%PDF", "application/pdf")})
    async with Fetcher(settings, client) as fetcher:
        png, pdf = await fetcher.fetch_many([site.url("/logo.png"), site.url("/doc.pdf")])
    assert png.error == "not HTML: image/png"
    assert pdf.error == "not HTML: application/pdf"
    assert png.error_kind is FetchErrorKind.NOT_HTML


async def test_a_url_that_is_not_http_is_an_error_without_network(settings: Settings, client: aioredis.Redis) -> None:
    async with Fetcher(settings, client) as fetcher:
        result = await fetcher.fetch("mailto:someone@example.com")
    assert result.error_kind is FetchErrorKind.BAD_URL
    assert result.page is None


async def test_the_host_slot_cap_holds_across_two_fetchers(
    settings: Settings, client: aioredis.Redis, make_site: SiteFactory, redis_url: str
) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.15)
        return web.Response(text=PAGE, content_type="text/html")

    site = await make_site({"/robots.txt": robots("User-agent: *\nAllow: /\n"), "/p/{n}": slow})
    capped = tuned(settings, fetch_per_host_concurrency=2, fetch_concurrency=8)
    # Two Fetchers on two Redis connections stand for two worker processes.
    other_client = aioredis.Redis.from_url(redis_url)
    try:
        async with Fetcher(capped, client) as one, Fetcher(capped, other_client) as two:
            results = await asyncio.gather(
                *(one.fetch(site.url(f"/p/{n}")) for n in range(5)),
                *(two.fetch(site.url(f"/p/{n}")) for n in range(5, 10)),
            )
    finally:
        await other_client.aclose()
    assert all(r.page is not None for r in results)
    assert site.max_active == 2, "both fetchers together never pass the per-host cap"
    assert site.hits["/robots.txt"] <= 2


@pytest.fixture(scope="module")
def news_ca() -> trustme.CA:
    return trustme.CA()


async def test_https_with_a_private_ca_and_a_connect_to_rule(
    settings: Settings,
    client: aioredis.Redis,
    make_site: SiteFactory,
    news_ca: trustme.CA,
    tmp_path: Path,
) -> None:
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    news_ca.issue_cert("www.example-news.test").configure_cert(server_ctx)
    site = await make_site({"/story": html()}, server_ctx)
    ca_path = tmp_path / "ca.pem"
    news_ca.cert_pem.write_to_path(str(ca_path))
    rule = f"www.example-news.test:443:127.0.0.1:{site.port}"
    trusted = tuned(settings, fetch_ca_bundle=str(ca_path), fetch_connect_to=[rule])
    async with Fetcher(trusted, client) as fetcher:
        result = await fetcher.fetch("https://www.example-news.test/story")
    assert result.page is not None, result.error
    assert result.page.final_url == "https://www.example-news.test/story"
    assert site.requests[-1].host == "www.example-news.test", "Host header keeps the URL's host"
    assert site.requests[-1].secure

    untrusted = tuned(settings, fetch_connect_to=[rule])
    async with Fetcher(untrusted, client) as fetcher:
        refused = await fetcher.fetch("https://www.example-news.test/story", use_cache=False)
    assert refused.page is None and not refused.robots_refused
    assert refused.error is not None and refused.error.startswith("TLS certificate error")
    assert refused.error_kind is FetchErrorKind.CONNECTION


async def test_https_with_a_resolve_rule_checks_the_certificate_name(
    settings: Settings,
    client: aioredis.Redis,
    make_site: SiteFactory,
    news_ca: trustme.CA,
    tmp_path: Path,
) -> None:
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    news_ca.issue_cert("www.example-news.test").configure_cert(server_ctx)
    site = await make_site({"/story": html()}, server_ctx)
    ca_path = tmp_path / "ca.pem"
    news_ca.cert_pem.write_to_path(str(ca_path))
    resolve = [
        f"www.example-news.test:{site.port}:127.0.0.1",
        f"other-news.test:{site.port}:127.0.0.1",
    ]
    trusted = tuned(settings, fetch_ca_bundle=str(ca_path), fetch_resolve=resolve)
    async with Fetcher(trusted, client) as fetcher:
        good = await fetcher.fetch(f"https://www.example-news.test:{site.port}/story")
        wrong_name = await fetcher.fetch(f"https://other-news.test:{site.port}/story")
    assert good.page is not None, good.error
    assert wrong_name.page is None
    assert wrong_name.error is not None and "certificate" in wrong_name.error
