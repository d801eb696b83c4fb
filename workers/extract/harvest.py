"""What one pass over a page records, and the head elements both passes read the same way.

The tree walk (`tree`) and the raw tokenizer (`rawscan`) each fill a `Harvest`; `recover` merges
two of them; `parse` resolves one into `RawLink`s and `Mention`s.
"""

import re
from dataclasses import dataclass, field
from typing import Any

import msgspec

from contracts.enums import LinkKind
from workers.extract.nofollow import meta_nofollow, rel_tokens

_REFRESH = re.compile(r"""^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(['"]?)(.*?)\1?\s*$""",
                      re.IGNORECASE | re.DOTALL)


class Found(msgspec.Struct, gc=False):
    """A link as written in the markup, before resolution."""

    kind: LinkKind
    href: str
    rel: tuple[str, ...] = ()
    anchor: str | None = None
    #: Source offset (tokenizer) or -1 (tree).
    offset: int = -1


@dataclass(slots=True)
class Harvest:
    """What one pass over a page (tree walk or raw tokenizer) found."""

    found: list[Found] = field(default_factory=list)
    #: Every a/area tag in document order: (index into `found` or -1, "tag href", offset).
    anchors: list[tuple[int, str, int]] = field(default_factory=list)
    #: `<a`/`<area` start tags written inside text that libxml2 and HTML5 both read as raw text
    #: (scripts, styles, comments...): markup that holds no link (tree walk only).
    anchor_tags_in_raw_text: int = 0
    base: str | None = None
    #: Offset of the first robots meta saying nofollow (-1 in the tree), None when there is none.
    nofollow_at: int | None = None
    #: Visible text pieces as (text, host the enclosing link points to, offset).
    texts: list[tuple[str, str | None, int]] = field(default_factory=list)


def collapse(text: str) -> str | None:
    """White space collapsed to single spaces, or None when nothing is left."""
    return " ".join(text.split()) or None


def area_text(attrs: Any) -> str | None:
    """The text of an `<area>`: its alt, else its title."""
    return collapse(attrs.get("alt") or "") or collapse(attrs.get("title") or "")


def _refresh_target(content: str | None) -> str | None:
    """The URL of a `<meta http-equiv=refresh content="5; url=...">`, or None."""
    if not content:
        return None
    match = _REFRESH.match(content)
    target = match.group(2).strip() if match else ""
    return target or None


def add_meta(harvest: Harvest, attrs: Any, offset: int) -> None:
    """Record a `<meta>`: robots nofollow, or a refresh redirect."""
    name = (attrs.get("name") or "").strip().lower()
    if meta_nofollow(name, attrs.get("content")):
        harvest.nofollow_at = offset if harvest.nofollow_at is None else harvest.nofollow_at
    if (attrs.get("http-equiv") or "").strip().lower() == "refresh":
        target = _refresh_target(attrs.get("content"))
        if target:
            harvest.found.append(Found(LinkKind.REDIRECT, target, offset=offset))


def add_link(harvest: Harvest, attrs: Any, offset: int) -> None:
    """Record a `<link>`: a canonical link."""
    rel = rel_tokens(attrs.get("rel"))
    href = attrs.get("href")
    if "canonical" in rel and href:
        harvest.found.append(Found(LinkKind.CANONICAL, href, rel, offset=offset))
