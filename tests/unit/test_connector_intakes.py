"""Connector-level intake settings: envelopes, delivery identity, optional secrets, SQS credentials."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hub.credentials import MissingSecret, resolve
from hub.intake.identity import Identity
from hub.intake.sqs_config import SqsConfig, SqsOff, SqsSettingError, resolve_sqs
from hub.lint import lint
from hub.project import Project
from tests.support.paths import REPO, sample

AMAZON = Project.load(REPO, ["amazon"]).connector("amazon")
LISTING = json.loads(sample("amazon", "notification-LISTINGS_ITEM_STATUS_CHANGE.json").read_text())


def eventbridge(detail: object) -> dict[str, object]:
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "LISTINGS_ITEM_STATUS_CHANGE",
        "source": "aws.partner/sellingpartnerapi.amazon/amzn1.sellerapps.app.f108f511",
        "account": "123456789012",
        "time": "2021-02-03T18:59:31Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def identity() -> Identity:
    webhook = AMAZON.webhook
    assert webhook is not None
    return Identity.compile("amazon", AMAZON.unwrap, webhook.dedupe, webhook.account)


def test_an_eventbridge_delivery_and_an_sqs_message_of_one_notification_share_its_identity() -> None:
    wrapped = eventbridge(LISTING)
    from_eventbridge = identity().of(wrapped, json.dumps(wrapped).encode())
    from_sqs = identity().of(LISTING, json.dumps(LISTING).encode())
    assert from_eventbridge == from_sqs == ("8e009934-da2c-4f9c-9bc7-93f23b7e1f60", "A3AYAZLIQ7AX77")


def test_a_payload_without_its_notification_id_is_identified_by_its_body() -> None:
    body = b'{"NotificationType": "ORDER_CHANGE"}'
    key, account = identity().of(json.loads(body), body)
    assert key.startswith("sha256:") and len(key) == 7 + 64
    assert account is None


def test_normalize_maps_the_wrapped_notification_of_an_envelope() -> None:
    project = Project.load(REPO, ["amazon"])
    direct = project.normalize("amazon", LISTING)
    wrapped = project.normalize("amazon", eventbridge(LISTING))
    assert wrapped == direct


def test_optional_secrets_may_be_unset_required_ones_may_not() -> None:
    refs = {"key": ["SHOP_KEY"], "aws": ["SHOP_AWS_KEY"]}
    found = resolve(refs, {"SHOP_KEY": "k"}, owner="connector shop", optional={"aws"})
    assert list(found) == ["key"]
    assert [s.reveal() for s in found["key"]] == ["k"]
    with pytest.raises(MissingSecret, match=r"SHOP_KEY \(connector shop: secrets.key\)"):
        resolve(refs, {"SHOP_AWS_KEY": "a"}, owner="connector shop", optional={"aws"})


def test_lint_points_at_sqs_credentials_that_name_no_secret(tmp_path: Path) -> None:
    for folder in ("connectors/amazon", "mappings/amazon"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    connector = tmp_path / "connectors" / "amazon" / "connector.yaml"
    text = connector.read_text().replace("secret_access_key: aws_secret_access_key", "secret_access_key: aws")
    connector.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "secret_access_key: aws" in row)

    _, issues = lint(tmp_path)
    assert [str(i) for i in issues] == [
        f"{connector}:{line}: intake[0].credentials.secret_access_key: names no secret 'aws' under secrets "
        "(known: eventbridge_api_key, aws_access_key_id, aws_secret_access_key, aws_session_token, "
        "lwa_client_id, lwa_client_secret, lwa_refresh_token)"
    ]


def sqs_config(environ: dict[str, str], secrets: dict[str, str] | None = None) -> SqsConfig | SqsOff:
    intake = AMAZON.sqs
    assert intake is not None
    resolved = (
        resolve(
            AMAZON.secret_refs(),
            {**environ, **(secrets or {})},
            owner="amazon",
            optional=AMAZON.optional_secrets(),
        )
        if secrets is not None
        else {}
    )
    return resolve_sqs("amazon", intake, environ, resolved)


QUEUE = {"AMAZON_SQS_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/notifications"}
KEY = {"AMAZON_EVENTBRIDGE_API_KEY": "k"}


def test_the_sqs_intake_reads_its_settings_from_the_environment() -> None:
    assert sqs_config({}) == SqsOff("amazon", "AMAZON_SQS_QUEUE_URL is unset")
    config = sqs_config({**QUEUE, "AMAZON_SQS_REGION": "eu-west-1", "AMAZON_SQS_VISIBILITY_TIMEOUT_S": "90"})
    assert isinstance(config, SqsConfig)
    assert (config.queue_url, config.region, config.endpoint_url) == (
        QUEUE["AMAZON_SQS_QUEUE_URL"],
        "eu-west-1",
        None,
    )
    assert (config.wait_time_s, config.batch_size, config.visibility_timeout_s) == (20, 10, 90)
    assert config.access_key_id is None  # boto3's default chain (an instance role, AWS_* variables)


def test_sqs_settings_that_cannot_work_stop_start_up_naming_the_variable() -> None:
    with pytest.raises(SqsSettingError, match="wait_time_s must be between 0 and 20 s, not 60"):
        sqs_config({**QUEUE, "AMAZON_SQS_WAIT_TIME_S": "60"})
    with pytest.raises(SqsSettingError, match="visibility_timeout_s must be a whole number of seconds"):
        sqs_config({**QUEUE, "AMAZON_SQS_VISIBILITY_TIMEOUT_S": "soon"})
    half = {**KEY, "AMAZON_AWS_ACCESS_KEY_ID": "AKIA0000"}
    with pytest.raises(
        SqsSettingError, match=r"set both secrets\.aws_access_key_id and secrets\.aws_secret"
    ) as err:
        sqs_config(QUEUE, half)
    assert "AKIA0000" not in str(err.value)


def test_explicit_sqs_keys_stay_secret_in_every_repr() -> None:
    keys = {
        **KEY,
        "AMAZON_AWS_ACCESS_KEY_ID": "AKIA0000",
        "AMAZON_AWS_SECRET_ACCESS_KEY": "very-secret-value",
    }
    config = sqs_config(QUEUE, keys)
    assert isinstance(config, SqsConfig) and config.secret_access_key is not None
    assert config.secret_access_key.reveal() == "very-secret-value"
    assert "very-secret-value" not in repr(config) and "AKIA0000" not in repr(config)
