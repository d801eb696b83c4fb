"""Streaming WARC and WAT reader on fastwarc: one ArchivePage per usable record.

Data flow: `open_archive` (path or URL, raw stored bytes) -> `ArchiveStream` (zlib, damage
checks) -> fastwarc's ArchiveIterator (records, HTTP headers) -> per record: a WARC response
becomes a page with its body, a WAT metadata record a page with its HTML-Metadata, the rest is
counted in `ArchiveStats`. fastwarc errors are mapped to `ArchiveError`s here (`_guard`), with
the wording of `damage.Diagnosis`.
"""

import logging
from collections.abc import Callable, Generator, Iterator
from types import TracebackType
from typing import TypeVar

import msgspec
from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from workers.archives.damage import Diagnosis
from workers.archives.errors import ArchiveError
from workers.archives.model import DEFAULT_MAX_BODY_BYTES, ArchivePage, ArchiveStats, Skip
from workers.archives.payload import (
    HTML_TYPES,
    decode_payload,
    looks_like_html,
    media_type,
    needs_sniffing,
)
from workers.archives.source import ArchiveStream, StreamDamage, open_archive
from workers.archives.wat import WatProblem, page_from_wat

log = logging.getLogger(__name__)

_T = TypeVar("_T")
#: WAT JSON larger than this is skipped as malformed (real ones are well under 10 MB).
_WAT_MAX_BYTES = 64 * 1024 * 1024
_WARCINFO_MAX_BYTES = 64 * 1024
_SNIFF_BYTES = 1024
#: Keyed by the int value: fastwarc's record type enum is not hashable.
_SKIP_BY_TYPE = {
    int(WarcRecordType.request): Skip.REQUEST,
    int(WarcRecordType.warcinfo): Skip.WARCINFO,
    int(WarcRecordType.revisit): Skip.REVISIT,
    int(WarcRecordType.metadata): Skip.METADATA,
}


