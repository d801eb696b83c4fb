"""Where fetches may connect: the address guard, resolve/connect-to rules, and both end to end."""

import socket
from collections.abc import AsyncIterator

import msgspec
import pytest
import redis.asyncio as aioredis
from aiohttp.abc import AbstractResolver, ResolveResult

from backlinks.settings import Settings
from contracts.fetch import FetchErrorKind
from tests.workers.test_fetch import PAGE, Handler, Site, html, redirect
from workers.fetch import AddressPolicy, FetchConfigError, Fetcher
from workers.fetch.errors import AddressRefused, refusal_in
from workers.fetch.resolve import ConnectToRule, OverrideResolver, ResolveRule


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.251", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fe80::1%lo", "link-local"),
        ("ff02::1", "multicast"),
        ("fc00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::", "loopback"),
        ("64:ff9b::a00:1", "private"),
    ],
)
def test_non_public_addresses_are_refused_with_their_kind(address: str, kind: str) -> None:
    assert AddressPolicy().refusal(address) == f"refused {kind} address {address}"


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert AddressPolicy().refusal(address) is None


def test_the_allow_list_exempts_its_networks_also_for_mapped_addresses() -> None:
    policy = AddressPolicy(["127.0.0.0/8", "10.1.0.0/16"])
    assert policy.refusal("127.0.0.1") is None
    assert policy.refusal("::ffff:127.0.0.1") is None
    assert policy.refusal("10.1.2.3") is None
    assert policy.refusal("10.2.0.1") == "refused private address 10.2.0.1"
    assert policy.refusal("::1") == "refused loopback address ::1"


def test_a_bad_allow_list_entry_fails_naming_the_variable() -> None:
    with pytest.raises(FetchConfigError, match="BACKLINKS_FETCH_ALLOW_NETS"):
        AddressPolicy(["not-a-net"])


