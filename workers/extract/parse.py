"""The parser layer: every link and mention of one page, with recovery where libxml2 loses markup.

Normal pages go through parsel (libxml2) and one walk over `root.iter()` (`tree`). libxml2 is not
an HTML5 tree builder: it ends the whole document at its nesting limit (2048 open elements with
huge_tree, 256 without), drops everything after `</html>`, and in some builds ends the page at a
huge text node or a NUL. When a cheap upper bound (every `<a`/`<area` in the markup) exceeds the
anchors in the tree, an exact census (the HTML5 tokenizer states as one regular expression,
`rawscan`) confirms the loss; only then a tolerant tokenizer pass reads the raw markup, and the
links the tree lost are put back in document order (`recover`; `ParsedPage.warnings` says so).
The links found are then resolved against the base, redirect wrappers unwrapped (`wrappers`), and
host names in the visible text become mentions (`mentions`).
"""

from typing import Any

from lxml import etree
from parsel.selector import create_root_node

from backlinks.domains import same_site
from contracts.enums import LinkKind
from workers.extract.harvest import Found
from workers.extract.mentions import mentions
from workers.extract.model import ParsedPage, RawLink
from workers.extract.nofollow import header_nofollow, rel_tokens
from workers.extract.rawscan import ANCHOR_CENSUS, ANCHOR_TAGS, same_text
from workers.extract.recover import recover
from workers.extract.tree import TreeWalk
from workers.extract.urls import resolve_url, url_host
from workers.extract.wrappers import destination, unwrap

__all__ = ["header_nofollow", "parse_page", "rel_tokens", "unwrap"]


#: parsel's parser options, and no table of `id` attributes (libxml2 builds one per page by
#: default; nothing here looks elements up by id).
class _Parser(etree.HTMLParser):
    def __init__(self, **options: Any) -> None:
        super().__init__(collect_ids=False, **options)


def _select(text: str) -> Any:
    """The lxml root of a page as parsel builds it (huge_tree on, NULs dropped, always HTML).

    The tree is parsel's (same function, same libxml2 options but the id table) but of plain lxml elements:
    `lxml.html`'s element classes are looked up by a Python callback for every element the walk
    touches, about a quarter of the walk's time, and the walk needs none of their methods.
    """
    try:
        return create_root_node(text, _Parser, huge_tree=True)
    except UnicodeEncodeError:
        # Lone surrogates cannot reach libxml2.
        return create_root_node(text.encode("utf-8", "replace").decode("utf-8"), _Parser, huge_tree=True)


def _markup_anchor_count(markup: str) -> int:
    """`<a`/`<area` start tags the HTML5 tokenizer sees (not in comments, scripts, attributes)."""
    tags = ANCHOR_CENSUS.findall(same_text(markup))
    return len(tags) - tags.count("")


def _resolve(found: list[Found], base: str, page_host: str, encoding: str) -> list[RawLink]:
    links = []
    canonical, anchor, wrapped = LinkKind.CANONICAL, LinkKind.ANCHOR, LinkKind.WRAPPED
    #: Pages repeat their hrefs (menus, footers): resolve each distinct one once.
    memo: dict[str, tuple[str, str, str | None] | None] = {}
    for item in found:
        href = item.href
        resolved = memo[href] if href in memo else memo.setdefault(href, destination(href, base, encoding))
        if resolved is None:
            continue
        url, host, target = resolved
        kind = item.kind
        if kind is canonical:
            if host == page_host or same_site(host, page_host):
                continue
        elif target is not None and kind is anchor:
            links.append(RawLink(target, url_host(target), item.anchor, item.rel, wrapped, via=url))
            continue
        links.append(RawLink(url, host, item.anchor, item.rel, kind))
    return links


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
    harvest = TreeWalk().run(_select(html))
    in_tree = len(harvest.anchors)
    # Cheap bounds first: every `<a` of the markup is an anchor of the tree or sits in raw text
    # (a script, a comment), else the exact census decides whether libxml2 lost any.
    written = len(ANCHOR_TAGS.findall(html))
    if written > in_tree + harvest.anchor_tags_in_raw_text and _markup_anchor_count(html) > in_tree:
        harvest = recover(harvest, html, page.warnings)
    base = page_base
    if harvest.base is not None:
        resolved = resolve_url(harvest.base, page_base, encoding)
        if resolved is None:
            page.warnings.append(f"unusable <base href={harvest.base[:100]!r}> ignored")
        else:
            base = resolved
    page.page_nofollow = harvest.nofollow_at is not None or header_nofollow(headers)
    page.links = _resolve(harvest.found, base, page.host, encoding)
    page.mentions = mentions(harvest.texts)
    return page
