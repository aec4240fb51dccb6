"""Signature schemes declared as data, checked against published test vectors and each other."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping

import pytest

from hub.connectors import spec as cs
from hub.connectors.signatures import SignatureError, SignedRequest, build_verifier
from hub.credentials import Secret
from tests.support.paths import sample

VECTOR = json.loads(sample("tiktok", "webhook-signature-test-vector.json").read_text())


def secrets(**values: str | list[str]) -> dict[str, list[Secret]]:
    return {k: [Secret(x, k.upper()) for x in ([v] if isinstance(v, str) else v)] for k, v in values.items()}


def request(
    body: bytes, headers: Mapping[str, str], path: str = "/webhooks/x", query: str = ""
) -> SignedRequest:
    return SignedRequest("POST", path, query, dict(headers), body)


TIKTOK = cs.HmacSignature(
    type="hmac", secret="app_secret", message="{secret:app_key}{body}", header="Authorization"
)


def test_tiktok_official_vector_verifies() -> None:
    verify = build_verifier(TIKTOK, secrets(app_key=VECTOR["app_key"], app_secret=VECTOR["app_secret"]))
    body = VECTOR["raw_body"].encode()
    verify(request(body, {"Authorization": VECTOR["expected_authorization_header"]}))


def test_tiktok_vector_with_a_changed_byte_is_refused() -> None:
    verify = build_verifier(TIKTOK, secrets(app_key=VECTOR["app_key"], app_secret=VECTOR["app_secret"]))
    body = VECTOR["raw_body"].replace("UNPAID", "CANCEL").encode()
    with pytest.raises(SignatureError, match="does not match"):
        verify(request(body, {"Authorization": VECTOR["expected_authorization_header"]}))


def test_missing_header_names_the_header_and_never_the_secret() -> None:
    verify = build_verifier(TIKTOK, secrets(app_key="k", app_secret="very-secret-value"))
    with pytest.raises(SignatureError) as refused:
        verify(request(b"{}", {}))
    assert str(refused.value) == "missing Authorization header"
    assert "very-secret-value" not in repr(refused.value)


@pytest.mark.parametrize(("algorithm", "digest"), [("sha1", hashlib.sha1), ("sha512", hashlib.sha512)])
def test_base64_hmac_with_prefix(algorithm: str, digest: object) -> None:
    sig = cs.HmacSignature(
        type="hmac",
        algorithm=algorithm,
        secret="key",
        header="X-Sig",
        prefix=f"{algorithm}=",
        encoding="base64",
    )
    body = b'{"a": 1}'
    good = base64.b64encode(hmac.new(b"s3cret", body, digest).digest()).decode()  # type: ignore[arg-type]
    verify = build_verifier(sig, secrets(key="s3cret"))
    verify(request(body, {"X-Sig": f"{algorithm}={good}"}))
    with pytest.raises(SignatureError, match="prefix"):
        verify(request(body, {"X-Sig": good}))


def test_template_over_method_path_timestamp_and_body_hash_with_a_window() -> None:
    """Walmart's performance-webhook scheme: METHOD\\nPATH?QUERY\\nTIMESTAMP\\nsha256_hex(body), base64."""
    sig = cs.HmacSignature(
        type="hmac",
        secret="key",
        header="WM_SEC.SIGNATURE",
        encoding="base64",
        message="{method}\n{path_and_query}\n{header:WM_SEC.TIMESTAMP}\n{body_sha256_hex}",
        timestamp=cs.TimestampCheck(header="WM_SEC.TIMESTAMP", format="epoch_ms", tolerance_s=300),
    )
    body = b'{"x": true}'
    now = 1_760_000_000.0
    stamp = str(int(now * 1000))
    message = f"POST\n/webhooks/walmart?v=1\n{stamp}\n{hashlib.sha256(body).hexdigest()}".encode()
    signature = base64.b64encode(hmac.new(b"k", message, hashlib.sha256).digest()).decode()
    verify = build_verifier(sig, secrets(key="k"), now=lambda: now)
    headers = {"WM_SEC.SIGNATURE": signature, "WM_SEC.TIMESTAMP": stamp}
    verify(request(body, headers, "/webhooks/walmart", "v=1"))

    late = build_verifier(sig, secrets(key="k"), now=lambda: now + 301)
    with pytest.raises(SignatureError, match="outside the 300 s window"):
        late(request(body, headers, "/webhooks/walmart", "v=1"))


