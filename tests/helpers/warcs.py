"""Writing small WARC files for tests (with warcio, an independent WARC implementation)."""

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


@dataclass
class WarcPage:
    """One response record to write."""

    url: str
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=lambda: [("Content-Type", "text/html; charset=utf-8")])
    status: int = 200
    date: int = 1_700_000_000


def write_warc(path: Path, pages: Iterable[WarcPage], gzip: bool = True) -> Path:
    """Write pages as WARC response records."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        for page in pages:
            http = StatusAndHeaders(f"{page.status} OK", page.headers, protocol="HTTP/1.1")
            iso = datetime.fromtimestamp(page.date, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            record = writer.create_warc_record(page.url, "response", payload=io.BytesIO(page.body),
                                               http_headers=http, warc_headers_dict={"WARC-Date": iso})
            writer.write_record(record)
    return path


def read_warc(path: Path) -> Iterator[WarcPage]:
    """The response records of a WARC (to serve real pages on loopback)."""
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response":
                continue
            headers = record.http_headers.headers if record.http_headers else []
            yield WarcPage(url=record.rec_headers.get_header("WARC-Target-URI"),
                           body=record.content_stream().read(), headers=list(headers))
