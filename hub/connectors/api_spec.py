"""The connector format's API part: how the hub calls a marketplace (auth, signing, operations with
their rate limits, accounts), what it pulls (streams) and what it writes back (actions).

Request parts are templates: a string may hold `{arg:NAME}` (an action's argument), `{item:NAME}` (an
element of a list argument), `{var:NAME}` (the account's setting), `{secret:NAME}`, `{now}` (UTC ISO
8601), `{timestamp}` (Unix seconds), `{uuid}`; a string that is one placeholder keeps the value's type.
`{each: ARG, item: TEMPLATE}` builds a list from a list argument."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from hub.mapping.spec import Expr, PathString, Spec

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


class TokenPaging(Spec):
    """A token in the answer names the next page (Amazon NextToken, pagination.nextToken; TikTok
    next_page_token); absent or empty means last page."""

    type: Literal["next_token", "page_token"]
    from_: PathString = Field(alias="from")
    param: str
    into: Literal["query", "body"] = "query"


class NextQueryPaging(Spec):
    """The answer holds the next request's whole query string (Walmart's meta.nextCursor)."""

    type: Literal["next_query"]
    from_: PathString = Field(alias="from")


class LinkHeaderPaging(Spec):
    type: Literal["link_header"]
    rel: str = "next"


class PageNumberPaging(Spec):
    type: Literal["page_number"]
    param: str = "page"
    start: int = 1
    size_param: str | None = None
    size: int = Field(default=100, ge=1)


class OffsetPaging(Spec):
    type: Literal["offset"]
    param: str = "offset"
    size_param: str = "limit"
    size: int = Field(default=100, ge=1)


class NoPaging(Spec):
    type: Literal["none"]


Pagination = Annotated[
    TokenPaging | NextQueryPaging | LinkHeaderPaging | PageNumberPaging | OffsetPaging | NoPaging,
    Field(discriminator="type"),
]


class Incremental(Spec):
    """Ask only for what changed since the cursor: the greatest `cursor` value of the records seen."""

    cursor: PathString = Field(description="The record's change time.")
    param: str = Field(description="Request parameter that takes the cursor.")
    into: Literal["query", "body"] = "query"
    format: Literal["iso8601", "epoch_s", "epoch_ms"] = "iso8601"
    record_format: Literal["iso8601", "epoch_s", "epoch_ms"] | None = Field(
        default=None, description="How records write the cursor field; default: `format`."
    )
    end_param: str | None = Field(default=None, description="Parameter of a window's end, if any.")
    lookback: str = Field(default="0s", description="Start this long before the cursor (late writes).")
    start: str = Field(default="7d", description="How far back the first sync goes.")
    window: str | None = Field(default=None, description="Walk the range in windows of this length.")
    settle: str = Field(
        default="0s", description="Leave out the last moments (the marketplace's indexing delay)."
    )


class Attach(Spec):
    """A follow-up call per record whose records are set on it (Amazon getOrderItems)."""

    operation: Name
    path_params: dict[str, PathString] = Field(default_factory=dict)
    records: PathString
    as_: str = Field(alias="as")
    pagination: Pagination = Field(default_factory=lambda: NoPaging(type="none"))


class Request(Spec):
    query: dict[str, Any] = Field(default_factory=dict)
    body: Any = None
    path_params: dict[str, Any] = Field(default_factory=dict)


class Stream(Spec):
    operation: Name
    request: Request = Field(default_factory=Request)
    records: PathString = Field(description="Where a page holds its records.")
    route: Name = Field(description="The mapping each record goes through.")
    dedupe: Expr = Field(
        default=None,
        description="The record version's key (a re-pulled unchanged record is a duplicate); "
        "default: a hash of the record.",
    )
    account_field: Expr = Field(default=None, description="Default: the account's id.")
    pagination: Pagination = Field(default_factory=lambda: NoPaging(type="none"))
    incremental: Incremental | None = None
    attach: list[Attach] = Field(default_factory=list)
    schedule: str | None = Field(default=None, description="Cron of the scheduled pull (Dagster).")
    page_size: int | None = None


class Fetch(Spec):
    """Enrichment of a thin notification: the notification is stored at once, and the full record is
    fetched through an operation (queued in the same transaction, run under the rate budget, deduped
    per key) and mapped with `route`."""

    operation: Name
    key: Expr = Field(description="What is fetched (the order id): one pending fetch per key.")
    request: Request = Field(default_factory=Request)
    records: PathString
    route: Name
    dedupe: Expr
    max_attempts: int = Field(default=5, ge=1)


class Check(Spec):
    """How an action's answer says a part failed: `items` lists results, each with a `key` (the SKU)
    and a `status` that must be in `ok`; `message` says why."""

    items: PathString | None = None
    key: PathString | None = None
    status: PathString
    ok: list[str | int]
    message: PathString | None = None


class Action(Spec):
    operation: Name
    description: str = ""
    args: dict[Name, str] = Field(default_factory=dict, description="Argument -> what it is.")
    defaults: dict[Name, Any] = Field(default_factory=dict, description="Values of omitted arguments.")
    request: Request = Field(default_factory=Request)
    per: Name | None = Field(
        default=None, description="A list argument: one call per element, its fields as {item:...}."
    )
    key: str | None = Field(default=None, description="Names an element in errors, e.g. {item:sku}.")
    idempotency: IdempotencyKey | None = None
    check: Check | None = None


class IdempotencyKey(Spec):
    """The marketplace accepts a key that makes a repeated call a no-op: the same action with the same
    arguments always sends the same key."""

    header: str


Action.model_rebuild()
Operation.model_rebuild()