def test_rotation_accepts_the_previous_secret_too() -> None:
    sig = cs.HmacSignature(type="hmac", secret="key", header="X-Sig")
    verify = build_verifier(sig, secrets(key=["new-secret", "old-secret"]))
    body = b"{}"
    for key in (b"new-secret", b"old-secret"):
        verify(request(body, {"X-Sig": hmac.new(key, body, hashlib.sha256).hexdigest()}))
    with pytest.raises(SignatureError):
        verify(request(body, {"X-Sig": hmac.new(b"older-secret", body, hashlib.sha256).hexdigest()}))


def test_basic_and_token_schemes() -> None:
    basic = build_verifier(
        cs.BasicSignature(type="basic", username="u", password="p"), secrets(u="hub", p="pw")
    )
    basic(request(b"{}", {"Authorization": "Basic " + base64.b64encode(b"hub:pw").decode()}))
    with pytest.raises(SignatureError, match="credentials"):
        basic(request(b"{}", {"Authorization": "Basic " + base64.b64encode(b"hub:nope").decode()}))

    token = build_verifier(
        cs.TokenSignature(type="token", header="X-Api-Key", secret="t", prefix="Key "), secrets(t="abc123")
    )
    token(request(b"{}", {"X-Api-Key": "Key abc123"}))
    with pytest.raises(SignatureError, match="token"):
        token(request(b"{}", {"X-Api-Key": "Key abc124"}))


HOSTILE_VALUES = ["é", "é" * 64, "\u20ac" + "0" * 63, "ÿ\x7f", " ", "\x00", "Basic é", "Key é"]
SCHEMES = {
    "hmac-hex": (TIKTOK, secrets(app_key="k", app_secret="s")),
    "hmac-base64": (
        cs.HmacSignature(type="hmac", secret="k", header="Authorization", encoding="base64"),
        secrets(k="s"),
    ),
    "basic": (cs.BasicSignature(type="basic", username="u", password="p"), secrets(u="hub", p="pw")),
    "token": (cs.TokenSignature(type="token", header="Authorization", secret="t"), secrets(t="abc123")),
}


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_a_header_that_is_not_ascii_is_refused_not_a_crash(scheme: str, value: str) -> None:
    # Starlette hands header bytes over decoded as latin-1: "é" sent as UTF-8 arrives as "Ã©", sent as
    # latin-1 as "é". hmac.compare_digest raised TypeError on such text (a 500 with a traceback).
    sig, keys = SCHEMES[scheme]
    verify = build_verifier(sig, keys)
    for arrived in {value, value.encode().decode("latin-1")}:
        with pytest.raises(SignatureError):
            verify(request(b"{}", {"Authorization": arrived}))


def test_a_token_with_non_ascii_characters_is_compared_as_the_bytes_sent() -> None:
    token = build_verifier(cs.TokenSignature(type="token", header="X-Key", secret="t"), secrets(t="clé-ünï"))
    token(request(b"{}", {"X-Key": "clé-ünï".encode().decode("latin-1")}))  # UTF-8 on the wire


@pytest.mark.parametrize(
    "sent", ["9" * 400, "-" + "9" * 400, "1e999", "9" * 5000, "0001-01-01T00:00:00+23:59"]
)
@pytest.mark.parametrize("fmt", ["epoch_s", "epoch_ms", "iso8601"])
def test_a_timestamp_no_clock_can_reach_is_unreadable_not_a_crash(sent: str, fmt: str) -> None:
    sig = cs.HmacSignature(
        type="hmac",
        secret="k",
        header="X-Sig",
        message="{header:X-Ts}.{body}",
        timestamp=cs.TimestampCheck(header="X-Ts", format=fmt),  # type: ignore[arg-type]
    )
    verify = build_verifier(sig, secrets(k="s"), now=lambda: 1_700_000_000.0)
    with pytest.raises(SignatureError, match="X-Ts"):
        verify(request(b"{}", {"X-Sig": "00", "X-Ts": sent}))
