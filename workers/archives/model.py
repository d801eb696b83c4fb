"""What the readers hand to ingest: one page per usable record, and counts of everything else."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

#: Bodies longer than this are cut (and flagged) unless the caller asks for another limit.
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
#: How many per-record problems `ArchiveStats.warnings` keeps (all are counted).
MAX_WARNINGS = 50


@dataclass(frozen=True, slots=True)
class ArchivePage:
    """One archived HTML page: a WARC response (`body`) or a Common Crawl WAT record (`wat`)."""

    #: WARC-Target-URI (for WAT: the described response's), an http(s) URL.
    url: str
    #: Capture time, unix seconds, from WARC-Date.
    date: int
    #: HTTP status (always 2xx).
    status: int
    #: HTTP response headers as recorded, in order.
    headers: list[tuple[str, str]]
    #: The HTTP payload, de-chunked and decompressed, at most the reader's body limit; None for WAT.
    body: bytes | None = None
    #: The body was cut at the size limit, or the crawler itself recorded it truncated.
    body_truncated: bool = False
    #: The WAT record's `HTML-Metadata` object (links, head); None for WARC responses.
    wat: dict[str, Any] | None = None
    #: `Software-Info` of the WAT file's warcinfo record (which extractor wrote `wat`), if any.
    wat_software: str | None = None
    #: WARC-Record-ID of the record read.
    record_id: str | None = None


class Skip(StrEnum):
    """Why a record gave no page; each value names the `ArchiveStats` counter it adds to."""

    #: A request record (or a WAT record describing one).
    REQUEST = "skipped_request"
    #: A warcinfo record.
    WARCINFO = "skipped_warcinfo"
    #: A revisit record (deduplicated capture: no body).
    REVISIT = "skipped_revisit"
    #: A metadata record that is not a WAT description of an HTML response.
    METADATA = "skipped_metadata"
    #: resource, conversion, continuation or an unknown record type.
    OTHER_TYPE = "skipped_other_type"
    #: Target URI not http(s), or no HTTP message in the record.
    NOT_HTTP = "skipped_not_http"
    #: Not HTML by Content-Type or sniffing.
    NOT_HTML = "skipped_not_html"
    #: HTTP status outside 2xx.
    STATUS = "skipped_status"


@dataclass(slots=True)
class ArchiveStats:
    """Counts of one read, filled in as records stream by."""

    #: WARC records read completely (pages and skipped ones).
    records: int = 0
    #: Pages yielded.
    pages: int = 0
    #: Bytes read from the source as stored (compressed when the file is).
    bytes_read: int = 0
    #: Bytes of WARC records after decompression.
    bytes_decoded: int = 0
    skipped_request: int = 0
    skipped_warcinfo: int = 0
    skipped_revisit: int = 0
    #: Metadata records that are not WAT descriptions of an HTML response.
    skipped_metadata: int = 0
    #: resource, conversion, continuation and unknown records.
    skipped_other_type: int = 0
    #: Target URI not http(s) (dns:, metadata:, ...).
    skipped_not_http: int = 0
    #: HTTP responses whose Content-Type is not HTML (and not sniffed as HTML).
    skipped_not_html: int = 0
    #: HTTP status outside 2xx.
    skipped_status: int = 0
    #: Records we could not make sense of (no HTTP header, bad WAT JSON, no date, ...).
    skipped_malformed: int = 0
    #: Pages whose body was cut at the size limit or recorded truncated by the crawler.
    truncated_bodies: int = 0
    #: Why records were malformed, first `MAX_WARNINGS` only.
    warnings: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        """Records read but not yielded, whatever the reason."""
        return (
            self.skipped_request
            + self.skipped_warcinfo
            + self.skipped_revisit
            + self.skipped_metadata
            + self.skipped_other_type
            + self.skipped_not_http
            + self.skipped_not_html
            + self.skipped_status
            + self.skipped_malformed
        )

    def skip(self, reason: Skip) -> None:
        """Count one record skipped for `reason`."""
        setattr(self, reason.value, getattr(self, reason.value) + 1)

    def malformed(self, message: str) -> None:
        """Count a record skipped as malformed and keep the first messages."""
        self.skipped_malformed += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)
