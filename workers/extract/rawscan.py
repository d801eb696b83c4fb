"""The raw markup pass: HTML5 tokenizer states as regular expressions, for what libxml2 loses.

The states (possessive, so never backtracking): comments, bogus comments, raw-text elements (no
tags inside), plaintext (no tags after), other tags. `RawScan` reads a page with them into the
same `Harvest` the tree walk fills; `ANCHOR_CENSUS` counts the `<a`/`<area` start tags they see.
"""

import html as html_lib
import re
from html.entities import html5 as _ENTITIES

from contracts.enums import LinkKind
from workers.extract.harvest import Found, Harvest, add_link, add_meta, area_text, collapse
from workers.extract.mentions import href_host
from workers.extract.nofollow import rel_tokens

#: Elements whose text libxml2 and browsers read as raw text: no tags inside.
_RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "textarea",
                       "title"})
#: What may follow a tag name.
_SEP = r"[\t\n\f\r />]"
_ATTRS = (
    r"""(?:[\t\n\f\r /]*+(?:[^\t\n\f\r />][^\t\n\f\r />=]*+"""
    r"""(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"[^"]*+"?|'[^']*+'?|[^\t\n\f\r >]*+))?))*+[\t\n\f\r /]*+"""
)
_SKIPPED = r"<!--(?:-?>|[^-]*+(?:-(?!-!?>)[^-]*+)*+(?:--!?>)?)|<[!?][^>]*+>?|</(?![a-z])[^>]*+>?"
_RAW_NAMES = "|".join(sorted(_RAW_TEXT))
_TOKEN = re.compile(
    rf"{_SKIPPED}"
    rf"|<(?P<raw>{_RAW_NAMES})(?={_SEP}){_ATTRS}>(?P<body>[^<]*+(?:<(?!/(?P=raw){_SEP})[^<]*+)*+)"
    rf"|<plaintext(?={_SEP}){_ATTRS}>(?P<plain>[\s\S]*+)"
    rf"|<(?P<end>/)?(?P<name>[a-z][^\t\n\f\r />]*+)(?P<attrs>{_ATTRS})(?P<close>>?)",
    re.IGNORECASE,
)
#: Every `<a`/`<area` start tag and more (those in comments and scripts too): an upper bound.
ANCHOR_TAGS = re.compile(r"<a(?:rea)?[\t\n\f\r />]", re.IGNORECASE)
#: The same states, capturing only `<a`/`<area` start tags: a cheap exact census (case-sensitive
#: classes with case-insensitive names run faster than re.IGNORECASE).
ANCHOR_CENSUS = re.compile(
    _SKIPPED.replace("[a-z]", "[a-zA-Z]")
    + "".join(
        rf"|<(?i:{name})(?={_SEP}){_ATTRS}>[^<]*+(?:<(?!/(?i:{name}){_SEP})[^<]*+)*+"
        for name in sorted(_RAW_TEXT)
    )
    + rf"|<(?i:plaintext)(?={_SEP}){_ATTRS}>[\s\S]*+"
    + rf"|<((?i:a|area))(?={_SEP}){_ATTRS}>"
    + rf"|</?[a-zA-Z][^\t\n\f\r />]*+{_ATTRS}>?"
)
_ATTRIBUTE = re.compile(
    r"""([^\t\n\f\r />][^\t\n\f\r />=]*)"""
    r"""(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"([^"]*)"?|'([^']*)'?|([^\t\n\f\r >]*)))?"""
)
_ATTR_ENTITY = re.compile(r"&(#[xX][0-9a-fA-F]+;?|#[0-9]+;?|[A-Za-z][A-Za-z0-9]*;?)")
#: Start tags the raw pass looks into.
_RAW_START_TAGS = frozenset({"a", "area", "img", "br", "base", "meta", "link", "template"})


