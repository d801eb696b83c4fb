"""Public-suffix-aware host helpers (offline suffix list, never the network)."""

import ipaddress
from functools import lru_cache

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """The host's registrable domain (`www.bbc.co.uk` -> `bbc.co.uk`).

    A TLD missing from the list follows the list's default rule `*` (one label is the suffix), so
    `www.site.test` and `blog.site.test` are one site; an IP address is its own site.
    """
    host = host.strip(".").lower()
    found = _EXTRACT(host).top_domain_under_public_suffix
    if found:
        return found
    if _is_ip(host) or "." not in host:
        return host
    labels = host.split(".")
    return ".".join(labels[-2:])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@lru_cache(maxsize=65536)
def public_suffix(host: str) -> str:
    """The host's public suffix (`www.bbc.co.uk` -> `co.uk`), or "" when it has none."""
    return _EXTRACT(host.strip(".").lower()).suffix


def host_in_target(host: str, target: str) -> bool:
    """True when `host` is the target or one of its subdomains (label boundaries, no lookalikes)."""
    host = host.rstrip(".").lower()
    return host == target or host.endswith("." + target)


def same_site(host_a: str, host_b: str) -> bool:
    """True when both hosts share a registrable domain (links between them are internal)."""
    return registrable_domain(host_a) == registrable_domain(host_b)
