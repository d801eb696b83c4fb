"""Address policy: never connect to private, loopback, link-local, multicast or reserved hosts.

Applied in the connector's `socket_factory`, so it sees the address of every connection the
session opens: IP-literal URLs (which skip the resolver), every redirect hop, robots.txt, and
whatever DNS answers at connect time (rebinding included).
"""

import ipaddress
import logging
import socket
from collections.abc import Iterable

from aiohappyeyeballs import AddrInfoType

from workers.fetch.errors import AddressRefused, FetchConfigError

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# IPv6 prefixes that carry an IPv4 address a gateway may forward to (RFC 6052 NAT64).
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, 6to4 or NAT64 IPv6 address, else None."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_kind(ip: IPAddress) -> str | None:
    """Why `ip` is not a public unicast address ("loopback", "private", ...), or None."""
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        # Shared address space (100.64.0.0/10) and other special-purpose blocks.
        return "non-public"
    return None


class AddressPolicy:
    """Refuses non-public addresses unless an allow-listed network holds them."""

    def __init__(self, allow_nets: Iterable[str] = ()) -> None:
        nets: list[IPNetwork] = []
        for entry in allow_nets:
            try:
                nets.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError as exc:
                raise FetchConfigError(f"BACKLINKS_FETCH_ALLOW_NETS: {entry!r}: {exc}") from None
        self.allow_nets: tuple[IPNetwork, ...] = tuple(nets)
        #: How many connections the guard refused.
        self.refused = 0

    def refusal(self, address: str) -> str | None:
        """Why connecting to `address` is refused ("refused loopback address ..."), or None."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return f"refused unparsable address {address}"
        inner = embedded_ipv4(ip)
        if any(ip in net or (inner is not None and inner in net) for net in self.allow_nets):
            return None
        # A mapped/6to4/NAT64 address reaches its embedded IPv4 address: judge that one.
        kind = address_kind(ip if inner is None else inner)
        return None if kind is None else f"refused {kind} address {address}"

    def check(self, address: str) -> None:
        """Raise `AddressRefused` when connecting to `address` is not allowed."""
        reason = self.refusal(address)
        if reason is not None:
            self.refused += 1
            log.info("%s", reason)
            raise AddressRefused(reason)

    def socket_factory(self, addr_info: AddrInfoType) -> socket.socket:
        """`TCPConnector(socket_factory=...)`: check the address, then make the socket."""
        family, type_, proto, _, address = addr_info
        self.check(str(address[0]))
        return socket.socket(family=family, type=type_, proto=proto)
