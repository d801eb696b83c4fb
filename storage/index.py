"""The link index: referring pages by the hosts they link to, in time proportional to the answer.

Layout (names in `storage.keys`):
- `idx:page:<id>`: the PageRecord of one referring page (JSON), with every outbound link and mention;
- `idx:host:<host>`: set of page URLs holding a live link or mention to `host`;
- `idx:rd:<registrable>`: set of linked hosts under one registrable domain (finds subdomains);
- `idx:auth:<host>`: set of registrable domains that ever linked to `host` (authority for the score).
"""

import asyncio
import contextlib
import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from backlinks.domains import host_in_target, registrable_domain
from contracts.enums import LinkKind
from contracts.index import IndexedLink, PageRecord
from storage.codec import decode, encode, text
from storage.keys import Keys

_MGET_CHUNK = 500


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic collector paused while a chunk of records is decoded (no await inside).

    Every decoded link is a tracked object that survives, so collections triggered mid-decode
    re-scan the growing answer again and again: 3-4x the decode time of 10,000 records. Decoded
    records hold no reference cycles, so pausing frees nothing later than it would have been.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _link_key(link: IndexedLink) -> tuple[object, ...]:
    return (link.target_url, link.target_host, link.anchor_text, tuple(link.rel), link.kind, link.link_type)


def merge_capture(old: PageRecord | None, new: PageRecord) -> PageRecord:
    """Fold a new capture of a page into what the index knew.

    A capture at or after the last one replaces the page's links: links it still shows keep their
    `first_seen`, links it no longer shows get `lost_at`. An older capture only moves `first_seen`
    back. The same capture twice changes nothing, so ingest is idempotent.
    """
    if old is None:
        return new
    when = new.last_seen
    old_by_key: dict[tuple[object, ...], list[IndexedLink]] = {}
    for link in old.links:
        old_by_key.setdefault(_link_key(link), []).append(link)
    if when < old.last_seen:
        seen_again = {_link_key(n) for n in new.links}
        links = []
        for link in old.links:
            if _link_key(link) in seen_again:
                link = _with(link, first_seen=min(link.first_seen, when))
            links.append(link)
        return _page(old, links, first_seen=min(old.first_seen, new.first_seen))
    merged: list[IndexedLink] = []
    for link in new.links:
        matches = old_by_key.get(_link_key(link))
        if matches:
            prior = matches.pop(0)
            merged.append(_with(link, first_seen=min(prior.first_seen, link.first_seen)))
        else:
            merged.append(link)
    for rest in old_by_key.values():
        for link in rest:
            merged.append(link if link.lost_at is not None else _with(link, lost_at=when))
    return PageRecord(
        url=new.url,
        host=new.host,
        first_seen=min(old.first_seen, new.first_seen),
        last_seen=when,
        external_links=new.external_links,
        links=merged,
        origin=new.origin,
    )


def _with(link: IndexedLink, **changes: object) -> IndexedLink:
    fields = {name: getattr(link, name) for name in link.__struct_fields__}
    fields.update(changes)
    return IndexedLink(**fields)


def _page(old: PageRecord, links: list[IndexedLink], *, first_seen: int) -> PageRecord:
    return PageRecord(
        url=old.url,
        host=old.host,
        first_seen=first_seen,
        last_seen=old.last_seen,
        external_links=old.external_links,
        links=links,
        origin=old.origin,
    )


def live_hosts(record: PageRecord | None) -> set[str]:
    """Hosts the page links to or mentions now (not lost)."""
    if record is None:
        return set()
    return {link.target_host for link in record.links if link.lost_at is None}


