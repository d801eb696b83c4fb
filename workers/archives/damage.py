"""Telling a cut-off archive from a corrupt one, and saying so: every error message of a read."""

from dataclasses import dataclass

from workers.archives.errors import ArchiveError, ArchiveFormatError, ArchiveTruncated, ArchiveUnavailable
from workers.archives.source import ArchiveStream, StreamDamage

#: How every WARC record ends; a stream ending otherwise was cut inside a record.
_RECORD_ENDS = (b"\r\n\r\n", b"\n\n")


@dataclass(slots=True)
class Diagnosis:
    """Errors of one read of `source`; `records` is how many records were read whole so far."""

    source: str
    stream: ArchiveStream | None = None
    records: int = 0

    def _where(self) -> str:
        return f"after {self.records} records in {self.source}"

    def check_start(self) -> None:
        """Refuse what is not a WARC (or WAT) before fastwarc sees it."""
        head = self.stream.peek(64) if self.stream is not None else b""
        if not head:
            raise ArchiveFormatError(f"empty archive (no WARC records): {self.source}", source=self.source)
        if head.startswith(b"filedesc://"):
            raise ArchiveFormatError(f"ARC files are not supported, only WARC: {self.source}", source=self.source)
        if not head.lstrip(b"\r\n\t ").startswith(b"WARC/"):
            raise ArchiveFormatError(f"not a WARC file: {self.source}", source=self.source)

    def check_end(self) -> None:
        """fastwarc stops quietly on a file cut inside a record header: tell that from a clean end."""
        stream = self.stream
        if stream is None:
            return
        while chunk := stream.read(1 << 16):
            if chunk.strip():
                raise ArchiveFormatError(f"unreadable data {self._where()}", source=self.source)
        if self.records and not stream.tail.endswith(_RECORD_ENDS):
            raise self.broken_header("the stream ends without a record end")

    def broken_header(self, problem: str) -> ArchiveError:
        """A record header fastwarc could not read: cut off at the end of the file, or corrupt."""
        stream = self.stream
        if stream is not None and stream.at_eof and not stream.tail.endswith(_RECORD_ENDS):
            return ArchiveTruncated(
                f"truncated WARC stream {self._where()} (the file ends inside a record)", source=self.source
            )
        return ArchiveFormatError(f"corrupt WARC record {self._where()}: {problem}", source=self.source)

    def library_error(self, exc: BaseException) -> ArchiveError:
        """What a fastwarc error means: the stream's own damage when it had some, else a bad header."""
        if self.stream is not None and self.stream.damage is not None:
            return self.damage_error(self.stream.damage)
        return self.broken_header(str(exc) or type(exc).__name__)

    def damage_error(self, damage: StreamDamage) -> ArchiveError:
        """The error for damage found below fastwarc: gzip, compression, transport."""
        detail = f": {damage.detail}" if damage.detail else ""
        if damage.kind == "truncated-gzip":
            return ArchiveTruncated(f"truncated gzip stream {self._where()}", source=self.source)
        if damage.kind == "truncated-transport":
            return ArchiveTruncated(f"download cut short {self._where()}{detail}", source=self.source)
        if damage.kind == "unsupported-compression":
            return ArchiveFormatError(
                f"{damage.detail}-compressed archives are not supported (gzip or plain WARC): {self.source}",
                source=self.source,
            )
        if damage.kind == "transport":
            return ArchiveUnavailable(f"reading failed {self._where()}{detail}", source=self.source)
        return ArchiveFormatError(f"corrupt gzip stream {self._where()}{detail}", source=self.source)

    def truncated_record(self, uri: str, got: int, expected: int) -> ArchiveTruncated:
        """A record whose block ends before its Content-Length."""
        return ArchiveTruncated(
            f"truncated WARC stream {self._where()}: record {uri} has {got} of {expected} bytes", source=self.source
        )
