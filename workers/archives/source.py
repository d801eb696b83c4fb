"""Opening an archive (path or http(s) URL) as one decompressed, checked byte stream."""

import io
import zlib
from http.client import HTTPException, IncompleteRead
from typing import BinaryIO, NoReturn
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, url2pathname, urlopen

from workers.archives.errors import ArchiveUnavailable

_CHUNK_BYTES = 1 << 16
#: Upper bound of one decompression step, so a zip bomb cannot fill memory.
_INFLATE_STEP_BYTES = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"
_OTHER_COMPRESSION = {b"\x28\xb5\x2f\xfd": "zstd", b"BZh": "bzip2", b"\xfd7zXZ": "xz"}
_USER_AGENT = "backlinks-ingest/0.1"


def open_archive(source: str, *, timeout_s: float = 60) -> BinaryIO:
    """Open a local path, or stream an http(s) URL (never downloaded whole); raw stored bytes."""
    parts = urlsplit(source)
    scheme = parts.scheme.lower() if "://" in source else ""
    if scheme in ("http", "https"):
        return _open_url(source, timeout_s)
    if scheme == "file":
        path = url2pathname(parts.path)
    elif scheme:
        raise ArchiveUnavailable(
            f"unsupported source scheme {scheme!r}: {source} (give a path or an http(s) URL)",
            source=source,
        )
    else:
        path = source
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise ArchiveUnavailable(f"no such file: {source}", source=source) from None
    except IsADirectoryError:
        raise ArchiveUnavailable(f"a directory, not an archive file: {source}", source=source) from None
    except OSError as exc:
        raise ArchiveUnavailable(f"cannot open {source}: {exc.strerror or exc}", source=source) from exc


def _open_url(url: str, timeout_s: float) -> BinaryIO:
    # identity: a server must not add its own gzip layer on top of the archive's.
    request = Request(url, headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"})
    try:
        response: BinaryIO = urlopen(request, timeout=timeout_s)
    except HTTPError as exc:
        exc.close()
        raise ArchiveUnavailable(f"HTTP {exc.code} {exc.reason} for {url}", source=url) from None
    except URLError as exc:
        raise ArchiveUnavailable(f"cannot fetch {url}: {exc.reason}", source=url) from exc
    except (HTTPException, OSError, ValueError) as exc:
        raise ArchiveUnavailable(f"cannot fetch {url}: {exc or type(exc).__name__}", source=url) from exc
    return response


def _content_length(raw: BinaryIO) -> int | None:
    """The Content-Length an HTTP response announced (urllib does not notice a short body)."""
    headers = getattr(raw, "headers", None)
    value = headers.get("Content-Length") if headers is not None else None
    return int(value) if value and value.strip().isdigit() else None


class StreamDamage(Exception):
    """The stored bytes end or break where they must not; `kind` says how (see ArchiveReader)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(detail or kind)
        #: "truncated-gzip", "corrupt-gzip", "unsupported-compression", "transport" or "truncated-transport".
        self.kind = kind
        self.detail = detail


class ArchiveStream(io.RawIOBase):
    """Decompressed bytes of a plain or gzip (per record or whole file) archive, for fastwarc.

    Python's zlib does the decompression rather than fastwarc so that a gzip member cut short
    is noticed (fastwarc just stops); the stream also keeps the last bytes it handed out, which
    tells a clean end of a WARC file ("\\r\\n\\r\\n") from one cut inside a record header.
    """

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self._raw = raw
        self._read_raw = getattr(raw, "read1", raw.read)
        self._inflater: zlib._Decompress | None = None
        self._member_fed = False
        self._pending = b""
        self._buffer = b""
        self._offset = 0
        self._position = 0
        self._raw_eof = False
        self._expected_bytes = _content_length(raw)
        #: The failure met, kept because fastwarc may report it as its own error.
        self.damage: StreamDamage | None = None
        self.compression = "none"
        self.bytes_read = 0
        self.gzip_members = 0
        #: The last four bytes handed out.
        self.tail = b""
        self._start()

    # -- io.RawIOBase -------------------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        if self._offset >= len(self._buffer):
            self._buffer, self._offset = self._fill(), 0
            if not self._buffer:
                return b""
        if size is None or size < 0:
            size = len(self._buffer)
        data = self._buffer[self._offset : self._offset + size]
        self._offset += len(data)
        self._position += len(data)
        self.tail = data[-4:] if len(data) >= 4 else (self.tail + data)[-4:]
        return data

    def peek(self, size: int) -> bytes:
        """Up to `size` next bytes without consuming them (fewer only at the end)."""
        while len(self._buffer) - self._offset < size:
            more = self._fill()
            if not more:
                break
            self._buffer = self._buffer[self._offset :] + more
            self._offset = 0
        return self._buffer[self._offset : self._offset + size]

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()

    # -- state after the end ----------------------------------------------------------------
    @property
    def at_eof(self) -> bool:
        """Everything stored has been read and handed out."""
        return self._raw_eof and not self._pending and self._offset >= len(self._buffer)

    @property
    def gzip_member_open(self) -> bool:
        """The stored bytes ended inside a gzip member."""
        return self._inflater is not None and self._member_fed and not self._inflater.eof

    # -- internals --------------------------------------------------------------------------
    def _raw_chunk(self) -> bytes:
        if self._raw_eof:
            return b""
        try:
            data = self._read_raw(_CHUNK_BYTES)
        except IncompleteRead as exc:
            self._fail("truncated-transport", f"connection closed early ({exc})")
        except (OSError, HTTPException, ValueError) as exc:
            self._fail("transport", str(exc) or type(exc).__name__)
        self.bytes_read += len(data)
        if not data:
            self._raw_eof = True
            if self._expected_bytes is not None and self.bytes_read < self._expected_bytes:
                self._fail("truncated-transport", f"got {self.bytes_read} of {self._expected_bytes} bytes")
        return data

    def _fail(self, kind: str, detail: str = "") -> NoReturn:
        self.damage = StreamDamage(kind, detail)
        raise self.damage

    def _start(self) -> None:
        head = b""
        while len(head) < 6:
            data = self._raw_chunk()
            if not data:
                break
            head += data
        self._pending = head
        if head.startswith(_GZIP_MAGIC):
            self.compression = "gzip"
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return
        for magic, name in _OTHER_COMPRESSION.items():
            if head.startswith(magic):
                self.compression = name
                self._fail("unsupported-compression", name)

    def _fill(self) -> bytes:
        """The next decompressed bytes; b"" only at the true end."""
        while True:
            data, self._pending = (self._pending, b"") if self._pending else (self._raw_chunk(), b"")
            if not data:
                if self.gzip_member_open:
                    self._fail("truncated-gzip")
                return b""
            if self._inflater is None:
                return data
            out = self._inflate(data)
            if out:
                return out

    def _inflate(self, data: bytes) -> bytes:
        inflater = self._inflater
        assert inflater is not None
        new_member = not self._member_fed
        self._member_fed = True
        try:
            out = inflater.decompress(data, _INFLATE_STEP_BYTES)
        except zlib.error as exc:
            if new_member and self.gzip_members and not data.startswith(_GZIP_MAGIC[:1]):
                self._fail("corrupt-gzip", f"data after gzip member {self.gzip_members} is not gzip")
            self._fail("corrupt-gzip", f"gzip member {self.gzip_members + 1}: {exc}")
        self._pending = inflater.unconsumed_tail
        if inflater.eof:
            self.gzip_members += 1
            # The next member (per-record gzip) starts right after this one.
            self._pending = inflater.unused_data + self._pending
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            self._member_fed = False
        return out