def test_the_socket_factory_refuses_before_making_a_socket() -> None:
    policy = AddressPolicy()
    with pytest.raises(AddressRefused, match=r"refused loopback address 127\.0\.0\.1") as info:
        policy.socket_factory((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80)))
    assert isinstance(info.value, OSError), "aiohttp treats it as a failed connection attempt"
    assert policy.refused == 1
    sock = policy.socket_factory((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", 80)))
    try:
        assert sock.family == socket.AF_INET
    finally:
        sock.close()


def test_a_refusal_is_found_inside_wrapped_and_merged_errors() -> None:
    merged = OSError("Multiple exceptions: refused private address 10.0.0.1, refused private ...")
    outer = RuntimeError("wrapper")
    outer.__cause__ = AddressRefused("refused loopback address ::1")
    assert refusal_in(merged) == "refused private address 10.0.0.1"
    assert refusal_in(outer) == "refused loopback address ::1"
    assert refusal_in(OSError("connection refused")) is None


def test_resolve_and_connect_to_rules_parse_like_curl() -> None:
    assert ResolveRule.parse("www.example.test:443:127.0.0.1") == ResolveRule(
        host="www.example.test", port=443, addresses=("127.0.0.1",)
    )
    assert ResolveRule.parse("*:80:[::1],127.0.0.2").addresses == ("::1", "127.0.0.2")
    assert ResolveRule.parse("Host.Test.:8080:::1") == ResolveRule(host="host.test", port=8080, addresses=("::1",))
    assert ConnectToRule.parse(":443:127.0.0.1:8443") == ConnectToRule(
        host=None, port=443, connect_host="127.0.0.1", connect_port=8443
    )
    assert ConnectToRule.parse("a.test::[::1]:") == ConnectToRule(
        host="a.test", port=None, connect_host="::1", connect_port=None
    )


@pytest.mark.parametrize(
    ("rule", "variable"),
    [
        (lambda: ResolveRule.parse("host:443"), "BACKLINKS_FETCH_RESOLVE"),
        (lambda: ResolveRule.parse("host:443:not-an-ip"), "BACKLINKS_FETCH_RESOLVE"),
        (lambda: ResolveRule.parse("host:99999:127.0.0.1"), "BACKLINKS_FETCH_RESOLVE"),
        (lambda: ConnectToRule.parse("host:443:other"), "BACKLINKS_FETCH_CONNECT_TO"),
    ],
)
def test_a_bad_rule_fails_naming_its_variable(rule: object, variable: str) -> None:
    with pytest.raises(FetchConfigError, match=variable):
        rule()  # type: ignore[operator]


class RecordingResolver(AbstractResolver):
    """Stands in for DNS: answers 203.0.113.7 for every name and records the questions."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append((host, port))
        return [
            {"hostname": host, "host": "203.0.113.7", "port": port, "family": socket.AF_INET, "proto": 0, "flags": 0}
        ]

    async def close(self) -> None:
        return None


async def test_the_resolver_applies_connect_to_then_resolve_then_dns() -> None:
    dns = RecordingResolver()
    resolver = OverrideResolver(
        resolve=["pinned.test:443:192.0.2.1,192.0.2.2", "backend.test:8443:192.0.2.9"],
        connect_to=["front.test:443:backend.test:8443", ":80::8080"],
        fallback=dns,
    )
    pinned = await resolver.resolve("pinned.test", 443, socket.AF_UNSPEC)
    assert [(r["host"], r["port"], r["hostname"]) for r in pinned] == [
        ("192.0.2.1", 443, "pinned.test"),
        ("192.0.2.2", 443, "pinned.test"),
    ]
    front = await resolver.resolve("front.test", 443, socket.AF_UNSPEC)
    assert [(r["host"], r["port"], r["hostname"]) for r in front] == [("192.0.2.9", 8443, "front.test")]
    anywhere = await resolver.resolve("any.test", 80, socket.AF_UNSPEC)
    assert [(r["host"], r["port"], r["hostname"]) for r in anywhere] == [("203.0.113.7", 8080, "any.test")]
    assert dns.asked == [("any.test", 8080)]
    await resolver.close()


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    redis_client = aioredis.Redis.from_url(redis_url)
    yield redis_client
    await redis_client.aclose()


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    started = await Site({"/page": html()}).start()
    yield started
    await started.server.close()


def strict(settings: Settings, **changes: object) -> Settings:
    return msgspec.structs.replace(settings, fetch_allow_nets=[], **changes)


async def test_a_public_looking_name_resolving_to_loopback_is_refused(
    settings: Settings, client: aioredis.Redis, site: Site
) -> None:
    rules = [f"www.public-news.test:{site.port}:127.0.0.1"]
    async with Fetcher(strict(settings, fetch_resolve=rules), client) as fetcher:
        result = await fetcher.fetch(f"http://www.public-news.test:{site.port}/page")
    assert result.page is None
    assert result.error == "refused loopback address 127.0.0.1"
    assert result.error_kind is FetchErrorKind.REFUSED_ADDRESS
    assert not result.robots_refused
    assert site.requests == [], "not even robots.txt was asked for"
    assert fetcher.guard.refused >= 1


@pytest.mark.parametrize(("host", "connected"), [("127.0.0.1", "127.0.0.1"), ("[::ffff:127.0.0.1]", "::ffff:7f00:1")])
async def test_an_ip_literal_url_is_refused(
    settings: Settings, client: aioredis.Redis, site: Site, host: str, connected: str
) -> None:
    async with Fetcher(strict(settings), client) as fetcher:
        result = await fetcher.fetch(f"http://{host}:{site.port}/page")
    assert result.error == f"refused loopback address {connected}"
    assert site.requests == []


async def test_a_redirect_to_a_private_address_is_refused(settings: Settings, client: aioredis.Redis) -> None:
    intranet = "intranet.example-news.test"
    routes: dict[str, Handler] = {
        "/page": html(),
        "/to-intranet": redirect(f"http://{intranet}/admin"),
        "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
    }
    site = await Site(routes).start()
    try:
        only_this_server = msgspec.structs.replace(
            settings,
            fetch_allow_nets=["127.0.0.1/32"],
            fetch_resolve=[f"{intranet}:80:10.0.0.1"],
        )
        async with Fetcher(only_this_server, client) as fetcher:
            plain = await fetcher.fetch(site.url("/page"))
            to_intranet = await fetcher.fetch(site.url("/to-intranet"))
            to_metadata = await fetcher.fetch(site.url("/to-metadata"))
            other_loopback = await fetcher.fetch(f"http://127.0.0.2:{site.port}/page")
    finally:
        await site.server.close()
    assert plain.page is not None and plain.page.body == PAGE.encode()
    assert to_intranet.error == "refused private address 10.0.0.1"
    assert to_metadata.error == "refused link-local address 169.254.169.254"
    assert other_loopback.error == "refused loopback address 127.0.0.2"
    assert site.hits["/to-intranet"] == 1 and site.hits["/to-metadata"] == 1


async def test_a_bad_rule_or_ca_bundle_fails_when_the_fetcher_is_made(
    settings: Settings, client: aioredis.Redis
) -> None:
    with pytest.raises(FetchConfigError, match="BACKLINKS_FETCH_RESOLVE"):
        Fetcher(msgspec.structs.replace(settings, fetch_resolve=["nonsense"]), client)
    with pytest.raises(FetchConfigError, match="BACKLINKS_FETCH_CA_BUNDLE"):
        Fetcher(msgspec.structs.replace(settings, fetch_ca_bundle="/nonexistent/ca.pem"), client)
