"""The parser layer: every link and mention of one page, with recovery where libxml2 loses markup.

Normal pages go through parsel (libxml2) and one walk over `root.iter()`. libxml2 is not an HTML5
tree builder: it ends the whole document at its nesting limit (2048 open elements with huge_tree,
256 without), drops everything after `</html>`, and in some builds ends the page at a huge text
node or a NUL. When a cheap upper bound (every `<a`/`<area` in the markup) exceeds the anchors in
the tree, an exact census (the HTML5 tokenizer states as one regular expression) confirms the
loss; only then a tolerant tokenizer pass reads the raw markup, and the links the tree lost are
put back in document order (`ParsedPage.warnings` says so).
"""

import html as html_lib
import logging
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from html.entities import html5 as _ENTITIES
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from lxml import etree
from parsel import Selector

from backlinks.domains import public_suffix, registrable_domain, same_site
from contracts.enums import LinkKind
from workers.extract.model import Mention, ParsedPage, RawLink
from workers.extract.urls import resolve_url, url_host

log = logging.getLogger(__name__)

#: Elements whose content is never visible text (and never anchor text).
_HIDDEN = frozenset({"script", "style", "template", "title", "head", "iframe", "noembed",
                     "noframes"})
#: Elements whose text libxml2 and browsers read as raw text: no tags inside.
_RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "textarea",
                       "title"})
_NOFOLLOW_DIRECTIVES = frozenset({"nofollow", "none"})
_ROBOTS_META = frozenset({"robots", "googlebot"})
#: Directives of the form `name: value`, not a crawler scope (X-Robots-Tag).
_VALUED_DIRECTIVES = frozenset({"unavailable_after", "max-snippet", "max-image-preview",
                                "max-video-preview"})
_OUR_CRAWLERS = frozenset({"googlebot"})
_REL_SPLIT = re.compile(r"[\s,]+")
#: Every `<a`/`<area` start tag and more (those in comments and scripts too): an upper bound.
_ANCHOR_TAGS = re.compile(r"<a(?:rea)?[\t\n\f\r />]", re.IGNORECASE)

#: A host name in text: labels on boundaries, ending in an alphabetic (or punycode) label.
_HOST_IN_TEXT = re.compile(
    r"(?<![\w.\-=?&#%])(?<![^/]/)"
    r"((?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9\-]{2,59}))"
    r"(?![\w\-]|\.[^\W_])",
    re.IGNORECASE,
)
#: Cheap necessary condition for `_HOST_IN_TEXT`: a dot followed by two letters.
_MAYBE_HOST = re.compile(r"\.[^\W\d_]{2}")
_REFRESH = re.compile(r"""^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(['"]?)(.*?)\1?\s*$""",
                      re.IGNORECASE | re.DOTALL)


@dataclass(slots=True)
class _Found:
    """A link as written in the markup, before resolution."""

    kind: LinkKind
    href: str
    rel: tuple[str, ...] = ()
    anchor: str | None = None
    #: Source offset (tokenizer) or -1 (tree).
    offset: int = -1


@dataclass(slots=True)
class _Harvest:
    """What one pass over a page (tree walk or raw tokenizer) found."""

    found: list[_Found] = field(default_factory=list)
    #: Every a/area tag in document order: (index into `found` or -1, "tag href", offset).
    anchors: list[tuple[int, str, int]] = field(default_factory=list)
    base: str | None = None
    #: Offset of the first robots meta saying nofollow (-1 in the tree), None when there is none.
    nofollow_at: int | None = None
    #: Visible text pieces as (text, host the enclosing link points to, offset).
    texts: list[tuple[str, str | None, int]] = field(default_factory=list)


def rel_tokens(value: str | None) -> tuple[str, ...]:
    """rel tokens: split on white space and commas, lower-case, sorted, deduplicated."""
    if not value:
        return ()
    return tuple(sorted({token for token in _REL_SPLIT.split(value.lower()) if token}))


def _collapse(text: str) -> str | None:
    return " ".join(text.split()) or None


def _area_text(attrs: Any) -> str | None:
    return _collapse(attrs.get("alt") or "") or _collapse(attrs.get("title") or "")


def _robots_nofollow(content: str | None) -> bool:
    if not content:
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


def _refresh_target(content: str | None) -> str | None:
    """The URL of a `<meta http-equiv=refresh content="5; url=...">`, or None."""
    if not content:
        return None
    match = _REFRESH.match(content)
    target = match.group(2).strip() if match else ""
    return target or None


