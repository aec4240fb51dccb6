"""The consumer group format (`consumers/<name>.yaml`). These models are the single source of
hub/schemas/consumer.schema.json."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hub.connectors.spec import SecretRef
from hub.events import EVENT_TYPES, TOPICS
from hub.mapping.spec import Spec

GROUP_NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,62}$"
HANDLER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$"

# The known topics and event types, enumerated in the schema: an editor completes them, `hub lint` lists
# them when a name is wrong.
Topic = Literal[TOPICS]  # type: ignore[valid-type]
EventType = Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]


class RetrySpec(Spec):
    """A failing event is tried again with exponential backoff and full jitter (random waits below a bound
    that starts at `first_wait_s` and doubles up to `max_wait_s`); after `max_attempts` attempts in all it
    becomes a dead letter of this group (`hub dlq ls`)."""

    max_attempts: int = Field(default=5, ge=1, le=100, description="Attempts in all, the first included.")
    first_wait_s: float = Field(default=0.5, gt=0, le=60)
    max_wait_s: float = Field(default=10.0, gt=0, le=3600)


class PythonSink(Spec):
    """A function `handler(event, uow)` by import path: its writes through the unit of work commit with
    the group's record that it applied the event, so each event takes effect once."""

    type: Literal["python"]
    handler: Annotated[str, Field(pattern=HANDLER_PATTERN, description="module.path:function")]


class HttpSink(Spec):
    """POST each event to a downstream system as a CloudEvents JSON document, signed the Standard Webhooks
    way: `webhook-id` (the event id, also `Idempotency-Key`), `webhook-timestamp` and `webhook-signature`
    (`v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` under the secret). A 2xx answer within
    `timeout_s` is a delivery; anything else is a failure, retried by the group's `retry` policy."""

    type: Literal["http"]
    url: Annotated[str, Field(pattern=r"^https?://", description="The endpoint that receives the POSTs.")]
    secret: SecretRef = Field(
        description="The signing key, from the environment (a `whsec_` value is base64, as Standard "
        "Webhooks issues them; any other value is used as text)."
    )
    timeout_s: float = Field(default=10.0, gt=0, le=300, description="Per request: connect, send and answer.")


Sink = Annotated[PythonSink | HttpSink, Field(discriminator="type")]


class ConsumerGroupSpec(Spec):
    """A consumer group: who owns it, what it reads, how it orders and retries, and where events go.
    Onboarding a downstream system: declare its group, replay history into it (`hub consume NAME
    --rewind start`; replayed deliveries are marked), then let it follow live."""

    type: Literal["consumer_group"]
    name: Annotated[str, Field(pattern=GROUP_NAME_PATTERN, description="The group id; the file's name.")]
    owner: str = Field(min_length=1, description="The team that answers for this group's dead letters.")
    description: str = ""
    topics: list[Topic] = Field(min_length=1)
    events: list[EventType] | None = Field(  # type: ignore[valid-type]
        default=None,
        description="The event types it wants; others on its topics are skipped. Absent: all of them.",
    )
    ordering: Literal["per_key", "none"] = Field(
        default="per_key",
        description="per_key: a key's events apply in order, and a dead letter parks its key (later "
        "events of that key wait, others flow) until `hub dlq redrive`. none: a dead letter is passed.",
    )
    retry: RetrySpec = Field(default_factory=RetrySpec)
    sink: Sink

    def event_topics(self) -> dict[str, str]:
        return {name: EVENT_TYPES[name].TOPIC for name in self.events or ()}
