"""What the parser hands to the policy: every link and mention of one page."""

from dataclasses import dataclass, field

import msgspec

from contracts.enums import LinkKind


class RawLink(msgspec.Struct, frozen=True, gc=False):
    """One link as the page shows it, already resolved to an absolute URL.

    A Struct, not a frozen dataclass: pages make thousands of these, and a frozen dataclass's
    `__init__` sets each field through `object.__setattr__` (several times slower).
    """

    #: Absolute, normalised http(s) URL (WHATWG resolution, punycode host, default port dropped).
    url: str
    #: Lower-case host of `url`.
    host: str
    anchor_text: str | None
    #: rel tokens, lower-case, sorted, deduplicated.
    rel: tuple[str, ...] = ()
    kind: LinkKind = LinkKind.ANCHOR
    #: The wrapper URL when `kind` is WRAPPED (e.g. https://www.google.com/url?q=...).
    via: str | None = None
    #: False when the source (e.g. a WAT record) did not show the link's attributes.
    attributes_known: bool = True


class Mention(msgspec.Struct, frozen=True, gc=False):
    """A host named in the page's visible text."""

    host: str
    text: str


@dataclass(slots=True)
class ParsedPage:
    """Every link and mention of one page, in document order."""

    url: str
    host: str
    #: The page says nofollow for every link (meta robots/googlebot or X-Robots-Tag).
    page_nofollow: bool = False
    links: list[RawLink] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    #: Things worth knowing (depth-limit recovery, decoding fallbacks), for diagnostics.
    warnings: list[str] = field(default_factory=list)
