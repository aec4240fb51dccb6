"""Walmart's webhook authentication is data in connectors/walmart/connector.yaml: the HMAC option as
declared, and the BASIC_AUTH option documented in a comment there, which must stay a valid connector."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest

from hub.connectors import spec as cs
from hub.connectors.signatures import SignatureError, SignedRequest, build_verifier
from hub.credentials import Secret
from hub.intake.identity import Identity
from hub.jsonio import loads
from hub.project import Project
from hub.yamlpos import load
from tests.support.paths import REPO, sample

CONNECTOR = REPO / "connectors" / "walmart" / "connector.yaml"
BODY = sample("walmart", "webhook-PO_CREATED.json").read_bytes()
SECRET = "test-walmart-client-secret"


def deliver(headers: dict[str, str], body: bytes = BODY) -> SignedRequest:
    return SignedRequest("POST", "/webhooks/walmart", "", headers, body)


def test_hmac_of_the_body_with_the_client_secret_base64_encoded() -> None:
    connector = Project.load(REPO, ["walmart"]).connector("walmart")
    webhook = connector.webhook
    assert webhook is not None
    verify = build_verifier(webhook.signature, {"client_secret": [Secret(SECRET, "WALMART_CLIENT_SECRET")]})
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()
    verify(deliver({"X-Walmart-Signature": base64.b64encode(digest).decode()}))
    with pytest.raises(SignatureError, match="does not match"):
        verify(deliver({"X-Walmart-Signature": digest.hex()}))  # hex is the other reading; not declared
    with pytest.raises(SignatureError, match="does not match"):
        verify(deliver({"X-Walmart-Signature": base64.b64encode(digest).decode()}, BODY + b" "))
    with pytest.raises(SignatureError, match="missing X-Walmart-Signature"):
        verify(deliver({}))


def test_dedupe_and_account_come_from_the_envelope() -> None:
    connector = Project.load(REPO, ["walmart"]).connector("walmart")
    webhook = connector.webhook
    assert webhook is not None
    identity = Identity.compile("walmart", connector.unwrap, webhook.dedupe, webhook.account)
    assert identity.of(loads(BODY), BODY) == ("04d868a0-d1a2-11ea-a710-459752d002e8", "10000682332")


def test_the_documented_basic_auth_variant_is_a_valid_connector() -> None:
    text = CONNECTOR.read_text()
    block = re.search(r"\n((?:    #   .*\n)+)", text)
    assert block, "the BASIC_AUTH variant comment is gone from connector.yaml"
    variant = "\n".join(line.removeprefix("    #   ") for line in block.group(1).splitlines())
    parts = load(variant).data
    doc = load(text).data
    doc["secrets"] = parts["secrets"]
    doc["intake"][0]["signature"] = parts["signature"]
    spec = cs.ConnectorSpec.model_validate(doc)
    signature = spec.intake[0].signature
    assert isinstance(signature, cs.BasicSignature)
    secrets = {
        "webhook_user": [Secret("hub", "WALMART_WEBHOOK_USER")],
        "webhook_password": [Secret("s3cret", "WALMART_WEBHOOK_PASSWORD")],
    }
    verify = build_verifier(signature, secrets)
    verify(deliver({"Authorization": base64.b64encode(b"hub:s3cret").decode()}))
    with pytest.raises(SignatureError):
        verify(deliver({"Authorization": base64.b64encode(b"hub:wrong").decode()}))
