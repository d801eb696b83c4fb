"""The link index: merge rules, idempotent writes, lookups by target and subdomain."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from contracts.enums import LinkKind, LinkType
from contracts.index import IndexedLink, PageRecord
from storage.index import IndexReader, IndexWriter, merge_capture
from storage.keys import Keys

T0, T1 = 1_600_000_000, 1_600_086_400


def link(url: str, host: str, anchor: str = "a", when: int = T0, **kw: Any) -> IndexedLink:
    return IndexedLink(
        target_url=url, target_host=host, anchor_text=anchor, first_seen=when, last_seen=when, **kw
    )


def capture(url: str, when: int, *links: IndexedLink) -> PageRecord:
    return PageRecord(url=url, host=url.split("/")[2], first_seen=when, last_seen=when, links=list(links))


def test_a_newer_capture_marks_missing_links_lost_and_keeps_first_seen() -> None:
    old = capture("https://a.test/p", T0, link("https://x.com/1", "x.com"), link("https://y.com/", "y.com"))
    new = capture(
        "https://a.test/p", T1, link("https://x.com/1", "x.com", when=T1), link("https://z.com/", "z.com", when=T1)
    )
    merged = merge_capture(old, new)
    by_host = {lnk.target_host: lnk for lnk in merged.links}
    assert by_host["x.com"].first_seen == T0 and by_host["x.com"].last_seen == T1 and by_host["x.com"].lost_at is None
    assert by_host["y.com"].lost_at == T1 and by_host["y.com"].first_seen == T0
    assert by_host["z.com"].first_seen == T1 and by_host["z.com"].lost_at is None
    assert merged.first_seen == T0 and merged.last_seen == T1


def test_the_same_capture_twice_changes_nothing() -> None:
    page = capture("https://a.test/p", T0, link("https://x.com/1", "x.com"), link("https://x.com/1", "x.com"))
    assert merge_capture(merge_capture(None, page), page) == page


def test_an_older_capture_only_moves_first_seen_back() -> None:
    current = capture("https://a.test/p", T1, link("https://x.com/1", "x.com", when=T1))
    older = capture("https://a.test/p", T0, link("https://x.com/1", "x.com"), link("https://gone.com/", "gone.com"))
    merged = merge_capture(current, older)
    assert [lnk.target_host for lnk in merged.links] == ["x.com"]
    assert merged.links[0].first_seen == T0 and merged.links[0].last_seen == T1
    assert merged.last_seen == T1


def test_a_link_that_comes_back_is_live_again() -> None:
    a = capture("https://a.test/p", T0, link("https://x.com/1", "x.com"))
    b = capture("https://a.test/p", T1, )
    c = capture("https://a.test/p", T1 + 10, link("https://x.com/1", "x.com", when=T1 + 10))
    merged = merge_capture(merge_capture(a, b), c)
    assert len(merged.links) == 1
    assert merged.links[0].lost_at is None and merged.links[0].first_seen == T0


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    c = aioredis.Redis.from_url(redis_url)
    yield c
    await c.aclose()


async def test_pages_are_found_by_target_and_subdomain_but_not_lookalikes(
    client: aioredis.Redis, namespace: str
) -> None:
    keys = Keys(namespace)
    writer, reader = IndexWriter(client, keys), IndexReader(client, keys)
    await writer.write([
        capture("https://a.test/1", T0, link("https://blog.example.com/x", "blog.example.com")),
        capture("https://b.test/2", T0, link("https://example.com/", "example.com")),
        capture("https://c.test/3", T0, link("https://notexample.com/", "notexample.com")),
        capture("https://d.test/4", T0, link("https://example.com.evil.net/", "example.com.evil.net")),
        capture("https://e.test/5", T0, link(None, "example.com", kind=LinkKind.MENTION, link_type=LinkType.MENTION)),  # type: ignore[arg-type]
    ])
    found = sorted(p.url for p in await reader.pages_linking_to("example.com"))
    assert found == ["https://a.test/1", "https://b.test/2", "https://e.test/5"]
    assert [p.url for p in await reader.pages_linking_to("blog.example.com")] == ["https://a.test/1"]
    assert await reader.authority(["example.com", "blog.example.com"]) == {"example.com": 1, "blog.example.com": 1}


async def test_a_page_whose_links_are_all_lost_is_no_longer_found(client: aioredis.Redis, namespace: str) -> None:
    keys = Keys(namespace)
    writer, reader = IndexWriter(client, keys), IndexReader(client, keys)
    await writer.write([capture("https://a.test/1", T0, link("https://example.com/", "example.com"))])
    await writer.write([capture("https://a.test/1", T1, link("https://other.com/", "other.com", when=T1))])
    assert await reader.pages_linking_to("example.com") == []
    [page] = await reader.pages_linking_to("other.com")
    assert {(lnk.target_host, lnk.lost_at) for lnk in page.links} == {("example.com", T1), ("other.com", None)}


async def test_writing_the_same_batch_twice_is_idempotent(client: aioredis.Redis, namespace: str) -> None:
    keys = Keys(namespace)
    writer, reader = IndexWriter(client, keys), IndexReader(client, keys)
    batch = [capture(f"https://a.test/{i}", T0, link("https://example.com/", "example.com")) for i in range(50)]
    await writer.write(batch)
    first = await reader.pages_linking_to("example.com")
    await writer.write(batch)
    assert await reader.pages_linking_to("example.com") == first
    assert (await reader.stats())["pages"] == 50