class IndexWriter:
    """Writes captures of pages in batches, each batch one atomic transaction."""

    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        self.client = client
        self.keys = keys

    async def write(self, captures: Sequence[PageRecord]) -> tuple[int, int]:
        """Merge a batch of captures into the index; returns (pages written, live links written).

        Several ingest jobs may write the same page at once: the batch is retried when another
        writer changed one of its pages in between (optimistic locking with WATCH).
        """
        # The last capture of a URL within one batch wins, after merging the earlier ones.
        by_url: dict[str, PageRecord] = {}
        for capture in captures:
            by_url[capture.url] = merge_capture(by_url.get(capture.url), capture)
        page_keys = [self.keys.page(url) for url in by_url]
        while True:
            try:
                return await self._write_once(by_url, page_keys)
            except WatchError:
                await asyncio.sleep(0.01)

    async def _write_once(self, by_url: dict[str, PageRecord], page_keys: list[str]) -> tuple[int, int]:
        async with self.client.pipeline(transaction=True) as pipe:
            await pipe.watch(*page_keys)
            olds = await pipe.mget(page_keys) if page_keys else []
            pipe.multi()
            new_pages = 0
            live_links = 0
            # Set members grouped by key: one SADD/SREM per key and batch rather than one per page
            # and host (each queued command costs a round of client-side parsing). No (key, member)
            # is both added and removed, so the order of the grouped commands does not matter.
            adds: defaultdict[str, set[str]] = defaultdict(set)
            removes: defaultdict[str, set[str]] = defaultdict(set)
            for (url, capture), key, raw in zip(by_url.items(), page_keys, olds, strict=True):
                old = decode(raw, PageRecord) if raw else None
                record = merge_capture(old, capture)
                if old is None:
                    new_pages += 1
                if old == record:
                    continue
                pipe.set(key, encode(record))
                before, after = live_hosts(old), live_hosts(record)
                for host in after - before:
                    adds[self.keys.host_pages(host)].add(url)
                    adds[self.keys.domain_hosts(registrable_domain(host))].add(host)
                for host in before - after:
                    removes[self.keys.host_pages(host)].add(url)
                source_domain = registrable_domain(record.host)
                for host in {link.target_host for link in record.links if link.kind != LinkKind.MENTION}:
                    adds[self.keys.authority(host)].add(source_domain)
                live_links += sum(1 for link in record.links if link.lost_at is None)
            for set_key, members in adds.items():
                pipe.sadd(set_key, *members)
            for set_key, members in removes.items():
                pipe.srem(set_key, *members)
            if new_pages:
                pipe.hincrby(self.keys.index_stats(), "pages", new_pages)
            await pipe.execute()
        return len(by_url), live_links


class IndexReader:
    """Answers "which pages link to this target" and the authority of referring hosts."""

    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        self.client = client
        self.keys = keys

    async def hosts_under(self, target: str) -> list[str]:
        """Linked hosts that are the target or its subdomains."""
        raw = await self.client.smembers(self.keys.domain_hosts(registrable_domain(target)))
        hosts = (text(h) for h in raw)
        return sorted(h for h in hosts if host_in_target(h, target))

    async def pages_linking_to(self, target: str, limit: int | None = None) -> list[PageRecord]:
        """Records of the pages with a live link or mention to the target, by URL."""
        hosts = await self.hosts_under(target)
        if not hosts:
            return []
        raw_urls = await self.client.sunion([self.keys.host_pages(h) for h in hosts])
        urls = sorted(text(u) for u in raw_urls)
        if limit is not None:
            urls = urls[:limit]
        return await self.pages(urls)

    async def pages(self, urls: Iterable[str]) -> list[PageRecord]:
        """Records of the given page URLs (missing ones left out)."""
        urls = list(urls)
        records: list[PageRecord] = []
        for start in range(0, len(urls), _MGET_CHUNK):
            chunk = urls[start : start + _MGET_CHUNK]
            raws = await self.client.mget([self.keys.page(u) for u in chunk])
            with _gc_paused():
                records.extend(decode(raw, PageRecord) for raw in raws if raw)
        return records

    async def authority(self, hosts: Iterable[str]) -> dict[str, int]:
        """Distinct registrable domains linking to each host."""
        hosts = sorted(set(hosts))
        async with self.client.pipeline(transaction=False) as pipe:
            for host in hosts:
                pipe.scard(self.keys.authority(host))
            counts = await pipe.execute()
        return dict(zip(hosts, (int(c) for c in counts), strict=True))

    async def stats(self) -> Counter[str]:
        """Index counters."""
        raw = await self.client.hgetall(self.keys.index_stats())
        return Counter({text(k): int(v) for k, v in raw.items()})
