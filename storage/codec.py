"""Encoding of stored values: msgspec JSON for records people may inspect with redis-cli."""

from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

_ENCODER = msgspec.json.Encoder()
_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}


def encode(value: Any) -> bytes:
    """Encode a Struct (or builtins) as compact JSON."""
    return _ENCODER.encode(value)


def text(value: object) -> str:
    """A Redis reply (bytes or str) as str."""
    return value.decode() if isinstance(value, bytes) else str(value)


def decode(data: bytes | str, kind: type[T]) -> T:
    """Decode JSON bytes into `kind`, validating every field."""
    decoder = _DECODERS.get(kind)
    if decoder is None:
        decoder = _DECODERS[kind] = msgspec.json.Decoder(kind)
    return decoder.decode(data)
