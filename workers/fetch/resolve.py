"""Name resolution with curl-style overrides (`--resolve`, `--connect-to`) over the default one.

`BACKLINKS_FETCH_RESOLVE` entries are `host:port:address[,address...]`; `BACKLINKS_FETCH_CONNECT_TO`
entries are `host:port:connect_host:connect_port`. An empty (or `*`) host or port matches any;
an empty connect host or port keeps the original one. IPv6 addresses go in brackets. Only where
the socket connects changes: the URL, the Host header, TLS SNI and certificate checks keep the
URL's host. IP-literal URLs never reach a resolver, so no rule applies to them.
"""

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from workers.fetch.errors import FetchConfigError


def _split(entry: str) -> list[str]:
    """Split on colons outside `[...]`, dropping the brackets."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in entry:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == ":" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        if char not in "[]":
            current.append(char)
    parts.append("".join(current))
    return parts


def _host(value: str) -> str | None:
    value = value.strip().lower().rstrip(".")
    return None if value in ("", "*") else value


def _port(value: str, var: str, entry: str) -> int | None:
    value = value.strip()
    if value in ("", "*"):
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise FetchConfigError(f"{var}: {entry!r}: bad port {value!r}")
    return int(value)


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class ResolveRule:
    """`host:port:address,...`: connections to host:port go to these addresses."""

    host: str | None
    port: int | None
    addresses: tuple[str, ...]

    @classmethod
    def parse(cls, entry: str) -> "ResolveRule":
        """Parse one `BACKLINKS_FETCH_RESOLVE` entry."""
        var = "BACKLINKS_FETCH_RESOLVE"
        head = _split(entry.strip().lstrip("+"))
        if len(head) < 3:
            raise FetchConfigError(f"{var}: {entry!r} is not host:port:address")
        # Unbracketed IPv6 colons split the address list too: rejoin what follows the port.
        raw = ":".join(head[2:])
        addresses = tuple(a.strip().strip("[]") for a in raw.split(",") if a.strip())
        if not addresses or not all(_is_ip(a) for a in addresses):
            raise FetchConfigError(f"{var}: {entry!r}: addresses must be IP addresses")
        return cls(host=_host(head[0]), port=_port(head[1], var, entry), addresses=addresses)

    def matches(self, host: str, port: int) -> bool:
        """True when this rule applies to `host:port`."""
        return (self.host is None or self.host == host) and (self.port is None or self.port == port)


@dataclass(frozen=True, slots=True)
class ConnectToRule:
    """`host:port:connect_host:connect_port`: connect there instead (resolving connect_host)."""

    host: str | None
    port: int | None
    connect_host: str | None
    connect_port: int | None

    @classmethod
    def parse(cls, entry: str) -> "ConnectToRule":
        """Parse one `BACKLINKS_FETCH_CONNECT_TO` entry."""
        var = "BACKLINKS_FETCH_CONNECT_TO"
        parts = _split(entry.strip())
        if len(parts) != 4:
            raise FetchConfigError(f"{var}: {entry!r} is not host:port:connect_host:connect_port")
        return cls(
            host=_host(parts[0]),
            port=_port(parts[1], var, entry),
            connect_host=_host(parts[2]),
            connect_port=_port(parts[3], var, entry),
        )

    def matches(self, host: str, port: int) -> bool:
        """True when this rule applies to `host:port`."""
        return (self.host is None or self.host == host) and (self.port is None or self.port == port)


class OverrideResolver(AbstractResolver):
    """An aiohttp resolver applying connect-to, then resolve rules, then the default resolver.

    The first matching rule of each kind wins, as in curl. Rules are parsed (and a bad one
    raises `FetchConfigError`) at construction; the default resolver is made on first use,
    inside the event loop it needs.
    """

    def __init__(
        self,
        resolve: Iterable[str] = (),
        connect_to: Iterable[str] = (),
        fallback: AbstractResolver | None = None,
    ) -> None:
        self.resolve_rules = tuple(ResolveRule.parse(e) for e in resolve if e.strip())
        self.connect_to_rules = tuple(ConnectToRule.parse(e) for e in connect_to if e.strip())
        self._fallback = fallback

    def target(self, host: str, port: int) -> tuple[str, int]:
        """Where a connection to `host:port` goes after the connect-to rules."""
        name = host.lower().rstrip(".")
        for rule in self.connect_to_rules:
            if rule.matches(name, port):
                return rule.connect_host or name, rule.connect_port or port
        return name, port

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Addresses to connect to for `host:port` (the URL's host stays `hostname`)."""
        name, connect_port = self.target(host, port)
        addresses: tuple[str, ...] | None = None
        for rule in self.resolve_rules:
            if rule.matches(name, connect_port):
                addresses = rule.addresses
                break
        if addresses is None and _is_ip(name):
            addresses = (name,)
        if addresses is None:
            if self._fallback is None:
                self._fallback = DefaultResolver()
            found = await self._fallback.resolve(name, connect_port, family)
            return [{**r, "hostname": host, "port": connect_port} for r in found]
        results: list[ResolveResult] = []
        for address in addresses:
            addr_family = socket.AF_INET6 if ":" in address else socket.AF_INET
            if family in (socket.AF_INET, socket.AF_INET6) and family != addr_family:
                continue
            results.append(
                {
                    "hostname": host,
                    "host": address,
                    "port": connect_port,
                    "family": addr_family,
                    "proto": 0,
                    "flags": socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                }
            )
        if not results:
            raise OSError(f"no address of family {family} for {host} in BACKLINKS_FETCH_RESOLVE")
        return results

    async def close(self) -> None:
        """Close the fallback resolver."""
        if self._fallback is not None:
            await self._fallback.close()
            self._fallback = None
