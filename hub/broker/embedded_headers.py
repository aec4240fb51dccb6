"""How the embedded log stores a record's headers: one blob per record, read back as Kafka gives them."""

from __future__ import annotations

import struct
from collections.abc import Sequence

from hub.broker.port import JsonHeaders

# Headers are length-prefixed so that any bytes round-trip, NUL included, as they do through Kafka.
_HEADERS_V2 = b"\x02"
_LENGTHS = struct.Struct(">HI")
# Headers the relay hands over as the outbox's JSON text (text values only) are stored as that text.
_HEADERS_JSON = b"\x03"


def encode_headers(headers: Sequence[tuple[str, bytes]]) -> bytes:
    if isinstance(headers, JsonHeaders):
        return _HEADERS_JSON + headers.json.encode()
    parts = [_HEADERS_V2]
    for k, v in headers:
        name = k.encode()
        parts += (_LENGTHS.pack(len(name), len(v)), name, v)
    return b"".join(parts)


def decode_headers(blob: bytes) -> Sequence[tuple[str, bytes]]:
    if not blob:
        return ()
    if blob[:1] == _HEADERS_JSON:
        return JsonHeaders(blob[1:].decode())  # parsed when read: a consumer reads the texts directly
    if blob[:1] != _HEADERS_V2:
        # The first format (separator characters), still readable in logs written before the change.
        pairs = blob.decode("latin-1").split("\x00")
        return tuple((k, v.encode("latin-1")) for k, v in (p.split("\x01", 1) for p in pairs))
    headers = []
    at = 1
    while at < len(blob):
        name_len, value_len = _LENGTHS.unpack_from(blob, at)
        at += _LENGTHS.size
        name = blob[at : at + name_len].decode()
        at += name_len
        headers.append((name, blob[at : at + value_len]))
        at += value_len
    return tuple(headers)