def _attr_entity(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref.startswith("#"):
        return html_lib.unescape("&" + ref)
    if ref.endswith(";") and ref in _ENTITIES:
        return _ENTITIES[ref]
    # Legacy entities without ";" are decoded in attributes only when not followed by [=A-Za-z0-9].
    name = ref.rstrip(";")
    following = match.string[match.end() : match.end() + 1]
    for end in range(len(name), 1, -1):
        if name[:end] in _ENTITIES:
            if end < len(ref) or following == "=":
                return match.group(0)
            return _ENTITIES[name[:end]]
    return match.group(0)


def _attributes(source: str) -> dict[str, str]:
    """A tag's attributes as HTML5 reads them (lower-case names, first wins, entities decoded)."""
    attrs: dict[str, str] = {}
    for name, double, single, bare in _ATTRIBUTE.findall(source):
        name = name.lower()
        if name not in attrs:
            value = double or single or bare
            attrs[name] = _ATTR_ENTITY.sub(_attr_entity, value) if "&" in value else value
    return attrs


def same_text(markup: str) -> str:
    """The text libxml2 sees through parsel: NULs dropped (line breaks normalised as HTML5 does)."""
    if "\x00" in markup:
        markup = markup.replace("\x00", "")
    if "\r" in markup:
        markup = markup.replace("\r\n", "\n").replace("\r", "\n")
    return markup


class RawScan:
    """A tolerant HTML5-style tokenizer pass that yields the same records as the tree walk."""

    def __init__(self, markup: str) -> None:
        self.markup = same_text(markup)
        self.harvest = Harvest()
        self._anchor: tuple[Found, list[str], str | None, str | None] | None = None
        self._template = 0

    def run(self) -> Harvest:
        """Tokenize the whole markup once; what it found."""
        markup = self.markup
        pos = 0
        for match in _TOKEN.finditer(markup):
            start = match.start()
            if start > pos:
                self._text(markup[pos:start], pos)
            pos = match.end()
            name = match.group("name")
            if name is not None:
                if not match.group("close"):
                    break  # the page ends inside a tag: browsers drop it
                name = name.lower()
                if match.group("end"):
                    self._end(name)
                elif name in _RAW_START_TAGS:
                    self._start(name, _attributes(match.group("attrs")), start)
            elif match.group("raw") is not None:
                if match.group("raw").lower() == "textarea":
                    self._text(match.group("body"), match.start("body"))
            elif match.group("plain") is not None:
                self._text(match.group("plain"), match.start("plain"))
        else:
            if pos < len(markup):
                self._text(markup[pos:], pos)
        self._close_anchor()
        return self.harvest

    def _start(self, name: str, attrs: dict[str, str], offset: int) -> None:
        harvest = self.harvest
        if name == "template":
            self._template += 1
        elif name in ("a", "area"):
            href = attrs.get("href")
            if href is None and name == "a":
                href = attrs.get("xlink:href")
            if name == "a":
                self._close_anchor()
            if href is None or self._template:
                harvest.anchors.append((-1, f"{name} {href}", offset))
                return
            harvest.anchors.append((len(harvest.found), f"{name} {href}", offset))
            found = Found(LinkKind.ANCHOR, href, rel_tokens(attrs.get("rel")), offset=offset)
            harvest.found.append(found)
            if name == "area":
                found.anchor = area_text(attrs)
            else:
                self._anchor = (found, [], attrs.get("title"), href_host(href))
        elif self._template:
            return
        elif name == "img" and self._anchor:
            self._anchor[1].append(f" {attrs.get('alt') or ''} ")
        elif name == "br" and self._anchor:
            self._anchor[1].append(" ")
        elif name == "base" and harvest.base is None and "href" in attrs:
            harvest.base = attrs["href"]
        elif name == "meta":
            add_meta(harvest, attrs, offset)
        elif name == "link":
            add_link(harvest, attrs, offset)

    def _end(self, name: str) -> None:
        if name == "template":
            self._template = max(0, self._template - 1)
        elif name == "a":
            self._close_anchor()

    def _close_anchor(self) -> None:
        if self._anchor:
            found, parts, title, _ = self._anchor
            found.anchor = collapse("".join(parts)) or collapse(title or "")
            self._anchor = None

    def _text(self, text: str, offset: int) -> None:
        if self._template:
            return
        if "&" in text:
            text = html_lib.unescape(text)
        if self._anchor:
            self._anchor[1].append(text)
        if "." in text:
            self.harvest.texts.append((text, self._anchor[3] if self._anchor else None, offset))
