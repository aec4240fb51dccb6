"""Sign a webhook body the way a connector's YAML says its marketplace does, with the test secrets.

Written from the declaration, independently of hub.connectors.signatures, so that any connector a
project adds gets correctly signed deliveries in the fuzz and soak tests (they must reach the mapping).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from datetime import UTC, datetime

from hub.connectors import spec as cs
from hub.project import Connector
from tests.support.secrets import BUNDLED_SECRETS

_PART = re.compile(r"\{([^}]+)\}")
_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def secret_value(connector: Connector, name: str) -> str:
    """The test value of a connector's secret (its first variable's, as tests/support/secrets sets it)."""
    env = connector.secret_refs()[name][0]
    return BUNDLED_SECRETS[env]


def _timestamp(check: cs.TimestampCheck) -> str:
    if check.format == "iso8601":
        return datetime.now(UTC).isoformat()
    return str(int(time.time() * (1000 if check.format == "epoch_ms" else 1)))


def _message(sig: cs.HmacSignature, connector: Connector, body: bytes, headers: dict[str, str]) -> bytes:
    path = f"/webhooks/{connector.name}"
    values = {
        "method": b"POST",
        "path": path.encode(),
        "path_and_query": path.encode(),
        "body_sha256_hex": hashlib.sha256(body).hexdigest().encode(),
    }
    out, pos = [], 0
    for match in _PART.finditer(sig.message):
        out.append(sig.message[pos : match.start()].encode())
        name = match.group(1)
        if name == "body":
            out.append(body)
        elif name.startswith("secret:"):
            out.append(secret_value(connector, name.removeprefix("secret:")).encode())
        elif name.startswith("header:"):
            out.append(headers[name.removeprefix("header:")].encode())
        else:
            out.append(values[name])
        pos = match.end()
    out.append(sig.message[pos:].encode())
    return b"".join(out)


def signed_headers(connector: Connector, body: bytes) -> dict[str, str]:
    """The headers that make `body` an authentic delivery to `connector`'s webhook."""
    assert connector.webhook is not None, f"{connector.name} has no webhook intake"
    sig = connector.webhook.signature
    headers: dict[str, str] = {"content-type": "application/json"}
    if isinstance(sig, cs.HmacSignature):
        if sig.timestamp is not None:
            headers[sig.timestamp.header] = _timestamp(sig.timestamp)
        key = secret_value(connector, sig.secret).encode()
        digest = hmac.new(key, _message(sig, connector, body, headers), _DIGESTS[sig.algorithm]).digest()
        encoded = digest.hex() if sig.encoding == "hex" else base64.b64encode(digest).decode()
        headers[sig.header] = sig.prefix + encoded
    elif isinstance(sig, cs.BasicSignature):
        pair = f"{secret_value(connector, sig.username)}:{secret_value(connector, sig.password)}"
        headers[sig.header] = sig.prefix + base64.b64encode(pair.encode()).decode()
    elif isinstance(sig, cs.TokenSignature):
        headers[sig.header] = sig.prefix + secret_value(connector, sig.secret)
    return headers


def signature_header(connector: Connector) -> str | None:
    """The header a forger would have to get right, or None when the webhook is not signed."""
    assert connector.webhook is not None
    sig = connector.webhook.signature
    return None if isinstance(sig, cs.NoSignature) else sig.header
