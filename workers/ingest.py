"""The ingest pipeline: one archive file -> pages -> outbound links -> the link index.

Reading and parsing are blocking; each ingest job runs on an event loop of its own in its worker
thread (see workers.actors), so they hold up nothing else.
"""

import logging
import time
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

from backlinks.settings import Settings
from contracts.index import IndexedLink, PageRecord
from contracts.jobs import IngestStats
from storage.index import IndexWriter
from storage.keys import Keys
from workers.archives import ArchivePage, iter_archive, wat_page
from workers.extract.decode import decode_body
from workers.extract.model import ParsedPage
from workers.extract.parse import parse_page
from workers.extract.policy import external_link_count, outbound_links

log = logging.getLogger(__name__)

StatsFn = Callable[[IngestStats], Awaitable[None]]


def capture_of(page: ParsedPage, date: int, origin: str) -> PageRecord:
    """The index record of one capture of a page: its outbound links, all seen at `date`."""
    links = [
        IndexedLink(
            target_url=link.target_url,
            target_host=host,
            anchor_text=link.anchor_text,
            rel=list(link.rel),
            link_type=link.link_type,
            kind=link.kind,
            first_seen=date,
            last_seen=date,
        )
        for host, link in outbound_links(page)
    ]
    return PageRecord(
        url=page.url,
        host=page.host,
        first_seen=date,
        last_seen=date,
        external_links=external_link_count(page),
        links=links,
        origin=origin,
    )


def parse_archive_page(page: ArchivePage) -> ParsedPage:
    """The parser's view of an archived page: HTML from a WARC response, or a WAT record's links."""
    if page.body is None:
        return wat_page(page)
    content_type = next((v for k, v in page.headers if k.lower() == "content-type"), None)
    html, encoding = decode_body(page.body, content_type)
    return parse_page(html, page.url, headers=list(page.headers), encoding=encoding)


async def run_ingest(
    settings: Settings, client: aioredis.Redis, source: str, report: StatsFn
) -> IngestStats:
    """Ingest one archive; batches are written atomically, so a failure keeps earlier pages.

    Raises ArchiveError (from the reader) when the file is missing, truncated or corrupt; the
    pages of every batch written before that stay in the index.
    """
    writer = IndexWriter(client, Keys(settings.namespace))
    stats = IngestStats(source=source)
    batch: list[PageRecord] = []
    last_report = time.monotonic()

    async def flush() -> None:
        nonlocal batch
        if batch:
            await writer.write(batch)
            batch = []
        await report(stats)

    reader = iter_archive(source, max_body_bytes=settings.ingest_max_body_bytes)
    try:
        for page in reader:
            parsed = parse_archive_page(page)
            record = capture_of(parsed, page.date, source)
            stats.pages += 1
            stats.links += len(record.links)
            batch.append(record)
            if len(batch) >= settings.ingest_batch_pages or time.monotonic() - last_report > 1.0:
                await flush()
                last_report = time.monotonic()
    finally:
        # Pages read before an error are written too: nothing read is lost.
        stats.records = reader.stats.records
        stats.skipped = reader.stats.skipped
        stats.truncated_bodies = reader.stats.truncated_bodies
        stats.bytes_read = reader.stats.bytes_read
        reader.close()
        await flush()
    return stats
