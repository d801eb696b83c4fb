"""Which `webhook_url`s a check may ask for: checked when the request comes in.

The guard in the delivery session's `socket_factory` is what really keeps webhooks off private
networks (it sees the address at connect time, DNS rebinding included); this check answers the
caller at once with a reason instead of failing the delivery an hour later.
"""

import concurrent.futures
import ipaddress
import socket

from yarl import URL

from backlinks.errors import InvalidWebhook
from backlinks.settings import Settings
from workers.fetch.guard import AddressPolicy
from workers.fetch.resolve import OverrideResolver

MAX_URL_CHARS = 2048

# getaddrinfo cannot time out by itself: lookups run here and are given up on after a while.
_DNS = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")


def validate_webhook_url(url: str, settings: Settings, *, dns_timeout_s: float = 2.0) -> str:
    """The URL (stripped) when Backlinks may POST to it, else `InvalidWebhook` naming the problem.

    http(s) only, a host, no user name or password, and no address that is private, loopback,
    link-local, multicast, reserved or otherwise non-public (IPv4-mapped and NAT64 forms judged by
    their IPv4 address) unless `fetch_allow_nets` holds it. Names go through the `fetch_resolve`
    and `fetch_connect_to` rules, then DNS; a name that does not resolve (or not within
    `dns_timeout_s`) is accepted: its delivery fails and says so. Blocking (DNS): call it off the
    event loop.
    """
    text = url.strip()
    if not text:
        raise InvalidWebhook("webhook_url is empty")
    if len(text) > MAX_URL_CHARS:
        raise InvalidWebhook(f"webhook_url is longer than {MAX_URL_CHARS} characters")
    try:
        parsed = URL(text)
        host = parsed.raw_host
        port = parsed.port
    except (TypeError, ValueError) as exc:
        raise InvalidWebhook(f"webhook_url is not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise InvalidWebhook(f"webhook_url must be an http or https URL, not {parsed.scheme or 'scheme-less'}")
    if parsed.raw_user is not None or parsed.raw_password is not None:
        raise InvalidWebhook("webhook_url must not carry a user name or password")
    if not host or port is None:
        raise InvalidWebhook("webhook_url has no host")
    if "%" in host:
        raise InvalidWebhook("webhook_url host must not hold percent-escapes or an IPv6 zone")
    guard = AddressPolicy(settings.fetch_allow_nets)
    for address in _addresses(settings, host, port, dns_timeout_s):
        reason = guard.refusal(address)
        if reason is not None:
            where = host if address == host else f"{host} (resolves to {address})"
            raise InvalidWebhook(f"webhook_url host {where} is not a public address: {reason}")
    return text


def _addresses(settings: Settings, host: str, port: int, dns_timeout_s: float) -> list[str]:
    """Where delivery would connect: the same rules, in the same order, as the delivery session."""
    if _is_ip(host):
        return [host]  # aiohttp sends IP-literal URLs past the resolver, rules included
    resolver = OverrideResolver(settings.fetch_resolve, settings.fetch_connect_to)
    name, connect_port = resolver.target(host, port)
    for rule in resolver.resolve_rules:
        if rule.matches(name, connect_port):
            return list(rule.addresses)
    if _is_ip(name):
        return [name]
    lookup = _DNS.submit(socket.getaddrinfo, name, connect_port, type=socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=dns_timeout_s)
    except (OSError, UnicodeError, TimeoutError):
        return []
    return [str(info[4][0]) for info in infos]


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