class ArchiveReader(Iterator[ArchivePage]):
    """Pages of one archive, read as they stream by; `stats` counts everything else.

    Nothing is opened until the first `next()`. Pages read before damage are yielded, then an
    `ArchiveError` says what is wrong and after how many records.
    """

    def __init__(
        self,
        source: str,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        timeout_s: float = 60,
    ) -> None:
        self.source = source
        self.stats = ArchiveStats()
        self._max_body_bytes = max_body_bytes
        self._timeout_s = timeout_s
        self._diagnosis = Diagnosis(source)
        self._wat_software: str | None = None
        self._pages = self._read()

    def __iter__(self) -> "ArchiveReader":
        return self

    def __next__(self) -> ArchivePage:
        return next(self._pages)

    def close(self) -> None:
        """Stop reading and release the file or connection."""
        self._pages.close()

    def __enter__(self) -> "ArchiveReader":
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- the loop -----------------------------------------------------------------------------
    def _read(self) -> Generator[ArchivePage, None, None]:
        raw = open_archive(self.source, timeout_s=self._timeout_s)
        try:
            try:
                self._diagnosis.stream = stream = ArchiveStream(raw)
                self._diagnosis.check_start()
                records = self._guard(ArchiveIterator, stream, parse_http=True, stream_detect=False, auto_decode="none")
                while (record := self._guard(next, records, None)) is not None:
                    if not (record.headers.get("Content-Length") or "").strip().isdigit():
                        # fastwarc hands out a record cut inside its header as a short one.
                        raise self._diagnosis.broken_header("no valid Content-Length")
                    page = self._record(record)
                    self.stats.records += 1
                    self._diagnosis.records = self.stats.records
                    self._account(stream)
                    if page is not None:
                        self.stats.pages += 1
                        yield page
                self._diagnosis.check_end()
                log.debug(
                    "read %s: %d records, %d pages, %d skipped (%d malformed)",
                    self.source,
                    self.stats.records,
                    self.stats.pages,
                    self.stats.skipped,
                    self.stats.skipped_malformed,
                )
            except StreamDamage as damage:
                raise self._diagnosis.damage_error(damage) from None
        finally:
            if self._diagnosis.stream is not None:
                self._account(self._diagnosis.stream)
                self._diagnosis.stream.close()
            else:
                raw.close()

    def _account(self, stream: ArchiveStream) -> None:
        self.stats.bytes_read = stream.bytes_read
        self.stats.bytes_decoded = stream.tell()

    def _guard(self, call: Callable[..., _T], *args: object, **kwargs: object) -> _T:
        """Call into fastwarc; its errors (and panics) become ArchiveErrors naming the source."""
        try:
            return call(*args, **kwargs)
        except (StreamDamage, ArchiveError):
            raise
        except Exception as exc:
            raise self._diagnosis.library_error(exc) from exc
        except BaseException as exc:
            # pyo3 panics derive from BaseException; anything else (KeyboardInterrupt) goes on.
            if type(exc).__name__ != "PanicException":
                raise
            raise self._diagnosis.library_error(exc) from exc

    # -- records ------------------------------------------------------------------------------
    def _payload(self, record: WarcRecord, limit: int, already: int = 0) -> tuple[bytes, bool]:
        """Up to `limit` more payload bytes, the rest skipped; (data, more than limit).

        `already` bytes were read before; a record that ends early raises ArchiveTruncated.
        """
        expected = record.content_length
        data = self._guard(record.reader.read, limit) if limit > 0 else b""
        rest = self._guard(record.consume)
        if already + len(data) + rest < expected:
            uri = target_uri(record) or record.record_id or "?"
            raise self._diagnosis.truncated_record(uri, already + len(data) + rest, expected)
        return data, rest > 0

    def _record(self, record: WarcRecord) -> ArchivePage | None:
        kind = record.record_type
        if kind == WarcRecordType.response:
            return self._response(record)
        if kind == WarcRecordType.metadata:
            return self._metadata(record)
        if kind == WarcRecordType.warcinfo:
            self._warcinfo(record)
        else:
            self._payload(record, 0)
        self.stats.skip(_SKIP_BY_TYPE.get(int(kind), Skip.OTHER_TYPE))
        return None

    def _skip(self, record: WarcRecord, reason: Skip) -> None:
        self._payload(record, 0)
        self.stats.skip(reason)

    def _malformed(self, record: WarcRecord, problem: str) -> None:
        self._payload(record, 0)
        self.stats.malformed(f"{target_uri(record) or record.record_id}: {problem}")

    def _response(self, record: WarcRecord) -> ArchivePage | None:
        url = target_uri(record)
        if not url.lower().startswith(("http://", "https://")) or not record.is_http:
            self._skip(record, Skip.NOT_HTTP)
            return None
        status = record.http_headers.status_code
        if status is None:
            self._malformed(record, "no HTTP status line")
            return None
        if not 200 <= status < 300:
            self._skip(record, Skip.STATUS)
            return None
        headers = [(k, v) for k, v in record.http_headers.to_tuples()]
        essence = media_type(headers)
        if essence not in HTML_TYPES and not needs_sniffing(essence):
            self._skip(record, Skip.NOT_HTML)
            return None
        date = record_date(record)
        if date is None:
            self._malformed(record, "no valid WARC-Date")
            return None
        head = b""
        if essence not in HTML_TYPES:
            head = self._guard(record.reader.read, min(_SNIFF_BYTES, self._max_body_bytes))
            if not looks_like_html(head):
                self._payload(record, 0, already=len(head))
                self.stats.skip(Skip.NOT_HTML)
                return None
        body, cut = self._payload(record, self._max_body_bytes - len(head), already=len(head))
        body = head + body if head else body
        body, decoded_cut, problem = decode_payload(body, headers, self._max_body_bytes)
        if problem is not None:
            self.stats.malformed(f"{url}: {problem}")
            return None
        truncated = cut or decoded_cut or bool(record.headers.get("WARC-Truncated"))
        if truncated:
            self.stats.truncated_bodies += 1
        return ArchivePage(
            url=url,
            date=date,
            status=status,
            headers=headers,
            body=body,
            body_truncated=truncated,
            record_id=record.record_id,
        )

    def _metadata(self, record: WarcRecord) -> ArchivePage | None:
        content_type = (record.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            self._skip(record, Skip.METADATA)
            return None
        data, more = self._payload(record, _WAT_MAX_BYTES)
        if more:
            self.stats.malformed(f"{target_uri(record)}: WAT record over {_WAT_MAX_BYTES} bytes")
            return None
        try:
            doc = msgspec.json.decode(data)
        except msgspec.DecodeError as exc:
            self.stats.malformed(f"{target_uri(record)}: WAT JSON does not decode: {exc}")
            return None
        result = page_from_wat(
            doc,
            url=target_uri(record),
            date=record_date(record),
            software=self._wat_software,
            record_id=record.record_id,
        )
        if isinstance(result, Skip):
            self.stats.skip(result)
            return None
        if isinstance(result, WatProblem):
            self.stats.malformed(f"{target_uri(record)}: {result.message}")
            return None
        return result

    def _warcinfo(self, record: WarcRecord) -> None:
        data, _ = self._payload(record, _WARCINFO_MAX_BYTES)
        for line in data.decode("utf-8", "replace").splitlines():
            name, _, value = line.partition(":")
            if name.strip().lower() == "software-info":
                self._wat_software = value.strip()


def target_uri(record: WarcRecord) -> str:
    """WARC-Target-URI without the angle brackets some writers put around it."""
    return (record.headers.get("WARC-Target-URI") or "").strip().removeprefix("<").removesuffix(">")


def record_date(record: WarcRecord) -> int | None:
    """WARC-Date as unix seconds, None when missing or unreadable."""
    try:
        moment = record.record_date
    except (ValueError, OSError):
        return None
    return int(moment.timestamp()) if moment is not None else None


def iter_archive(source: str, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, timeout_s: float = 60) -> ArchiveReader:
    """Stream the HTML pages of a WARC or WAT file (path or http(s) URL); see ArchiveReader."""
    return ArchiveReader(source, max_body_bytes=max_body_bytes, timeout_s=timeout_s)
