"""181 real pages (articles-181.warc.gz) against rows computed with an independent HTML5 parser."""

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from contracts.enums import LINK_TYPE_RANK, LinkType
from contracts.links import LinkOut
from tests.conftest import ARTICLES, DATA
from workers.extract.decode import decode_body
from workers.extract.model import ParsedPage
from workers.extract.parse import parse_page
from workers.extract.policy import links_for_target

EXPECTED = DATA / "realweb" / "expected"
TARGETS = ["apple.com", "theguardian.com", "nytimes.com"]


def warc_pages(path: Any) -> Iterator[tuple[str, list[tuple[str, str]], bytes]]:
    """(target URI, HTTP headers, body) of every response record."""
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            yield (
                record.rec_headers.get_header("WARC-Target-URI"),
                list(record.http_headers.headers),
                record.content_stream().read(),
            )


@cache
def parsed_pages() -> tuple[ParsedPage, ...]:
    pages = []
    for url, headers, body in warc_pages(ARTICLES):
        content_type = next((v for n, v in headers if n.lower() == "content-type"), None)
        text, encoding = decode_body(body, content_type)
        pages.append(parse_page(text, url, headers=headers, encoding=encoding))
    return tuple(pages)


def best_link(links: list[LinkOut]) -> LinkOut:
    """dofollow > nofollow > unknown > mention; ties go to the first in document order."""
    return min(links, key=lambda link: LINK_TYPE_RANK[link.link_type])


def row(page: ParsedPage, target: str) -> dict[str, Any] | None:
    links = links_for_target(page, target)
    if not links:
        return None
    best = best_link(links)
    return {
        "referring_url": page.url,
        "target_url": best.target_url,
        "anchor_text": best.anchor_text,
        "link_type": str(best.link_type),
        "rel": best.rel,
        "link_count": sum(1 for link in links if link.link_type is not LinkType.MENTION),
    }


def test_the_archive_holds_181_pages_and_all_parse() -> None:
    pages = parsed_pages()
    assert len(pages) == 181
    assert sum(len(page.links) for page in pages) > 20_000


def test_no_real_page_needs_recovery() -> None:
    assert [(page.url, page.warnings) for page in parsed_pages() if page.warnings] == []


@pytest.mark.parametrize("target", TARGETS)
def test_rows_match_the_independent_html5_parser(target: str) -> None:
    with (EXPECTED / f"{target}.jsonl").open(encoding="utf-8") as handle:
        expected = {row["referring_url"]: row for row in map(json.loads, handle)}
    got = {}
    for page in parsed_pages():
        found = row(page, target)
        if found is not None and not (found["link_type"] == "mention" and page.url not in expected):
            got[page.url] = found
    assert got == expected


def test_mention_rows_name_the_target_in_visible_text() -> None:
    mentions = [
        (page.url, link.anchor_text)
        for page in parsed_pages()
        for link in links_for_target(page, "nytimes.com")
        if link.link_type is LinkType.MENTION
    ]
    assert mentions, "some pages name nytimes.com without linking it"
    assert all(text and "nytimes.com" in text.lower() for _, text in mentions)
