"""Nofollow signals: rel tokens, meta robots/googlebot and the X-Robots-Tag header."""

import re

_NOFOLLOW_DIRECTIVES = frozenset({"nofollow", "none"})
_ROBOTS_META = frozenset({"robots", "googlebot"})
#: Directives of the form `name: value`, not a crawler scope (X-Robots-Tag).
_VALUED_DIRECTIVES = frozenset({"unavailable_after", "max-snippet", "max-image-preview",
                                "max-video-preview"})
_OUR_CRAWLERS = frozenset({"googlebot"})
_REL_SPLIT = re.compile(r"[\s,]+")


def rel_tokens(value: str | None) -> tuple[str, ...]:
    """rel tokens: split on white space and commas, lower-case, sorted, deduplicated."""
    if not value:
        return ()
    return tuple(sorted({token for token in _REL_SPLIT.split(value.lower()) if token}))


def meta_nofollow(name: str, content: str | None) -> bool:
    """True when a `<meta name=... content=...>` (name stripped, lower-case) is robots saying nofollow."""
    if name not in _ROBOTS_META or not content:
        return False
    return any(token in _NOFOLLOW_DIRECTIVES for token in _REL_SPLIT.split(content.lower()))


def header_nofollow(headers: list[tuple[str, str]] | None) -> bool:
    """True when an X-Robots-Tag header says nofollow/none for all crawlers or for Googlebot."""
    for name, value in headers or ():
        if name.strip().lower() != "x-robots-tag":
            continue
        scope: str | None = None
        for part in value.split(","):
            directive = part.strip().lower()
            head, colon, rest = directive.partition(":")
            if colon and head.strip() not in _VALUED_DIRECTIVES:
                scope, directive = head.strip(), rest.strip()
            if (scope is None or scope in _OUR_CRAWLERS) and directive in _NOFOLLOW_DIRECTIVES:
                return True
    return False
