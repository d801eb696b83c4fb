"""Bytes to text the way browsers pick the charset: BOM, then Content-Type, then `<meta>`."""

import codecs

from w3lib.encoding import html_to_unicode

#: WHATWG maps these labels to windows-1252 (bytes 0x80-0x9F are curly quotes, dashes, ...).
_WINDOWS_1252_ALIASES = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})


def _canonical(name: str) -> str:
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return "utf-8"
    return "cp1252" if name in _WINDOWS_1252_ALIASES else name


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode an HTML body; returns (text, encoding name). NUL characters are removed."""
    encoding, text = html_to_unicode(content_type, body)
    encoding = _canonical(encoding)
    if "\x00" in text:
        # libxml2 used to end the document at a NUL; browsers drop it from text anyway.
        text = text.replace("\x00", "")
    return text, encoding
