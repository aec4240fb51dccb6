"""The connector format. These models are the single source of connector.schema.json."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hub.mapping.spec import Expr, Spec

NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
ENV_PATTERN = r"^[A-Z][A-Z0-9_]*$"


class SecretRef(Spec):
    """A secret read from the environment. Several variables: the first is required, the others are
    optional older values still accepted while a secret is rotated."""

    env: Annotated[str, Field(pattern=ENV_PATTERN)] | list[Annotated[str, Field(pattern=ENV_PATTERN)]]

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


Intake = Annotated[WebhookIntake, Field(discriminator="type")]


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
    routing: Routing
