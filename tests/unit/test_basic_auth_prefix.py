"""Basic authentication as data: the text before the base64 value is configurable, because Walmart's
BASIC_AUTH deliveries are documented as the bare Base64 of userName:password."""

from __future__ import annotations

import base64

import pytest

from hub.connectors import spec as cs
from hub.connectors.signatures import SignatureError, SignedRequest, build_verifier
from hub.credentials import Secret

SECRETS = {"user": [Secret("hub", "U")], "password": [Secret("s3cret", "P")]}
VALUE = base64.b64encode(b"hub:s3cret").decode()


def request(header: str) -> SignedRequest:
    return SignedRequest("POST", "/webhooks/x", "", {"Authorization": header}, b"{}")


def verifier(**extra: str) -> object:
    sig = cs.BasicSignature.model_validate(
        {"type": "basic", "username": "user", "password": "password", **extra}
    )
    return build_verifier(sig, SECRETS)


def test_default_is_rfc7617_basic_scheme() -> None:
    verify = verifier()
    verify(request(f"Basic {VALUE}"))  # type: ignore[operator]
    with pytest.raises(SignatureError):
        verify(request(VALUE))  # type: ignore[operator]


def test_empty_prefix_takes_the_bare_value() -> None:
    verify = verifier(prefix="")
    verify(request(VALUE))  # type: ignore[operator]
    with pytest.raises(SignatureError):
        verify(request(f"Basic {VALUE}"))  # type: ignore[operator]