def _meta(harvest: _Harvest, attrs: Any, offset: int) -> None:
    name = (attrs.get("name") or "").strip().lower()
    if name in _ROBOTS_META and _robots_nofollow(attrs.get("content")):
        harvest.nofollow_at = offset if harvest.nofollow_at is None else harvest.nofollow_at
    if (attrs.get("http-equiv") or "").strip().lower() == "refresh":
        target = _refresh_target(attrs.get("content"))
        if target:
            harvest.found.append(_Found(LinkKind.REDIRECT, target, offset=offset))


def _link(harvest: _Harvest, attrs: Any, offset: int) -> None:
    rel = rel_tokens(attrs.get("rel"))
    href = attrs.get("href")
    if "canonical" in rel and href:
        harvest.found.append(_Found(LinkKind.CANONICAL, href, rel, offset=offset))


# ---------------------------------------------------------------------------- the parsel tree


def _select(text: str) -> Any:
    """The lxml root of a page as parsel builds it (huge_tree on, NULs dropped, always HTML)."""
    try:
        return Selector(text=text, type="html").root
    except UnicodeEncodeError:
        # Lone surrogates cannot reach libxml2.
        return Selector(text=text.encode("utf-8", "replace").decode("utf-8"), type="html").root


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
    return _collapse(text) or _collapse(anchor.get("title") or "")


class _TreeWalk:
    """One pass over `root.iter()`: links, base, robots, and text that may name a host."""

    def __init__(self) -> None:
        self.harvest = _Harvest()
        self._templates = False
        #: Per element: (text hidden, inside a template, host of the enclosing link).
        self._context: dict[Any, tuple[bool, bool, str | None]] = {}
        #: Text that may name a host: (text, element, is the element's tail).
        self._candidates: list[tuple[str, Any, bool]] = []

    def run(self, root: Any) -> _Harvest:
        candidates = self._candidates
        maybe_host = _MAYBE_HOST.search
        dispatch = _TREE_DISPATCH
        for el in root.iter():
            handler = dispatch.get(el.tag)
            if handler is None:
                text = el.text
                if text and maybe_host(text):
                    candidates.append((text, el, False))
            elif handler is not _skip_text:
                handler(self, el)
                text = el.text
                if text and maybe_host(text):
                    candidates.append((text, el, False))
            tail = el.tail
            if tail and maybe_host(tail):
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
        anchor = _anchor_text(el) if tag == "a" else _area_text(el.attrib)
        harvest.found.append(_Found(LinkKind.ANCHOR, href, rel_tokens(el.get("rel")), anchor))

    def _in_template(self, el: Any) -> bool:
        parent = el.getparent()
        return parent is not None and self._where(parent)[1]

    def _base(self, el: Any) -> None:
        if self.harvest.base is None and el.get("href") is not None:
            self.harvest.base = el.get("href")

    def _meta(self, el: Any) -> None:
        if not (self._templates and self._in_template(el)):
            _meta(self.harvest, el.attrib, -1)

    def _link(self, el: Any) -> None:
        if not (self._templates and self._in_template(el)):
            _link(self.harvest, el.attrib, -1)

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
                link_host = _href_host(node.get("href") or node.get("xlink:href") or "")
            self._context[node] = (hidden, template, link_host)
        return hidden, template, link_host

    def _mentions(self) -> None:
        texts = self.harvest.texts
        for text, el, is_tail in self._candidates:
            if not _HOST_IN_TEXT.search(text):
                continue
            owner = el.getparent() if is_tail else el
            if owner is None:
                continue
            hidden, _, link_host = self._where(owner)
            if not hidden:
                texts.append((text, link_host, -1))


def _skip_text(walk: _TreeWalk, el: Any) -> None:
    """Handler of elements whose own text is never visible (script, style, comments...)."""


#: What the walk does per tag; tags not listed only have their text looked at.
_TREE_DISPATCH: dict[Any, Any] = {
    **{tag: _skip_text for tag in _HIDDEN},
    etree.Comment: _skip_text,
    etree.ProcessingInstruction: _skip_text,
    etree.Entity: _skip_text,
    "a": _TreeWalk._anchor,
    "area": _TreeWalk._anchor,
    "base": _TreeWalk._base,
    "meta": _TreeWalk._meta,
    "link": _TreeWalk._link,
    "template": _TreeWalk._template,
}


def _href_host(href: str) -> str | None:
    """The host a link points to, for mailto: links the mail domain (its text is no mention)."""
    href = href.strip()
    if href[:7].lower() == "mailto:":
        domain = href[7:].partition("?")[0].rpartition("@")[2]
        return domain.lower() or None
    if "//" not in href:
        return None
    url = resolve_url(href, "https://invalid.invalid/")
    return url_host(url) if url else None


