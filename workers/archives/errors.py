"""Why an archive could not be read (to the end)."""


class ArchiveError(Exception):
    """An archive could not be opened or read; the message names the file or URL."""

    def __init__(self, message: str, *, source: str) -> None:
        super().__init__(message)
        #: The path or URL as the caller gave it.
        self.source = source


class ArchiveUnavailable(ArchiveError):
    """Missing file, HTTP error, network failure, or a source scheme we do not read."""


class ArchiveFormatError(ArchiveError):
    """The bytes are not a (W)ARC we can read: not WARC at all, corrupt gzip, a broken record."""


class ArchiveTruncated(ArchiveFormatError):
    """The archive ends in the middle of a record or of a gzip member."""
