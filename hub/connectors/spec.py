"""The connector format. These models are the single source of connector.schema.json."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hub.mapping.spec import Condition, Expr, PathString, Spec

NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
ENV_PATTERN = r"^[A-Z][A-Z0-9_]*$"


class SecretRef(Spec):
    """A secret read from the environment. Several variables: the first is required, the others are
    optional older values still accepted while a secret is rotated."""

    env: Annotated[str, Field(pattern=ENV_PATTERN)] | list[Annotated[str, Field(pattern=ENV_PATTERN)]]
    optional: bool = Field(
        default=False,
        description="Unset means unused, not missing: e.g. cloud credentials that a default chain "
        "(an instance role) can supply instead.",
    )

    def variables(self) -> list[str]:
        return [self.env] if isinstance(self.env, str) else list(self.env)


class TimestampCheck(Spec):
    """Refuse deliveries whose signed timestamp is outside the window (replay protection)."""

    header: str
    format: Literal["epoch_s", "epoch_ms", "iso8601"] = "epoch_s"
    tolerance_s: int = Field(default=300, ge=1)


class HmacSignature(Spec):
    """An HMAC of a message built from the request: `message` is a template of `{body}`, `{method}`,
    `{path}`, `{path_and_query}`, `{body_sha256_hex}`, `{header:NAME}` and `{secret:NAME}` parts."""

    type: Literal["hmac"]
    algorithm: Literal["sha1", "sha256", "sha512"] = "sha256"
    secret: str = Field(description="Name of the key secret under `secrets`.")
    message: str = "{body}"
    header: str
    prefix: str = Field(default="", description="Text before the digest in the header, e.g. 'sha256='.")
    encoding: Literal["hex", "base64"] = "hex"
    timestamp: TimestampCheck | None = None


class BasicSignature(Spec):
    """The header carries base64(user:password), after `prefix` (RFC 7617's "Basic " by default)."""

    type: Literal["basic"]
    username: str = Field(description="Name of the user-name secret.")
    password: str = Field(description="Name of the password secret.")
    header: str = "Authorization"
    prefix: str = Field(default="Basic ", description='Text before the base64 value; "" for none.')


class TokenSignature(Spec):
    """A shared token compared in constant time, e.g. `Authorization: Bearer <token>`."""

    type: Literal["token"]
    header: str
    secret: str
    prefix: str = ""


class NoSignature(Spec):
    """No authenticity check. Only for intakes behind something that authenticates (a queue, a VPN)."""

    type: Literal["none"]


Signature = Annotated[
    HmacSignature | BasicSignature | TokenSignature | NoSignature, Field(discriminator="type")
]


class WebhookIntake(Spec):
    """HTTP deliveries to POST /webhooks/<connector>."""

    type: Literal["webhook"]
    signature: Signature
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    dedupe: Expr = Field(
        default=None, description="The delivery's idempotency key; default: hash of the body."
    )
    account: Expr = Field(default=None, description="Seller, shop or partner id of the delivery.")


class EnvSetting(Spec):
    """A deployment setting read from the environment at start-up. Not a secret: it may be printed."""

    env: Annotated[str, Field(pattern=ENV_PATTERN)]
    default: str | int | None = Field(default=None, description="Used when the variable is unset.")
    optional: bool = Field(default=False, description="Unset and no default: the setting is absent.")


class SqsCredentials(Spec):
    """Names of secrets (under `secrets`) holding an AWS access key. Without this block, or with the
    secrets unset, boto3's default chain applies: AWS_* variables, ~/.aws, an instance or task role."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


class SqsIntake(Spec):
    """Long-poll an Amazon SQS queue (or an SQS-compatible server); each message body is one payload.
    A message is deleted only after the transaction that stored it has committed, so a crash in between
    redelivers it and the dedupe key turns the second delivery into a no-op."""

    type: Literal["sqs"]
    queue_url: str | EnvSetting = Field(
        description="An optional setting that is unset turns this intake off (`hub up` says so)."
    )
    region: str | EnvSetting = "us-east-1"
    endpoint_url: str | EnvSetting | None = Field(
        default=None, description="Another SQS endpoint, e.g. a local SQS-compatible server."
    )
    credentials: SqsCredentials | None = None
    wait_time_s: int | EnvSetting = Field(
        default=20, description="Long-poll wait, 0 to 20 s; shorter stops faster but costs more requests."
    )
    batch_size: int = Field(default=10, ge=1, le=10, description="Messages per receive (SQS allows 10).")
    visibility_timeout_s: int | EnvSetting | None = Field(
        default=None, description="How long a received message stays hidden; default: the queue's own."
    )
    dedupe: Expr = Field(
        default=None, description="The message's idempotency key; default: hash of the body."
    )
    account: Expr = Field(default=None, description="Seller, shop or partner id of the message.")


Intake = Annotated[WebhookIntake | SqsIntake, Field(discriminator="type")]


class Envelope(Spec):
    """A wrapper some deliveries arrive in (e.g. an EventBridge event around a notification). The inbox
    keeps the delivery whole; dedupe, account, routing and mapping read the wrapped payload."""

    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    when: Condition = Field(description="How to recognise the wrapper, from the delivery's own fields.")
    payload: PathString = Field(description="Where the wrapped payload is, e.g. $.detail.")


class Routing(Spec):
    """Choose the mapping (a file under mappings/<connector>/) from a field of the payload."""

    type: Literal["field"]
    from_: Expr = Field(alias="from")
    routes: dict[str, Annotated[str, Field(pattern=NAME_PATTERN)]]
    ignore: dict[str, str] = Field(
        default_factory=dict, description="value -> why such payloads yield nothing"
    )


class ConnectorSpec(Spec):
    type: Literal["connector"]
    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    title: str
    secrets: dict[str, SecretRef] = Field(default_factory=dict)
    intake: list[Intake] = Field(default_factory=list)
    envelopes: list[Envelope] = Field(default_factory=list)
    routing: Routing