# ------------------------------------------------------------------ the raw markup, as fallback

# HTML5 tokenizer states as regular expressions (possessive, so never backtracking): comments,
# bogus comments, raw-text elements (no tags inside), plaintext (no tags after), other tags.
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
#: The same states, capturing only `<a`/`<area` start tags: a cheap exact census (case-sensitive
#: classes with case-insensitive names run faster than re.IGNORECASE).
_ANCHOR_CENSUS = re.compile(
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


def _same_text(markup: str) -> str:
    """The text libxml2 sees through parsel: NULs dropped (line breaks normalised as HTML5 does)."""
    if "\x00" in markup:
        markup = markup.replace("\x00", "")
    if "\r" in markup:
        markup = markup.replace("\r\n", "\n").replace("\r", "\n")
    return markup


class _RawScan:
    """A tolerant HTML5-style tokenizer pass that yields the same records as the tree walk."""

    def __init__(self, markup: str) -> None:
        self.markup = _same_text(markup)
        self.harvest = _Harvest()
        self._anchor: tuple[_Found, list[str], str | None, str | None] | None = None
        self._template = 0

    def run(self) -> _Harvest:
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
            found = _Found(LinkKind.ANCHOR, href, rel_tokens(attrs.get("rel")), offset=offset)
            harvest.found.append(found)
            if name == "area":
                found.anchor = _area_text(attrs)
            else:
                self._anchor = (found, [], attrs.get("title"), _href_host(href))
        elif self._template:
            return
        elif name == "img" and self._anchor:
            self._anchor[1].append(f" {attrs.get('alt') or ''} ")
        elif name == "br" and self._anchor:
            self._anchor[1].append(" ")
        elif name == "base" and harvest.base is None and "href" in attrs:
            harvest.base = attrs["href"]
        elif name == "meta":
            _meta(harvest, attrs, offset)
        elif name == "link":
            _link(harvest, attrs, offset)

    def _end(self, name: str) -> None:
        if name == "template":
            self._template = max(0, self._template - 1)
        elif name == "a":
            self._close_anchor()

    def _close_anchor(self) -> None:
        if self._anchor:
            found, parts, title, _ = self._anchor
            found.anchor = _collapse("".join(parts)) or _collapse(title or "")
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


# ------------------------------------------------------------------------------------ recovery


def _markup_anchor_count(markup: str) -> int:
    """`<a`/`<area` start tags the HTML5 tokenizer sees (not in comments, scripts, attributes)."""
    tags = _ANCHOR_CENSUS.findall(_same_text(markup))
    return len(tags) - tags.count("")


def _align(tree: _Harvest, raw: _Harvest) -> tuple[dict[int, int], int]:
    """Pair the tree's a/area tags with the markup's by (tag, href), greedily in order.

    Returns {raw anchor index: tree found index (-1 when the tree skips it)} and the offset in
    the markup after which nothing was matched (where the tree's loss begins).
    """
    positions: dict[str, list[int]] = {}
    for index, (_, key, _) in enumerate(raw.anchors):
        positions.setdefault(key, []).append(index)
    matched: dict[int, int] = {}
    cursor = 0
    for tree_found, key, _ in tree.anchors:
        candidates = positions.get(key, ())
        at = bisect_left(candidates, cursor)
        if at < len(candidates):
            matched[candidates[at]] = tree_found
            cursor = candidates[at] + 1
    lost_from = raw.anchors[cursor - 1][2] if cursor else 0
    return matched, lost_from


def _recover(tree: _Harvest, markup: str, warnings: list[str]) -> _Harvest:
    """Put back, in document order, the links the tree lost; the tree stays authoritative."""
    raw = _RawScan(markup).run()
    matched, lost_from = _align(tree, raw)
    anchor_of = {found: index for index, (found, _, _) in enumerate(raw.anchors) if found != -1}
    tree_known = {(f.kind, f.href) for f in tree.found if f.kind is not LinkKind.ANCHOR}
    nofollow_at = tree.nofollow_at
    if nofollow_at is None and raw.nofollow_at is not None and raw.nofollow_at >= lost_from:
        nofollow_at = raw.nofollow_at
    merged = _Harvest(base=tree.base or raw.base, nofollow_at=nofollow_at)
    taken = recovered = 0
    for raw_index, found in enumerate(raw.found):
        anchor = anchor_of.get(raw_index)
        if anchor is not None and anchor in matched:
            upto = matched[anchor]
            if upto >= taken:
                merged.found.extend(tree.found[taken : upto + 1])
                taken = upto + 1
        elif anchor is not None or (
            found.offset >= lost_from and (found.kind, found.href) not in tree_known
        ):
            merged.found.append(found)
            recovered += 1
    merged.found.extend(tree.found[taken:])
    merged.texts = tree.texts + [text for text in raw.texts if text[2] >= lost_from]
    if recovered:
        warnings.append(
            "libxml2 dropped part of the page (nesting limit, content after </html>, truncated "
            f"tree): {recovered} link(s) recovered from the raw markup"
        )
        log.info("recovered %d link(s) that libxml2 dropped", recovered)
    return merged


# ------------------------------------------------------------------------- resolution, mentions

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
_WRAPPER_DOMAINS = frozenset({
    "facebook.com", "messenger.com", "instagram.com", "reddit.com", "youtube.com", "umblr.com",
    "vk.com", "disq.us", "slack-redir.net", "steamcommunity.com", "linkedin.com", "duckduckgo.com",
    "outlook.com",
})
_DISQUS_SUFFIX = re.compile(r":[A-Za-z0-9_\-]{10,}$")


def unwrap(url: str, host: str) -> str | None:
    """The destination of a known redirector URL (google.com/url?q=...), or None."""
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


def _resolve(found: list[_Found], base: str, page_host: str, encoding: str) -> list[RawLink]:
    links = []
    #: Pages repeat their hrefs (menus, footers): resolve each distinct one once.
    memo: dict[str, tuple[str, str, str | None] | None] = {}
    for item in found:
        href = item.href
        if href in memo:
            resolved = memo[href]
        else:
            url = resolve_url(href, base, encoding)
            host = url_host(url) if url else ""
            resolved = memo[href] = (url, host, unwrap(url, host)) if url else None
        if resolved is None:
            continue
        url, host, target = resolved
        if item.kind is LinkKind.CANONICAL:
            if same_site(host, page_host):
                continue
        elif item.kind is LinkKind.ANCHOR and target is not None:
            links.append(RawLink(target, url_host(target), item.anchor, item.rel,
                                 LinkKind.WRAPPED, via=url))
            continue
        links.append(RawLink(url, host, item.anchor, item.rel, item.kind))
    return links


def _mention_host(text: str) -> str | None:
    """The normalised host a matched name stands for, when it has a registrable domain."""
    first, _, last = text.rpartition(".")
    if "." not in first and first.islower() and last.istitle():
        return None  # "entführen.In der": two sentences missing a space, not a host name
    url = resolve_url(f"http://{text}/", "")
    host = url_host(url) if url else ""
    suffix = public_suffix(host) if 0 < len(host) <= 253 else ""
    return host if suffix and host != suffix else None


def _mentions(texts: list[tuple[str, str | None, int]]) -> list[Mention]:
    seen: set[tuple[str, str]] = set()
    mentions = []
    for text, link_host, _ in texts:
        for match in _HOST_IN_TEXT.finditer(text):
            name = match.group(1)
            host = _mention_host(name)
            if host is None or (host, name) in seen:
                continue
            if link_host and (link_host == host or link_host.endswith("." + host)
                              or host.endswith("." + link_host)):
                continue
            seen.add((host, name))
            mentions.append(Mention(host, name))
    return mentions


def parse_page(
    html: str,
    page_url: str,
    *,
    headers: list[tuple[str, str]] | None = None,
    encoding: str = "utf-8",
) -> ParsedPage:
    """Every link and mention of a page, in document order, with page-level nofollow."""
    page_base = resolve_url(page_url, "") or page_url
    page = ParsedPage(url=page_url, host=url_host(page_base))
    harvest = _TreeWalk().run(_select(html))
    in_tree = len(harvest.anchors)
    if len(_ANCHOR_TAGS.findall(html)) > in_tree and _markup_anchor_count(html) > in_tree:
        harvest = _recover(harvest, html, page.warnings)
    base = page_base
    if harvest.base is not None:
        resolved = resolve_url(harvest.base, page_base, encoding)
        if resolved is None:
            page.warnings.append(f"unusable <base href={harvest.base[:100]!r}> ignored")
        else:
            base = resolved
    page.page_nofollow = harvest.nofollow_at is not None or header_nofollow(headers)
    page.links = _resolve(harvest.found, base, page.host, encoding)
    page.mentions = _mentions(harvest.texts)
    return page
