"""The connector format. These models are the single source of connector.schema.json."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hub.connectors.api_spec import Api
from hub.connectors.stream_spec import Action, Fetch, Stream
from hub.mapping.spec import Condition, Expr, HeaderExpr, LookupTable, PathString, Spec

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


# A request header of the delivery: the mapping language's `header` expression, which routing, dedupe and
# account read like any other expression.
HeaderValue = HeaderExpr

Source = Annotated[
    Expr,
    Field(description="A payload expression, or {type: header, name: X-...} for a request header."),
]


class VerificationRequest(Spec):
    """An unsigned request a platform sends when a webhook is saved (WooCommerce posts the form body
    `webhook_id=N`). A request whose content type and whole body match is answered `status` and stored
    nowhere; it carries no commerce fact, so answering it proves nothing and risks nothing."""

    content_type: str = Field(
        description="The media type it is sent with, e.g. application/x-www-form-urlencoded."
    )
    body: str = Field(
        description="A regular expression the whole body must match, e.g. '^webhook_id=[0-9]+$'."
    )
    status: int = Field(default=200, ge=200, le=299)
    max_bytes: int = Field(default=256, ge=1, le=4096)


class WebhookIntake(Spec):
    """HTTP deliveries to POST /webhooks/<connector>."""

    type: Literal["webhook"]
    signature: Signature
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    dedupe: Source = Field(
        default=None, description="The delivery's idempotency key; default: hash of the body."
    )
    account: Source = Field(default=None, description="Seller, shop or partner id of the delivery.")
    verification: VerificationRequest | None = Field(
        default=None, description="The unsigned request the platform sends when a webhook is saved."
    )


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
    headers: PathString | None = Field(
        default=None,
        description="Where the wrapped delivery's HTTP headers are (an object), for a recorded delivery or "
        "response: {status, headers, body}. Header sources read them.",
    )


class Routing(Spec):
    """Choose the mapping (a file under mappings/<connector>/) from a field of the payload."""

    type: Literal["field"]
    from_: Source = Field(alias="from")
    routes: dict[str, Annotated[str, Field(pattern=NAME_PATTERN)]] = Field(default_factory=dict)
    ignore: dict[str, str] = Field(
        default_factory=dict, description="value -> why such payloads yield nothing"
    )


class Shape(Spec):
    """One shape of what the marketplace sends or answers (a webhook body, a queue message, a list or
    single-record API response): how to recognise it and where its records are. Declared once, read by
    `hub map`, re-normalization and the pull streams alike."""

    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    description: str | None = None
    match: Condition = Field(description="How to recognise the shape, e.g. the keys it always has.")
    records: PathString | None = Field(
        default=None,
        description="Where the records are: an array gives one record per element, an object one "
        "record; absent: the payload is one record. A shape that catalog entries name is mapped as "
        "they route it; any other shape's records are routed by `routing`.",
    )


CatalogKind = Literal["notification", "webhook", "operation"]


class CatalogEntry(Spec):
    """One thing of the marketplace's published catalog that can reach the hub: a notification or
    webhook type (its value of the routing field) or an API operation whose response the hub reads.
    Each entry maps to a route or is ignored with the reason; `doc` cites where it is documented."""

    name: str = Field(description="The routing field's value (notification, webhook) or the operation.")
    kind: CatalogKind
    doc: str = Field(min_length=1, description="The documentation page (URL) or model file it comes from.")
    route: Annotated[str, Field(pattern=NAME_PATTERN)] | None = Field(
        default=None, description="The mapping under mappings/<connector>/ its payloads go to."
    )
    ignore: str | None = Field(default=None, description="Why its payloads yield no event.")
    shape: Annotated[str, Field(pattern=NAME_PATTERN)] | None = Field(
        default=None, description="Operations: the shape (under `shapes`) of its response."
    )
    samples: list[str] = Field(
        default_factory=list,
        description="Real payloads of this entry, relative to the connector's samples/ folder; the "
        "golden cases built from them are counted by `hub catalog`.",
    )


class ConnectorSpec(Spec):
    type: Literal["connector"]
    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    title: str
    secrets: dict[str, SecretRef] = Field(default_factory=dict)
    intake: list[Intake] = Field(default_factory=list)
    envelopes: list[Envelope] = Field(default_factory=list)
    routing: Routing
    shapes: list[Shape] = Field(
        default_factory=list,
        description="Without shapes every payload is one record routed by `routing`; with them, a "
        "payload that matches none is quarantined naming the shapes tried.",
    )
    catalog: list[CatalogEntry] = Field(
        default_factory=list,
        description="The marketplace's published catalog. Notification and webhook entries extend "
        "`routing` (their name is the routing field's value); operation entries route their shape.",
    )
    lookups: dict[Annotated[str, Field(pattern=NAME_PATTERN)], LookupTable] = Field(
        default_factory=dict,
        description="Tables of facts the marketplace publishes (marketplace ids and their countries and "
        "currencies), read by the mappings' `lookup`; `doc` cites the page each is copied from.",
    )
    api: Api | None = Field(default=None, description="How the hub calls the marketplace's API.")
    streams: dict[Annotated[str, Field(pattern=NAME_PATTERN)], Stream] = Field(
        default_factory=dict, description="What is pulled: each stream pages through one operation."
    )
    enrich: dict[Annotated[str, Field(pattern=NAME_PATTERN)], Fetch] = Field(
        default_factory=dict,
        description="Route -> the fetch that completes its thin payloads (the route's mapping is not used).",
    )
    actions: dict[Annotated[str, Field(pattern=NAME_PATTERN)], Action] = Field(
        default_factory=dict, description="What the hub writes to the marketplace."
    )
