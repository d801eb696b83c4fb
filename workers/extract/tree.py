"""The tree walk: one pass over the lxml tree parsel builds, filling a `Harvest`."""

from typing import Any

from lxml import etree

from contracts.enums import LinkKind
from workers.extract.harvest import Found, Harvest, add_link, add_meta, area_text, collapse
from workers.extract.mentions import HOST_IN_TEXT, MAYBE_HOST, href_host
from workers.extract.nofollow import rel_tokens
from workers.extract.rawscan import ANCHOR_TAGS

#: Elements whose content is never visible text (and never anchor text).
_HIDDEN = frozenset({"script", "style", "template", "title", "head", "iframe", "noembed",
                     "noframes"})
#: Of those, the ones libxml2 and HTML5 both read as raw text (no tags inside).
_RAW_TEXT = frozenset({"script", "style", "title", "iframe", "noembed", "noframes"})


def _anchor_text(anchor: Any) -> str | None:
    """Visible text of an `<a>` (image alts inline), white space collapsed; else its title."""
    text = anchor.text or ""
    if len(anchor):
        parts = [text]
        stack: list[Any] = list(reversed(anchor))
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                parts.append(node)
                continue
            if node.tail:
                stack.append(node.tail)
            tag = node.tag
            if not isinstance(tag, str) or tag in _HIDDEN or tag == "a":
                continue
            if tag == "img":
                parts.append(f" {node.get('alt') or ''} ")
            elif tag == "br":
                parts.append(" ")
            if node.text:
                parts.append(node.text)
            if len(node):
                stack.extend(reversed(node))
        text = "".join(parts)
    return collapse(text) or collapse(anchor.get("title") or "")


class TreeWalk:
    """One pass over `root.iter()`: links, base, robots, and text that may name a host."""

    def __init__(self) -> None:
        self.harvest = Harvest()
        self._templates = False
        #: Per element: (text hidden, inside a template, host of the enclosing link).
        self._context: dict[Any, tuple[bool, bool, str | None]] = {}
        #: Text that may name a host: (text, element, is the element's tail).
        self._candidates: list[tuple[str, Any, bool]] = []

    def run(self, root: Any) -> Harvest:
        """Walk the tree under `root` once; what it found."""
        candidates = self._candidates
        maybe_host = MAYBE_HOST.search
        dispatch = _TREE_DISPATCH
        anchor_tags = ANCHOR_TAGS.findall
        for el in root.iter():
            handler = dispatch.get(el.tag)
            if handler is None:
                text = el.text
                if text and "." in text and maybe_host(text):
                    candidates.append((text, el, False))
            elif handler is _raw_text:
                text = el.text
                if text and "<" in text:
                    self.harvest.anchor_tags_in_raw_text += len(anchor_tags(text))
            elif handler is not _skip_text:
                handler(self, el)
                text = el.text
                if text and "." in text and maybe_host(text):
                    candidates.append((text, el, False))
            tail = el.tail
            if tail and "." in tail and maybe_host(tail):
                candidates.append((tail, el, True))
        self._mentions()
        return self.harvest

    def _anchor(self, el: Any) -> None:
        tag = el.tag
        href = el.get("href")
        if href is None and tag == "a":
            href = el.get("xlink:href")
        harvest = self.harvest
        if href is None or (self._templates and self._in_template(el)):
            harvest.anchors.append((-1, f"{tag} {href}", -1))
            return
        harvest.anchors.append((len(harvest.found), f"{tag} {href}", -1))
        if tag != "a":
            anchor = area_text(el.attrib)
        elif len(el) == 0 and (text := el.text) and (words := text.split()):
            anchor = " ".join(words)  # most anchors: plain text, no children (fast path)
        else:
            anchor = _anchor_text(el)
        rel = el.get("rel")
        harvest.found.append(Found(LinkKind.ANCHOR, href, rel_tokens(rel) if rel else (), anchor))

    def _in_template(self, el: Any) -> bool:
        parent = el.getparent()
        return parent is not None and self._where(parent)[1]

    def _base(self, el: Any) -> None:
        if self.harvest.base is None and el.get("href") is not None:
            self.harvest.base = el.get("href")

    def _meta(self, el: Any) -> None:
        if not (self._templates and self._in_template(el)):
            add_meta(self.harvest, el.attrib, -1)

    def _link(self, el: Any) -> None:
        if not (self._templates and self._in_template(el)):
            add_link(self.harvest, el.attrib, -1)

    def _template(self, el: Any) -> None:
        self._templates = True
        _skip_text(self, el)

    def _where(self, el: Any) -> tuple[bool, bool, str | None]:
        """Context of text owned by `el`, memoised up the tree so each element is seen once."""
        chain = []
        node = el
        while node is not None and node not in self._context:
            chain.append(node)
            node = node.getparent()
        hidden, template, link_host = self._context.get(node, (False, False, None))
        for node in reversed(chain):
            tag = node.tag
            if not isinstance(tag, str) or tag in _HIDDEN:
                hidden = True
                template = template or tag == "template"
            elif tag == "a":
                link_host = href_host(node.get("href") or node.get("xlink:href") or "")
            self._context[node] = (hidden, template, link_host)
        return hidden, template, link_host

    def _mentions(self) -> None:
        texts = self.harvest.texts
        for text, el, is_tail in self._candidates:
            if not HOST_IN_TEXT.search(text):
                continue
            owner = el.getparent() if is_tail else el
            if owner is None:
                continue
            hidden, _, link_host = self._where(owner)
            if not hidden:
                texts.append((text, link_host, -1))


def _skip_text(walk: TreeWalk, el: Any) -> None:
    """Handler of elements whose own text is never visible (head, template, processing instructions)."""


def _raw_text(walk: TreeWalk, el: Any) -> None:
    """Handler of raw text (script, style, comments): never visible, and markup in it is no tag."""


#: What the walk does per tag; tags not listed only have their text looked at.
_TREE_DISPATCH: dict[Any, Any] = {
    **{tag: _raw_text if tag in _RAW_TEXT else _skip_text for tag in _HIDDEN},
    etree.Comment: _raw_text,
    etree.ProcessingInstruction: _skip_text,
    etree.Entity: _skip_text,
    "a": TreeWalk._anchor,
    "area": TreeWalk._anchor,
    "base": TreeWalk._base,
    "meta": TreeWalk._meta,
    "link": TreeWalk._link,
    "template": TreeWalk._template,
}
