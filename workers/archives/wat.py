"""Common Crawl WAT records: the page they describe, and its links in the parser's shape.

A WAT record is JSON written by ia-web-commons from the WARC response: `Envelope` ->
`Payload-Metadata` -> `HTTP-Response-Metadata` -> `HTML-Metadata` with `Head` (Title, Base,
Metas, Link) and `Links` ({"path": "A@/href", "url", "text", "rel"?, "alt"?, "title"?}, ...).
What it cannot give compared with parsing the HTML: mentions (no page text is kept), anchor text
past 100 characters, the alt text of an image inside a link, and, before CC-MAIN-2017-34, rel.
"""

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backlinks.domains import same_site
from contracts.enums import LinkKind
from workers.archives.model import ArchivePage, Skip
from workers.extract.model import ParsedPage, RawLink
from workers.extract.parse import header_nofollow, rel_tokens
from workers.extract.urls import resolve_url, url_host
from workers.extract.wrappers import destination

#: Complete character references only: `&copy=2` in a URL is not `©=2` (HTML attribute rule).
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TOKENS = re.compile(r"[\s,]+")
_EXTRACTOR_DATE = re.compile(r"ia-web-commons\S*?-(\d{8})\d*")
#: ia-web-commons records `rel` on A/AREA links from snapshots of this date on (CC-MAIN-2017-34).
_REL_SINCE = "20170901"
_ANCHOR_PATHS = frozenset({"A@/href", "AREA@/href"})
_REFRESH_URL = re.compile(r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(['\"]?)(.*?)\1?\s*$", re.IGNORECASE | re.DOTALL)
_ROBOTS_NAMES = frozenset({"robots", "googlebot"})


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _unix(value: str) -> int | None:
    """An ISO 8601 WARC-Date as unix seconds (UTC when it names no zone)."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def _headers(value: Any) -> list[tuple[str, str]]:
    """WAT `Headers` (an object; repeated headers may be a list) as (name, value) pairs."""
    pairs: list[tuple[str, str]] = []
    for name, field in _dict(value).items():
        for item in field if isinstance(field, list) else [field]:
            if isinstance(item, str | int | float):
                pairs.append((str(name), str(item)))
    return pairs


@dataclass(frozen=True, slots=True)
class WatProblem:
    """Why a WAT record could not be read (it is counted as malformed)."""

    message: str


def page_from_wat(
    doc: Any, *, url: str, date: int | None, software: str | None, record_id: str | None
) -> ArchivePage | Skip | WatProblem:
    """The page a WAT record describes, the reason it describes none, or what is wrong with it."""
    envelope = _dict(_dict(doc).get("Envelope"))
    if not envelope:
        return WatProblem("no Envelope in WAT JSON")
    warc = _dict(envelope.get("WARC-Header-Metadata"))
    kind = _text(warc.get("WARC-Type")).lower()
    if kind != "response":
        reasons = {"request": Skip.REQUEST, "warcinfo": Skip.WARCINFO, "revisit": Skip.REVISIT}
        return reasons.get(kind, Skip.METADATA if kind == "metadata" else Skip.OTHER_TYPE)
    url = _text(warc.get("WARC-Target-URI")).strip().strip("<>") or url
    response = _dict(_dict(envelope.get("Payload-Metadata")).get("HTTP-Response-Metadata"))
    if not url.lower().startswith(("http://", "https://")) or not response:
        return Skip.NOT_HTTP
    try:
        status = int(_text(_dict(response.get("Response-Message")).get("Status")))
    except ValueError:
        return WatProblem("no HTTP status in WAT record")
    if not 200 <= status < 300:
        return Skip.STATUS
    metadata = response.get("HTML-Metadata")
    if not isinstance(metadata, dict):
        return Skip.NOT_HTML
    when = _unix(_text(warc.get("WARC-Date"))) or date
    if when is None:
        return WatProblem("no valid WARC-Date")
    return ArchivePage(
        url=url,
        date=when,
        status=status,
        headers=_headers(response.get("Headers")),
        wat=metadata,
        wat_software=software,
        record_id=record_id,
    )


def unescape(text: str) -> str:
    """Decode complete character references (WATs before late 2019 kept them raw)."""
    return _REFERENCE.sub(lambda m: html.unescape(m.group(0)), text) if "&" in text else text


def _collapse(value: Any) -> str | None:
    text = " ".join(unescape(_text(value)).split())
    return text or None


def _rel_recorded(software: str | None) -> bool:
    """Whether the WAT extractor writes `rel` on A/AREA links at all (so a missing rel is none)."""
    match = _EXTRACTOR_DATE.search(software or "")
    return match is not None and match.group(1) >= _REL_SINCE


def _meta_nofollow(metas: list[dict[str, Any]]) -> bool:
    return any(
        _text(meta.get("name")).strip().lower() in _ROBOTS_NAMES
        and bool({"nofollow", "none"} & set(_TOKENS.split(_text(meta.get("content")).lower())))
        for meta in metas
    )


def _head_links(head: dict[str, Any], base: str, page_host: str) -> list[RawLink]:
    """Meta refresh redirects and cross-site canonical hints, as the HTML parser reports them."""
    links = []
    for meta in _dicts(head.get("Metas")):
        if _text(meta.get("http-equiv")).strip().lower() == "refresh":
            found = _REFRESH_URL.match(unescape(_text(meta.get("content"))))
            target = resolve_url(found.group(2), base) if found and found.group(2).strip() else None
            if target:
                links.append(RawLink(target, url_host(target), None, (), LinkKind.REDIRECT))
    for hint in _dicts(head.get("Link")):
        rel = rel_tokens(_text(hint.get("rel")))
        target = resolve_url(unescape(_text(hint.get("url"))), base) if "canonical" in rel else None
        if target and not same_site(url_host(target), page_host):
            links.append(RawLink(target, url_host(target), None, rel, LinkKind.CANONICAL))
    return links


def wat_page(page: ArchivePage) -> ParsedPage:
    """The parser's ParsedPage built from a WAT record's HTML-Metadata.

    Links are `A@/href` and `AREA@/href` entries (IMG, FORM, SCRIPT, LINK ... are not links),
    resolved against `Head.Base` (itself resolved against the page URL), else the page URL;
    known redirectors become WRAPPED links, a cross-site `LINK@/href` with rel canonical a
    canonical hint, `<meta http-equiv=refresh>` a redirect. Anchor text is the WAT `text`
    (white space collapsed), else `alt`, else `title`. Page nofollow comes from `Head.Metas`
    robots/googlebot and the X-Robots-Tag header. When the extractor did not record rel (crawls
    before CC-MAIN-2017-34: no A/AREA entry of the page has one and the WAT's Software-Info is
    older), every link has `attributes_known=False`. Mentions are not available from WAT: it keeps
    no page text.
    """
    metadata = page.wat or {}
    head = _dict(metadata.get("Head"))
    base = resolve_url(page.url, "") or page.url
    parsed = ParsedPage(url=page.url, host=url_host(base))
    if _text(head.get("Base")).strip():
        resolved = resolve_url(unescape(head["Base"]), base)
        if resolved is None:
            parsed.warnings.append(f"unusable Head.Base {head['Base'][:100]!r} ignored")
        base = resolved or base
    parsed.page_nofollow = _meta_nofollow(_dicts(head.get("Metas"))) or header_nofollow(page.headers)
    parsed.links = _head_links(head, base, parsed.host)

    entries = [e for e in _dicts(metadata.get("Links")) if e.get("path") in _ANCHOR_PATHS]
    known = _rel_recorded(page.wat_software) or any("rel" in e for e in entries)
    if entries and not known:
        parsed.warnings.append("the WAT extractor did not record rel: link attributes unknown")
    #: Pages repeat their hrefs (menus, footers): resolve each distinct one once.
    memo: dict[str, tuple[str, str, str | None] | None] = {}
    for entry in entries:
        href = _text(entry.get("url"))
        found = memo[href] if href in memo else memo.setdefault(href, destination(unescape(href), base))
        if found is None:
            continue
        url, host, wrapped = found
        anchor = _collapse(entry.get("text")) or _collapse(entry.get("alt")) or _collapse(entry.get("title"))
        rel = rel_tokens(_text(entry.get("rel")))
        if wrapped is not None:
            parsed.links.append(RawLink(wrapped, url_host(wrapped), anchor, rel, LinkKind.WRAPPED, via=url,
                                        attributes_known=known))
        else:
            parsed.links.append(RawLink(url, host, anchor, rel, LinkKind.ANCHOR, attributes_known=known))
    return parsed
