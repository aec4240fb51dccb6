"""Verify that a webhook delivery comes from the marketplace, as the connector's YAML declares."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from hub.connectors import spec as cs
from hub.credentials import Secret


class SignatureError(Exception):
    """Refused delivery. The message is safe to return and log: it never contains a secret or digest."""


@dataclass(frozen=True, slots=True)
class SignedRequest:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # case-insensitive lookups (Starlette's Headers are)
    body: bytes


Verifier = Callable[[SignedRequest], None]
_PLACEHOLDER = re.compile(r"\{(body|method|path|path_and_query|body_sha256_hex|header:[^}]+|secret:[^}]+)\}")
_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def _header(request: SignedRequest, name: str) -> str:
    value = request.headers.get(name)
    if value is None:
        raise SignatureError(f"missing {name} header")
    return value


def _octets(text: str) -> bytes:
    """A header value as the bytes that arrived: ASGI servers hand headers over as bytes and Starlette
    decodes them as latin-1, so latin-1 gives them back. A value beyond that range can only come from a
    caller that built the headers itself; it is compared as UTF-8."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def _constant(value: bytes) -> Callable[[SignedRequest], bytes]:
    return lambda _request: value


def _named_header(name: str) -> Callable[[SignedRequest], bytes]:
    return lambda request: _octets(_header(request, name))


def _message_builder(template: str, secrets: Mapping[str, list[Secret]]) -> Callable[[SignedRequest], bytes]:
    """Split the template once; per request only the dynamic parts are filled in."""
    parts: list[Callable[[SignedRequest], bytes]] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[pos : match.start()].encode()
        if literal:
            parts.append(_constant(literal))
        name = match.group(1)
        if name == "body":
            parts.append(lambda r: r.body)
        elif name == "method":
            parts.append(lambda r: r.method.upper().encode())
        elif name == "path":
            parts.append(lambda r: r.path.encode("utf-8", "surrogateescape"))
        elif name == "path_and_query":
            parts.append(
                lambda r: (r.path + (f"?{r.query}" if r.query else "")).encode("utf-8", "surrogateescape")
            )
        elif name == "body_sha256_hex":
            parts.append(lambda r: hashlib.sha256(r.body).hexdigest().encode())
        elif name.startswith("header:"):
            parts.append(_named_header(name.removeprefix("header:")))
        else:
            parts.append(_constant(secrets[name.removeprefix("secret:")][0].encoded()))
        pos = match.end()
    tail = template[pos:].encode()
    if tail:
        parts.append(_constant(tail))
    return lambda request: b"".join([part(request) for part in parts])


def _timestamp_check(check: cs.TimestampCheck, now: Callable[[], float]) -> Callable[[SignedRequest], None]:
    def verify(request: SignedRequest) -> None:
        raw = _header(request, check.header).strip()
        try:
            if check.format == "iso8601":
                sent = datetime.fromisoformat(raw).timestamp()
            else:
                sent = int(raw) / (1000 if check.format == "epoch_ms" else 1)
        except (ValueError, OverflowError):  # not a number, or one no clock can reach
            raise SignatureError(f"unreadable {check.header} header") from None
        if abs(now() - sent) > check.tolerance_s:
            raise SignatureError(f"{check.header} is outside the {check.tolerance_s} s window")

    return verify


def _hmac(sig: cs.HmacSignature, secrets: Mapping[str, list[Secret]], now: Callable[[], float]) -> Verifier:
    build = _message_builder(sig.message, secrets)
    keys = [s.encoded() for s in secrets[sig.secret]]
    digest = _DIGESTS[sig.algorithm]
    fresh = _timestamp_check(sig.timestamp, now) if sig.timestamp else None

    def encode(raw: bytes) -> str:
        return raw.hex() if sig.encoding == "hex" else base64.b64encode(raw).decode()

    def verify(request: SignedRequest) -> None:
        provided = _header(request, sig.header).strip()
        if not provided.startswith(sig.prefix):
            raise SignatureError(f"{sig.header} header lacks the expected prefix")
        provided = provided[len(sig.prefix) :].strip()
        if sig.encoding == "hex":
            provided = provided.lower()
        if fresh is not None:
            fresh(request)
        message = build(request)
        # Bytes, not text: compare_digest refuses text with non-ASCII characters, which anyone can send.
        given = _octets(provided)
        # Every active key is tried so a rotation never refuses deliveries signed with the older one.
        # hmac.digest: one call into OpenSSL, no HMAC object per request.
        for k in keys:
            if hmac.compare_digest(encode(hmac.digest(k, message, digest)).encode(), given):
                return
        raise SignatureError("signature does not match")

    return verify


def _basic(sig: cs.BasicSignature, secrets: Mapping[str, list[Secret]]) -> Verifier:
    expected = [
        sig.prefix + base64.b64encode(f"{u.reveal()}:{p.reveal()}".encode()).decode()
        for u in secrets[sig.username]
        for p in secrets[sig.password]
    ]

    def verify(request: SignedRequest) -> None:
        provided = _header(request, sig.header).strip()
        given = _octets(provided)
        if not any(hmac.compare_digest(e.encode(), given) for e in expected):
            raise SignatureError("credentials do not match")

    return verify


def _token(sig: cs.TokenSignature, secrets: Mapping[str, list[Secret]]) -> Verifier:
    expected = [(sig.prefix + s.reveal()).encode() for s in secrets[sig.secret]]

    def verify(request: SignedRequest) -> None:
        provided = _octets(_header(request, sig.header).strip())
        if not any(hmac.compare_digest(e, provided) for e in expected):
            raise SignatureError("token does not match")

    return verify


def build_verifier(
    sig: cs.Signature, secrets: Mapping[str, list[Secret]], now: Callable[[], float] = time.time
) -> Verifier:
    if isinstance(sig, cs.HmacSignature):
        return _hmac(sig, secrets, now)
    if isinstance(sig, cs.BasicSignature):
        return _basic(sig, secrets)
    if isinstance(sig, cs.TokenSignature):
        return _token(sig, secrets)
    return lambda _request: None


def secret_names(sig: cs.Signature) -> list[str]:
    """The secrets a signature scheme needs, for lint and start-up checks."""
    if isinstance(sig, cs.HmacSignature):
        return [
            sig.secret,
            *(
                m.removeprefix("secret:")
                for m in _PLACEHOLDER.findall(sig.message)
                if m.startswith("secret:")
            ),
        ]
    if isinstance(sig, cs.BasicSignature):
        return [sig.username, sig.password]
    if isinstance(sig, cs.TokenSignature):
        return [sig.secret]
    return []
