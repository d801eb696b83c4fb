"""Mentions: host names in a page's visible text that no enclosing link already points to."""

import re

from backlinks.domains import public_suffix
from workers.extract.model import Mention
from workers.extract.urls import resolve_url, url_host

#: A host name in text: labels on boundaries, ending in an alphabetic (or punycode) label.
HOST_IN_TEXT = re.compile(
    r"(?<![\w.\-=?&#%])(?<![^/]/)"
    r"((?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9\-]{2,59}))"
    r"(?![\w\-]|\.[^\W_])",
    re.IGNORECASE,
)
#: Cheap necessary condition for `HOST_IN_TEXT`: a dot followed by two letters.
MAYBE_HOST = re.compile(r"\.[^\W\d_]{2}")


def href_host(href: str) -> str | None:
    """The host a link points to, for mailto: links the mail domain (its text is no mention)."""
    href = href.strip()
    if href[:7].lower() == "mailto:":
        domain = href[7:].partition("?")[0].rpartition("@")[2]
        return domain.lower() or None
    if "//" not in href:
        return None
    url = resolve_url(href, "https://invalid.invalid/")
    return url_host(url) if url else None


def _mention_host(text: str) -> str | None:
    """The normalised host a matched name stands for, when it has a registrable domain."""
    first, _, last = text.rpartition(".")
    if "." not in first and first.islower() and last.istitle():
        return None  # "entführen.In der": two sentences missing a space, not a host name
    url = resolve_url(f"http://{text}/", "")
    host = url_host(url) if url else ""
    suffix = public_suffix(host) if 0 < len(host) <= 253 else ""
    return host if suffix and host != suffix else None


def mentions(texts: list[tuple[str, str | None, int]]) -> list[Mention]:
    """Each host named in the texts once per spelling, unless the enclosing link points there."""
    seen: set[tuple[str, str]] = set()
    found = []
    for text, link_host, _ in texts:
        for match in HOST_IN_TEXT.finditer(text):
            name = match.group(1)
            host = _mention_host(name)
            if host is None or (host, name) in seen:
                continue
            if link_host and (link_host == host or link_host.endswith("." + host)
                              or host.endswith("." + link_host)):
                continue
            seen.add((host, name))
            found.append(Mention(host, name))
    return found
