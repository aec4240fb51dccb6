"""The connector format's pull streams, enrichment fetches and outbound actions (what is pulled and what
is written), on top of the `api` of api_spec.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from hub.connectors.api_spec import Name
from hub.mapping.spec import Expr, PathString, Spec


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
    shape: Name = Field(
        description="The answer's shape under `shapes`: its records path says where a page holds the "
        "records, and the catalog's operation entry naming it says which mapping they go through."
    )
    route: Name | None = Field(default=None, description="Another mapping than the shape's route.")
    dedupe: Expr = Field(
        default=None,
        description="The record version's key (a re-pulled unchanged record is a duplicate); "
        "default: a hash of the record.",
    )
    account_field: Expr = Field(default=None, description="Default: the account's id.")
    pagination: Pagination = Field(default_factory=lambda: NoPaging(type="none"))
    incremental: Incremental | None = None
    attach: list[Attach] = Field(default_factory=list)
    schedule: str | None = Field(
        default=None,
        description="Five-field cron (minute hour day month weekday, UTC) of the scheduled pull: Dagster's "
        "schedule; `hub up` pulls every scheduled stream every HUB_PULL_EVERY.",
    )

    @field_validator("schedule")
    @classmethod
    def _five_fields(cls, value: str | None) -> str | None:
        if value is not None and len(value.split()) != 5:
            raise ValueError(f"{value!r} is not a five-field cron string (minute hour day month weekday)")
        return value


class Fetch(Spec):
    """Enrichment of a thin notification: the notification is stored at once, and the full record is
    fetched through an operation (queued in the same transaction, run under the rate budget, deduped
    per key) and mapped with its shape's route."""

    operation: Name
    key: Expr = Field(description="What is fetched (the order id): one pending fetch per key.")
    request: Request = Field(default_factory=Request)
    shape: Name = Field(description="The answer's shape under `shapes` (records path and route).")
    route: Name | None = Field(default=None, description="Another mapping than the shape's route.")
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
