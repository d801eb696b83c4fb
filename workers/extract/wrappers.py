"""Redirect wrappers: known redirector URLs (google.com/url?q=...) and the destination they hide."""

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from backlinks.domains import registrable_domain
from workers.extract.urls import resolve_url, url_host

#: Redirectors whose destination sits in a query parameter: (host test, path, parameters).
_WRAPPERS: tuple[tuple[Any, str, tuple[str, ...]], ...] = (
    (lambda h: registrable_domain(h).split(".")[0] == "google", "/url", ("q", "url")),
    (lambda h: h in ("l.facebook.com", "lm.facebook.com", "m.facebook.com", "www.facebook.com",
                     "facebook.com", "l.messenger.com"), "/l.php", ("u",)),
    (lambda h: h == "l.instagram.com", "/", ("u",)),
    (lambda h: h == "out.reddit.com", "*", ("url",)),
    (lambda h: h in ("www.youtube.com", "youtube.com", "m.youtube.com"), "/redirect", ("q",)),
    (lambda h: h == "t.umblr.com", "/redirect", ("z",)),
    (lambda h: h in ("vk.com", "away.vk.com", "m.vk.com"), "/away.php", ("to",)),
    (lambda h: h == "disq.us", "/url", ("url",)),
    (lambda h: h == "slack-redir.net", "/link", ("url",)),
    (lambda h: h == "steamcommunity.com", "/linkfilter/", ("url", "u")),
    (lambda h: h in ("www.linkedin.com", "linkedin.com"), "/redir/redirect", ("url",)),
    (lambda h: h in ("duckduckgo.com", "html.duckduckgo.com"), "/l/", ("uddg",)),
    (lambda h: h.endswith(".safelinks.protection.outlook.com"), "/", ("url",)),
)
#: Registrable domains of every wrapper above but Google's (google.*): a cheap first test.
_WRAPPER_DOMAINS = frozenset({
    "facebook.com", "messenger.com", "instagram.com", "reddit.com", "youtube.com", "umblr.com",
    "vk.com", "disq.us", "slack-redir.net", "steamcommunity.com", "linkedin.com", "duckduckgo.com",
    "outlook.com",
})
_DISQUS_SUFFIX = re.compile(r":[A-Za-z0-9_\-]{10,}$")


#: Host endings every wrapper host has: a test far cheaper than finding the registrable domain.
_WRAPPER_ENDINGS = tuple(_WRAPPER_DOMAINS)


def unwrap(url: str, host: str) -> str | None:
    """The destination of a known redirector URL (google.com/url?q=...), or None."""
    if "google." not in host and not host.rstrip(".").endswith(_WRAPPER_ENDINGS):
        return None
    domain = registrable_domain(host)
    if domain not in _WRAPPER_DOMAINS and not domain.startswith("google."):
        return None
    parts = urlsplit(url)
    for test, path, params in _WRAPPERS:
        if (path == "*" or parts.path == path) and test(host):
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            for param in params:
                target = query.get(param, "")
                if host == "disq.us":
                    target = _DISQUS_SUFFIX.sub("", target)
                if target[:4].lower() == "http":
                    return resolve_url(target, "")
            return None
    return None


def destination(href: str, base: str, encoding: str = "utf-8") -> tuple[str, str, str | None] | None:
    """An href resolved against `base`: (URL, host, destination when the URL is a known
    redirector such as google.com/url?q=...), or None when it is no http(s) link."""
    url = resolve_url(href, base, encoding)
    if url is None:
        return None
    host = url_host(url)
    return url, host, unwrap(url, host)
