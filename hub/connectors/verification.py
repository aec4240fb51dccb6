"""The unsigned request a platform sends when a webhook is saved (WooCommerce: a form body
`webhook_id=N`), recognised by its content type and whole body, answered and stored nowhere."""

from __future__ import annotations

import re
from collections.abc import Callable

from hub.connectors.spec import VerificationRequest

IsVerification = Callable[[str | None, bytes], bool]


def compile_verification(spec: VerificationRequest | None) -> IsVerification:
    if spec is None:
        return lambda _content_type, _body: False
    media_type, limit = spec.content_type.lower(), spec.max_bytes
    pattern = re.compile(spec.body.encode(), re.DOTALL)

    def matches(content_type: str | None, body: bytes) -> bool:
        if content_type is None or len(body) > limit:
            return False
        if content_type.split(";", 1)[0].strip().lower() != media_type:
            return False
        return pattern.fullmatch(body) is not None

    return matches
