"""Normalisation and validation of the domain a user asks about (SPEC 2, "Target")."""

import ipaddress
import re
from urllib.parse import urlsplit

import idna

from backlinks.domains import public_suffix, registrable_domain
from backlinks.errors import InvalidTarget

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def normalize_target(raw: object) -> str:
    """The target as stored (lower case, punycode, no scheme/path/port/`www.`/trailing dot).

    Raises InvalidTarget with a message naming the problem.
    """
    if not isinstance(raw, str):
        raise InvalidTarget("domain must be a string")
    text = raw.strip()
    if not text:
        raise InvalidTarget("domain is empty")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidTarget(f"domain {text[:80]!r} contains white space or control characters")
    host = _host_part(text)
    if not host:
        raise InvalidTarget(f"no host name in {raw!r}")
    if any(ch.isspace() for ch in host):
        raise InvalidTarget(f"domain {host!r} contains white space")
    _refuse_ip(host)
    host = host.rstrip(".") if host.endswith(".") and not host.endswith("..") else host
    if ".." in host or host.startswith("."):
        raise InvalidTarget(f"domain {host!r} has an empty label")
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii").lower()
    except idna.IDNAError as exc:
        ascii_host = _plain_ascii(host, exc)
    except UnicodeError as exc:
        raise InvalidTarget(f"domain {host!r} is not a valid name: {exc}") from None
    if ascii_host.startswith("www.") and ascii_host.count(".") >= 2:
        ascii_host = ascii_host[4:]
    _check_labels(ascii_host)
    _check_public(ascii_host)
    return ascii_host


def _host_part(text: str) -> str:
    if _SCHEME.match(text):
        try:
            parts = urlsplit(text)
        except ValueError as exc:
            raise InvalidTarget(f"cannot read a host from {text!r}: {exc}") from None
        netloc = parts.netloc
    else:
        netloc = re.split(r"[/?#]", text, maxsplit=1)[0]
    netloc = netloc.rsplit("@", 1)[-1]
    if netloc.startswith("["):
        return netloc[1 : netloc.find("]")] if "]" in netloc else netloc[1:]
    if netloc.count(":") == 1:
        netloc, _, port = netloc.partition(":")
        if port and not port.isdigit():
            raise InvalidTarget(f"port {port!r} is not a number")
    return netloc.lower()


def _refuse_ip(host: str) -> None:
    try:
        ipaddress.ip_address(host.rstrip("."))
    except ValueError:
        return
    raise InvalidTarget(f"{host!r} is an IP address; give a domain name")


def _plain_ascii(host: str, exc: Exception) -> str:
    """idna refuses some ASCII names only for label rules; report those rules precisely."""
    if not host.isascii():
        raise InvalidTarget(f"domain {host!r} has characters outside IDNA: {exc}") from None
    if any(label.startswith("xn--") for label in host.lower().split(".")):
        raise InvalidTarget(f"domain {host!r} holds invalid punycode: {exc}") from None
    return host.lower()


def _check_labels(host: str) -> None:
    if len(host) > 253:
        raise InvalidTarget(f"domain is {len(host)} characters long; at most 253 are allowed")
    labels = host.split(".")
    for label in labels:
        if not label:
            raise InvalidTarget(f"domain {host!r} has an empty label")
        if len(label) > 63:
            raise InvalidTarget(f"label {label[:20]!r}... is {len(label)} characters; at most 63 are allowed")
        if label.startswith("-") or label.endswith("-"):
            raise InvalidTarget(f"label {label!r} starts or ends with a hyphen")
        if not _LABEL.match(label):
            raise InvalidTarget(f"label {label!r} has characters outside IDNA (letters, digits, hyphen)")
    if host == "localhost" or host.endswith(".localhost"):
        raise InvalidTarget("localhost is not a public domain")
    if len(labels) < 2:
        raise InvalidTarget(f"{host!r} is a single label; give a full domain like example.com")


def _check_public(host: str) -> None:
    suffix = public_suffix(host)
    if not suffix:
        raise InvalidTarget(f"{host!r} has no known public suffix (top-level domain)")
    if host == suffix or registrable_domain(host) == suffix:
        raise InvalidTarget(f"{host!r} is a public suffix, not a domain anyone can register")
