"""Index cost: Redis memory per 1M links, and lookup time as the index grows from 10k to 1M links.

A generated corpus (bench.corpus: Zipf-distributed targets, realistic URLs, anchors and rel) is
streamed into a private Redis through IndexWriter, the path ingest writes with (batches of 200
pages, 4 batches in flight while the next ones are generated). At each checkpoint: `INFO memory`
(used_memory over the empty server's), and the time of the index lookup a quick scan makes
(`IndexReader.pages_linking_to(target, limit=10_000)`, median of repeats) for a target with a
fixed 100 referring pages, a mid-tail domain, and the most linked domain. At the end, the memory
by key family (`MEMORY USAGE` of every key).

    python -m bench.index_cost            # checkpoints 10k, 100k, 1M links
    python -m bench.index_cost --quick    # 2k and 10k links
"""

import argparse
import asyncio
import time
from collections import Counter
from collections.abc import Iterator

from bench.common import Options, Report, Table, fmt, main, median, private_redis, redis_info
from bench.corpus import Corpus, write_pages
from contracts.index import PageRecord
from storage.client import async_client, sync_client
from storage.index import IndexReader
from storage.keys import Keys

FIXED = "fixed100-target.com"
NAMESPACE = "cost"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of this benchmark."""
    parser.add_argument("--checkpoints", type=int, nargs="*", default=None, help="links at which to measure")
    parser.add_argument("--redis-url", default=None)


def _take_links(pages: Iterator[PageRecord], links: int) -> Iterator[PageRecord]:
    """Pages from `pages` until they hold at least `links` links."""
    count = 0
    for page in pages:
        yield page
        count += len(page.links)
        if count >= links:
            return


async def _lookup(reader: IndexReader, target: str, repeats: int) -> tuple[float, int, int]:
    """(median ms, referring pages in the index, records fetched) of the quick scan's lookup."""
    timings = []
    records: list[PageRecord] = []
    for _ in range(repeats):
        started = time.perf_counter()
        records = await reader.pages_linking_to(target, limit=10_000)
        timings.append(time.perf_counter() - started)
    hosts = await reader.hosts_under(target)
    total = len(await reader.client.sunion([reader.keys.host_pages(h) for h in hosts])) if hosts else 0
    return median(timings) * 1000, total, len(records)


def _memory_by_family(url: str) -> Counter[str]:
    """Bytes by key family (`MEMORY USAGE` of every key, families named after their prefix)."""
    client = sync_client(url)
    sizes: Counter[str] = Counter()
    try:
        batch: list[bytes] = []

        def flush() -> None:
            pipe = client.pipeline(transaction=False)
            for key in batch:
                pipe.memory_usage(key)
            for key, size in zip(batch, pipe.execute(), strict=True):
                parts = key.decode().split(":")
                sizes[":".join(parts[1:3]) if parts[1] == "idx" else parts[1]] += int(size or 0)
            batch.clear()

        for key in client.scan_iter(match=f"{NAMESPACE}:*", count=2000):
            batch.append(key)
            if len(batch) >= 2000:
                flush()
        if batch:
            flush()
    finally:
        client.close()
    return sizes


def run(options: Options) -> Report:
    """Stream the corpus in, measuring at each checkpoint."""
    extra = options.extra
    checkpoints = sorted(extra.checkpoints or ([2_000, 10_000] if options.quick else [10_000, 100_000, 1_000_000]))
    repeats = 2 if options.quick else options.repeats
    fixed_pages = 20 if options.quick else 100
    corpus = Corpus(seed=3)
    mid = corpus.target_domain(1_000)
    giant = corpus.target_domain(1)
    targets = [(f"{fixed_pages} referring pages ({FIXED})", FIXED), (f"Zipf rank 1,000 ({mid})", mid),
               (f"Zipf rank 1 ({giant})", giant)]
    report = Report("index_cost", "", params={"corpus": "bench.corpus seed 3, 100,000 target domains (Zipf 1.07), "
                                                        "5,000 referring sites, ~30 links per page",
                                              "lookup repeats": repeats})
    memory = Table("Redis memory as the index grows", ["links", "pages", "keys", "used_memory MB",
                                                        "MB per 1M links (= bytes per link)", "write links/s"])
    lookups = Table("Lookup time of a quick scan's index read (pages_linking_to, limit 10,000)",
                    ["links in index", *(f"{label} ms (pages)" for label, _ in targets)])
    with private_redis(extra.redis_url) as url:
        baseline = int(redis_info(url, "memory")["used_memory"])
        pages_iter = corpus.pages(10**9, plants={FIXED: fixed_pages})

        async def go() -> None:
            client = async_client(url)
            reader = IndexReader(client, Keys(NAMESPACE))
            links = pages = 0
            write_seconds = 0.0
            try:
                for checkpoint in checkpoints:
                    counted: list[int] = []

                    def counting(source: Iterator[PageRecord], counted: list[int] = counted) -> Iterator[PageRecord]:
                        for page in source:
                            counted.append(len(page.links))
                            yield page

                    started = time.perf_counter()
                    links += await write_pages(client, NAMESPACE, counting(_take_links(pages_iter, checkpoint - links)))
                    write_seconds += time.perf_counter() - started
                    pages += len(counted)
                    info = redis_info(url, "memory")
                    keyspace = await client.dbsize()
                    used = int(info["used_memory"]) - baseline
                    memory.add(fmt(links), fmt(pages), fmt(keyspace), fmt(used / 1e6, 1), fmt(used / links),
                               fmt(links / write_seconds))
                    cells = [fmt(links)]
                    for _, target in targets:
                        ms, total, _ = await _lookup(reader, target, repeats)
                        cells.append(f"{ms:,.1f} ({total:,})")
                    lookups.add(*cells)
            finally:
                await client.aclose()

        asyncio.run(go())
        families = _memory_by_family(url)
    total = sum(families.values())
    breakdown = Table("Memory by key family at the last checkpoint (MEMORY USAGE)", ["keys", "MB", "share"])
    for family, size in families.most_common():
        breakdown.add(family, fmt(size / 1e6, 1), f"{100 * size / total:.0f}%")
    memory.limits = (
        "Each page is stored once as a JSON PageRecord holding every outbound link with all its fields "
        "(URL, host, anchor, rel, type, kind, first/last seen): that blob is most of the memory. Each "
        "live (page, host) pair is also a member of the host's page set, each host a member of its "
        "domain's host set, and each (host, referring domain) pair a member of an authority set.")
    lookups.limits = (
        "A lookup reads the domain's host set, SUNIONs the page sets of its hosts, sorts the URLs and "
        "MGETs and decodes the records of up to 10,000 pages: its time follows the answer (the pages "
        "linking to the target), not the size of the index, until the 10,000-record cap.")
    report.tables += [memory, lookups, breakdown]
    return report


if __name__ == "__main__":
    raise SystemExit(main("index_cost", __doc__ or "", run, add_arguments))
