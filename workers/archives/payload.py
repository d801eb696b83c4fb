"""HTTP payloads as archived: is it HTML, and the body bytes a browser would have seen."""

import re
import zlib
from collections.abc import Callable

try:
    import brotli

    _BROTLI_ERRORS: tuple[type[Exception], ...] = (brotli.error,)
except ImportError:  # pragma: no cover - brotli comes with aiohttp's speedups, not required
    brotli = None
    _BROTLI_ERRORS = ()

_DECODE_ERRORS: tuple[type[Exception], ...] = (zlib.error, ValueError, *_BROTLI_ERRORS)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: Content-Types that WHATWG MIME sniffing treats as "unknown": the body decides.
_UNKNOWN_TYPES = frozenset({"", "unknown/unknown", "application/unknown", "*/*"})
#: WHATWG "identify an unknown MIME type": HTML when the body starts with one of these tags.
_HTML_START = re.compile(
    rb"(?:<!doctype html|<html|<head|<script|<iframe|<h1|<div|<font|<table|<a|<style|<title"
    rb"|<b|<body|<br|<p|<!--)[ >]",
    re.IGNORECASE,
)
_LEADING_SPACE = b"\t\n\x0c\r "
_CHUNK_LINE = re.compile(rb"([0-9a-fA-F]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")


def media_type(headers: list[tuple[str, str]]) -> str:
    """The Content-Type's essence, lower-case ("" when missing or malformed)."""
    value = next((v for k, v in headers if k.lower() == "content-type"), "")
    essence = value.split(";", 1)[0].strip().lower()
    return essence if "/" in essence else ""


def header(headers: list[tuple[str, str]], name: str) -> str:
    """All values of one header joined by commas, lower-case ("" when absent)."""
    name = name.lower()
    return ",".join(v for k, v in headers if k.lower() == name).lower()


def needs_sniffing(essence: str) -> bool:
    """Whether the body, not the Content-Type, says if this is HTML."""
    return essence in _UNKNOWN_TYPES


def looks_like_html(head: bytes) -> bool:
    """WHATWG sniffing of the first bytes of a body with no usable Content-Type."""
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip(_LEADING_SPACE)
    return bool(_HTML_START.match(head[:512] + b" "))


def _looks_decoded(body: bytes) -> bool:
    # Many crawlers (Common Crawl among them) store the decoded body but keep the header.
    return body.removeprefix(b"\xef\xbb\xbf").lstrip(_LEADING_SPACE)[:1] == b"<"


def dechunk(body: bytes) -> bytes | None:
    """Undo chunked transfer coding; None when `body` is not chunked. Tolerates a cut end."""
    parts: list[bytes] = []
    pos = 0
    while pos < len(body):
        line = _CHUNK_LINE.match(body, pos)
        if line is None:
            if not parts:
                return None
            break
        size = int(line.group(1), 16)
        if size == 0:
            break
        start = line.end()
        parts.append(body[start : start + size])
        pos = start + size
        if body.startswith(b"\r\n", pos):
            pos += 2
        elif body.startswith(b"\n", pos):
            pos += 1
    return b"".join(parts)


def _inflate(body: bytes, wbits: int, limit: int) -> tuple[bytes, bool]:
    inflater = zlib.decompressobj(wbits)
    out = inflater.decompress(body, limit)
    return out, bool(inflater.unconsumed_tail)


def _unbrotli(body: bytes, limit: int) -> tuple[bytes, bool]:
    if brotli is None:
        raise ValueError("brotli is not installed")
    out = brotli.decompress(body)
    return out[:limit], len(out) > limit


_DECODERS: dict[str, Callable[[bytes, int], tuple[bytes, bool]]] = {
    "gzip": lambda body, limit: _inflate(body, 16 + zlib.MAX_WBITS, limit),
    "x-gzip": lambda body, limit: _inflate(body, 16 + zlib.MAX_WBITS, limit),
    "deflate": lambda body, limit: _inflate(body, zlib.MAX_WBITS if body[:1] == b"\x78" else -zlib.MAX_WBITS, limit),
    "br": _unbrotli,
}


def decode_payload(body: bytes, headers: list[tuple[str, str]], limit: int) -> tuple[bytes, bool, str | None]:
    """Undo transfer and content codings still in an archived body.

    Returns (body, cut at `limit`, problem or None); on a problem the body is kept as it was.
    """
    if "chunked" in header(headers, "transfer-encoding"):
        plain = dechunk(body)
        if plain is not None:
            body = plain
    codings = [c.strip() for c in header(headers, "content-encoding").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings or _looks_decoded(body):
        return body, False, None
    cut = False
    for coding in reversed(codings):
        decoder = _DECODERS.get(coding)
        if decoder is None:
            return body, False, f"unsupported Content-Encoding {coding!r}"
        try:
            body, cut = decoder(body, limit)
        except _DECODE_ERRORS as exc:
            return body, False, f"Content-Encoding {coding} does not decode: {exc}"
    return body, cut, None
