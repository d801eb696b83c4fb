"""Web-archive readers: WARC responses and Common Crawl WAT records as pages, streamed.

    for page in (reader := iter_archive("crawl.warc.gz")):   # or an http(s) URL
        parsed = wat_page(page) if page.wat is not None else parse_page(...)
    reader.stats.skipped_not_html ...

Modules: `source` (open a path or URL, decompress, notice damage), `reader` (fastwarc records
to pages), `payload` (HTML or not, de-chunk, decompress), `wat` (WAT JSON to pages and links),
`damage` (truncated or corrupt, and the messages), `model` (ArchivePage, ArchiveStats), `errors`.
"""

from workers.archives.errors import (
    ArchiveError,
    ArchiveFormatError,
    ArchiveTruncated,
    ArchiveUnavailable,
)
from workers.archives.model import DEFAULT_MAX_BODY_BYTES, ArchivePage, ArchiveStats, Skip
from workers.archives.reader import ArchiveReader, iter_archive
from workers.archives.source import open_archive
from workers.archives.wat import wat_page

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "ArchiveError",
    "ArchiveFormatError",
    "ArchivePage",
    "ArchiveReader",
    "ArchiveStats",
    "ArchiveTruncated",
    "ArchiveUnavailable",
    "Skip",
    "iter_archive",
    "open_archive",
    "wat_page",
]
