"""Sign an API request with an HMAC, as the connector declares (TikTok Shop's `sign`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping

from hub.connectors.api_spec import HmacSigning
from hub.credentials import Secret

_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}
_PART = re.compile(r"\{(path|sorted_query|body|secret:[^}]+)\}")


def sorted_query(query: Mapping[str, str], exclude: list[str]) -> str:
    return "".join(f"{k}{query[k]}" for k in sorted(query) if k not in exclude)


def signature(
    spec: HmacSigning, secrets: Mapping[str, Secret], *, path: str, query: Mapping[str, str], body: bytes
) -> str:
    """The digest of the declared message. `query` is the query as sent, minus the signature itself."""

    def part(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "path":
            return path
        if name == "sorted_query":
            return sorted_query(query, spec.exclude)
        if name == "body":
            return "\0BODY\0"
        return secrets[name.removeprefix("secret:")].reveal()

    # The body is bytes and may not be text: the template is filled around a marker, then joined.
    pieces = _PART.sub(part, spec.message).split("\0BODY\0")
    message = body.join(p.encode() for p in pieces)
    digest = hmac.new(secrets[spec.secret].encoded(), message, _DIGESTS[spec.algorithm]).digest()
    return digest.hex() if spec.encoding == "hex" else base64.b64encode(digest).decode()
