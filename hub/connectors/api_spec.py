"""The connector format's API part: how the hub calls a marketplace (auth, signing, operations with
their rate limits, accounts), what it pulls (streams) and what it writes back (actions).

Streams, enrichment fetches and actions are in stream_spec.py. Request parts are templates: a string may
hold `{arg:NAME}` (an action's argument), `{item:NAME}` (an
element of a list argument), `{var:NAME}` (the account's setting), `{secret:NAME}`, `{now}` (UTC ISO
8601), `{timestamp}` (Unix seconds), `{uuid}`; a string that is one placeholder keeps the value's type.
`{each: ARG, item: TEMPLATE}` builds a list from a list argument."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from hub.mapping.spec import PathString, Spec

NAME = r"^[A-Za-z][A-Za-z0-9_]{0,62}$"
Name = Annotated[str, Field(pattern=NAME)]


class Setting(Spec):
    """A deployment setting read from the environment (not a secret: it may be printed)."""

    env: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]
    default: str | None = None


Value = str | Setting


class Expired(Spec):
    """How the marketplace says the access token is no longer good: the hub refreshes it once (for
    every worker and process) and sends the request again."""

    status: list[int] = Field(default_factory=lambda: [401])
    field: PathString | None = Field(default=None, description="A body field that must also match.")
    values: list[str | int] = Field(default_factory=list, description="Values of `field` that mean expired.")


class TokenAnswer(Spec):
    """Where the token endpoint's answer holds the token and its lifetime."""

    access_token: PathString = "$.access_token"
    expires_in: PathString | None = Field(default="$.expires_in", description="Seconds from now.")
    expires_at: PathString | None = Field(default=None, description="A Unix timestamp (TikTok's).")


class _TokenAuth(Spec):
    token_url: Value
    method: Literal["POST", "GET"] = "POST"
    client_id: str = Field(description="Name of the client id secret.")
    client_secret: str = Field(description="Name of the client secret secret.")
    client_auth: Literal["body", "basic", "query"] = Field(
        default="body", description="How the client credentials travel: form body, Basic auth, query."
    )
    client_id_param: str = "client_id"
    client_secret_param: str = "client_secret"
    token_headers: dict[str, Any] = Field(default_factory=dict, description="Headers of the token request.")
    answer: TokenAnswer = Field(default_factory=TokenAnswer)
    header: str = Field(default="Authorization", description="Header of API calls that carries the token.")
    prefix: str = Field(default="Bearer ", description="Text before the token in that header.")
    refresh_margin_s: int = Field(default=120, ge=0, description="Refresh this long before expiry.")
    expired: Expired = Field(default_factory=Expired)


class OAuth2RefreshToken(_TokenAuth):
    """OAuth 2.0 refresh-token grant (Amazon Login with Amazon, TikTok Shop's token refresh)."""

    type: Literal["oauth2_refresh_token"]
    refresh_token: str = Field(description="Name of the refresh token secret.")
    refresh_token_param: str = "refresh_token"
    grant_type: str = "refresh_token"


class OAuth2ClientCredentials(_TokenAuth):
    """OAuth 2.0 client-credentials grant (Walmart's /v3/token with Basic auth)."""

    type: Literal["oauth2_client_credentials"]
    grant_type: str = "client_credentials"


class ApiKeyAuth(Spec):
    type: Literal["api_key"]
    secret: str
    header: str | None = "X-Api-Key"
    query: str | None = Field(default=None, description="Send the key as this query parameter instead.")


class BearerAuth(Spec):
    type: Literal["bearer"]
    secret: str
    header: str = "Authorization"
    prefix: str = "Bearer "


class NoAuth(Spec):
    type: Literal["none"]


Auth = Annotated[
    OAuth2RefreshToken | OAuth2ClientCredentials | ApiKeyAuth | BearerAuth | NoAuth,
    Field(discriminator="type"),
]


class HmacSigning(Spec):
    """Every API call signed with an HMAC (TikTok Shop's `sign`). `message` is a template of `{path}`,
    `{sorted_query}` (key+value of every query parameter, sorted by key, except `exclude`), `{body}`
    and `{secret:NAME}`; the query gains `add_query` before signing."""

    type: Literal["hmac"]
    secret: str
    algorithm: Literal["sha256", "sha1", "sha512"] = "sha256"
    encoding: Literal["hex", "base64"] = "hex"
    add_query: dict[str, str] = Field(default_factory=dict)
    message: str
    exclude: list[str] = Field(default_factory=list)
    query: str | None = Field(default=None, description="Query parameter that carries the signature.")
    header: str | None = Field(default=None, description="Header that carries the signature.")


class RateLimit(Spec):
    """A token bucket per (connector, account, operation), shared by every process through the store."""

    rps: float = Field(gt=0, description="Sustained requests per second.")
    burst: int = Field(ge=1, description="Requests allowed at once after a quiet spell.")
    limit_header: str | None = Field(
        default=None, description="A response header with the current rate (Amazon's x-amzn-RateLimit-Limit)."
    )


class Operation(Spec):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    path: str = Field(description="Appended to the base URL; `{name}` parts are path parameters.")
    rate_limit: RateLimit | None = None
    headers: dict[str, Any] = Field(default_factory=dict)
    # A documented operation that answers HTTP 200 with an error code in the body (TikTok).
    ok_when: OkWhen | None = None


class OkWhen(Spec):
    field: PathString
    values: list[str | int]
    message: PathString | None = None


class Retry(Spec):
    attempts: int = Field(default=6, ge=1)
    max_wait_s: float = Field(default=60, gt=0)
    statuses: list[int] = Field(default_factory=lambda: [429, 500, 502, 503, 504])


class Account(Spec):
    """One seller account or region: its own secrets, settings, cursor and rate budget."""

    id: Value | None = Field(default=None, description="The account id events carry (seller, shop).")
    base_url: Value | None = Field(default=None, description="Default: the API's base_url.")
    secrets: dict[str, str] = Field(
        default_factory=dict, description="Auth secret name -> this account's secret (under `secrets`)."
    )
    vars: dict[str, Value] = Field(default_factory=dict)
    rate_limits: dict[str, RateLimit] = Field(
        default_factory=dict, description="Per-operation limits of this account (dynamic usage plans)."
    )
    settings: dict[str, Value] = Field(
        default_factory=dict, description="Auth settings of this account, e.g. token_url."
    )


class Api(Spec):
    base_url: Value
    auth: Auth
    signing: HmacSigning | None = None
    headers: dict[str, Any] = Field(default_factory=dict, description="Sent with every API call.")
    retry: Retry = Field(default_factory=Retry)
    timeout_s: float = 30
    operations: dict[Name, Operation]
    accounts: dict[Name, Account] = Field(default_factory=lambda: {"default": Account()})


Operation.model_rebuild()
