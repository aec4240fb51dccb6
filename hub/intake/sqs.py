"""Pull notifications from an SQS queue into the inbox, deleting each message only after it is stored.

Order of a batch: receive (long poll) -> one intake transaction for the batch -> delete what that
transaction committed. A crash before the delete leaves the messages in the queue; SQS shows them
again after the visibility timeout and their dedupe key (the notification id) makes the second
delivery a no-op that is then deleted. So a message is never lost and never mapped twice.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub import faults
from hub.clock import utcnow
from hub.intake.delivery import Delivery, Receipt
from hub.intake.identity import Identity
from hub.intake.isolation import describe
from hub.intake.service import IntakeService
from hub.intake.sqs_config import SqsConfig
from hub.jsonio import MalformedJSON, loads
from hub.project import Connector
from hub.retry import retry_until

log = logging.getLogger(__name__)


@dataclass
class Tally:
    """What a poller did: receipts by status, events written, messages left for redelivery."""

    received: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    events: int = 0
    left: int = 0  # not stored (the transaction failed) or not deleted: SQS redelivers them

    def add(self, other: Tally) -> None:
        self.received += other.received
        self.statuses.update(other.statuses)
        self.events += other.events
        self.left += other.left

    def __str__(self) -> str:
        parts = [f"{self.statuses[s]} {s}" for s in ("accepted", "duplicate", "ignored", "quarantined")]
        return (
            f"{self.received} message(s): {', '.join(parts)}; {self.events} event(s); "
            f"{self.left} left in the queue"
        )


class SqsPoller:
    def __init__(
        self,
        config: SqsConfig,
        client: Any,
        connector: Connector,
        service: IntakeService,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.config = config
        self.client = client
        self.service = service
        self.clock = clock
        intake = config.intake
        self.identity = Identity.compile(connector.name, connector.unwrap, intake.dedupe, intake.account)

    @property
    def name(self) -> str:
        return self.config.connector

    def receive(self) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "QueueUrl": self.config.queue_url,
            "MaxNumberOfMessages": self.config.batch_size,
            "WaitTimeSeconds": self.config.wait_time_s,
        }
        if self.config.visibility_timeout_s is not None:
            request["VisibilityTimeout"] = self.config.visibility_timeout_s
        messages: list[dict[str, Any]] = self.client.receive_message(**request).get("Messages", [])
        return messages

    def delivery(self, message: dict[str, Any]) -> Delivery:
        # SQS bodies are XML-safe Unicode; surrogatepass keeps even a broken one storable and whole.
        body = str(message.get("Body", "")).encode("utf-8", "surrogatepass")
        received_at = self.clock()
        try:
            payload = loads(body)
        except MalformedJSON as exc:
            # Amazon writes only JSON to this queue. Anything else is kept whole in the hub's own
            # quarantine (visible with `hub quarantine ls`) rather than left to bounce in the queue.
            key, _ = self.identity.of(None, body)
            return Delivery(self.name, body, None, key, received_at, problem=str(exc))
        key, account = self.identity.of(payload, body)
        return Delivery(self.name, body, payload, key, received_at, account=account)

    def handle(self, messages: list[dict[str, Any]]) -> Tally:
        tally = Tally(received=len(messages))
        if not messages:
            return tally
        results = self.service.accept([self.delivery(m) for m in messages])
        stored = []
        for message, result in zip(messages, results, strict=True):
            if isinstance(result, Receipt):
                stored.append(message)
                tally.statuses[result.status] += 1
                tally.events += result.events
                if (
                    result.status == "quarantined"
                ):  # one line each, never the payload (`hub quarantine show ID`)
                    log.warning(
                        "sqs %s: delivery %s quarantined: %s", self.name, result.inbox_id, result.reason
                    )
            else:
                log.error(
                    "sqs %s: could not store message %s: %s",
                    self.name,
                    message.get("MessageId"),
                    describe(result),
                )
                tally.left += 1
        faults.hit("sqs.before_delete")
        tally.left += self.delete(stored)
        log.info("sqs %s: %s", self.name, tally)
        return tally

    def delete(self, messages: list[dict[str, Any]]) -> int:
        """Delete stored messages; returns how many SQS refused (they come back and are deduplicated)."""
        if not messages:
            return 0
        answer = self.client.delete_message_batch(
            QueueUrl=self.config.queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )
        failed = answer.get("Failed", [])
        for failure in failed:
            log.warning("sqs %s: delete refused (%s); the message will be redelivered", self.name, failure)
        return len(failed)

    def poll_once(self) -> Tally:
        return self.handle(self.receive())

    def drain(self) -> Tally:
        """Poll until a receive comes back empty."""
        total = Tally()
        while True:
            tally = self.poll_once()
            total.add(tally)
            if tally.received == 0:
                return total

    def run(self, stop: threading.Event) -> None:
        """Poll until stopped. Queue or network trouble (botocore's errors, or a store that is briefly
        unavailable) is logged and retried after the hub's backoff."""
        log.info("sqs %s: polling %s", self.name, self.config.queue_url)
        while not stop.is_set():
            retry_until(self.poll_once, stop, f"sqs {self.name}")
