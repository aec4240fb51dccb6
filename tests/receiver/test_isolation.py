"""One delivery never harms another: a batch committed together, with one poison delivery in it, stores
its neighbours as if it were not there and keeps the poison whole in quarantine with its reason, whatever
stage it fails in (identity, mapping, conversion, event building, the store's own checks). The SQS
intake stores and deletes a message that does not map. One suite, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, text

from hub.credentials import resolve
from hub.intake.delivery import Delivery, Receipt
from hub.intake.quarantine import QuarantineService
from hub.intake.renormalize import Renormalizer
from hub.intake.service import IntakeService
from hub.intake.sqs import SqsPoller
from hub.intake.sqs_config import SqsConfig, make_client, resolve_sqs
from hub.jsonio import loads
from hub.receiver.endpoints import build_endpoints
from hub.store import Store
from hub.store.commerce_tables import order_history, orders
from hub.store.tables import inbox, outbox, quarantine
from tests.contract.stacks import PostgresStack, SqliteStack
from tests.support.motoserver import MotoServer
from tests.support.paths import sample
from tests.support.receiver import bundled_project, bundled_secrets
from tests.support.secrets import BUNDLED_SECRETS

TIKTOK: dict[str, Any] = json.loads(sample("tiktok", "webhook-1-ORDER_STATUS_CHANGE.json").read_text())
AMAZON: dict[str, Any] = json.loads(sample("amazon", "notification-ORDER_CHANGE.json").read_text())
REFUSED_ORDER = "refused-by-the-store"


def tiktok(notification: str, order_id: str, **data: Any) -> dict[str, Any]:
    """TikTok's order webhook sample, paid, with its own notification id and order id."""
    payload = json.loads(json.dumps(TIKTOK))
    payload["tts_notification_id"] = notification
    payload["data"].update(order_id=order_id, order_status="AWAITING_SHIPMENT", **data)
    return payload


def delivery(connector: str, payload: dict[str, Any] | str) -> Delivery:
    """A delivery as the receiver builds it: the body as sent, identity read by the connector's rules."""
    project = bundled_project()
    endpoint = build_endpoints(project, bundled_secrets(project))[connector]
    body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    return endpoint.delivery(body, loads(body), datetime.now(UTC), "application/json", None)


class IsolationSuite:
    refuse_outbox_row: list[str]  # DDL: the store itself refuses outbox rows of REFUSED_ORDER

    @pytest.fixture
    def service(self, store: Store) -> IntakeService:
        return IntakeService(bundled_project(), store)

    @staticmethod
    def rows(store: Store, query: Any) -> list[Any]:
        with store.transaction() as conn:
            return list(conn.execute(query).all())

    def batch_with_one_poison(
        self, service: IntakeService, poison: Delivery
    ) -> tuple[Receipt, list[tuple[str, str]]]:
        """Commit [good, poison, good] as one batch; check the good ones; return the poison's receipt
        and the outbox's (event type, partition key) rows."""
        good = [
            delivery("tiktok", tiktok(f"good-{n}-{poison.dedupe_key[:20]}", f"good-order-{n}"))
            for n in (1, 2)
        ]
        receipts = service.accept([good[0], poison, good[1]])
        assert all(isinstance(r, Receipt) for r in receipts), receipts
        first, middle, last = receipts
        assert isinstance(first, Receipt) and isinstance(middle, Receipt) and isinstance(last, Receipt)
        assert (first.status, first.events, last.status, last.events) == ("accepted", 1, "accepted", 1)
        events = self.rows(service.store, select(outbox.c.event_type, outbox.c.partition_key))
        assert ("OrderPaid", "tiktok:good-order-1") in events and (
            "OrderPaid",
            "tiktok:good-order-2",
        ) in events
        return middle, events

    def refuse_outbox_rows_of_the_refused_order(self, store: Store) -> None:
        with store.transaction() as conn:
            for statement in self.refuse_outbox_row:
                conn.execute(text(statement))

    def assert_quarantined_whole(self, store: Store, receipt: Receipt, poison: Delivery, *words: str) -> str:
        assert receipt.status == "quarantined" and receipt.inbox_id is not None, receipt
        stored = self.rows(store, select(inbox.c.body, inbox.c.status).where(inbox.c.id == receipt.inbox_id))
        assert stored == [(poison.body, "quarantined")]
        reason = self.rows(
            store, select(quarantine.c.reason).where(quarantine.c.inbox_id == receipt.inbox_id)
        )
        assert len(reason) == 1
        for word in words:
            assert word in reason[0][0], reason[0][0]
        return str(reason[0][0])

    @pytest.mark.parametrize(
        "odd",
        [
            {"update_time": 10**17},  # the 1e17: beyond any datetime
            {"update_time": "9" * 4301},  # beyond int()'s digit limit
            {"update_time": -(10**30)},
        ],
        ids=["update_time-1e17", "4301-digit-string", "negative-huge"],
    )
    def test_a_conversion_that_raises_quarantines_only_its_delivery(
        self, service: IntakeService, odd: dict[str, Any]
    ) -> None:
        poison = delivery("tiktok", tiktok(f"poison-{next(iter(odd.values()))!s:.12}", "poison-order", **odd))
        receipt, events = self.batch_with_one_poison(service, poison)
        self.assert_quarantined_whole(service.store, receipt, poison)
        assert not [e for e in events if e[1] == "tiktok:poison-order"]

    def test_a_money_amount_with_a_huge_exponent_is_quarantined_or_accepted_never_fatal(
        self, service: IntakeService
    ) -> None:
        body = json.dumps(tiktok("poison-exponent", "exp-order")).replace(
            '"update_time": 1644412885', '"update_time": 1E+10000000'
        )
        poison = delivery("tiktok", body)
        receipt, _ = self.batch_with_one_poison(service, poison)
        self.assert_quarantined_whole(service.store, receipt, poison)

    def test_an_amazon_timestamp_beyond_the_calendar_is_quarantined(self, service: IntakeService) -> None:
        payload = json.loads(json.dumps(AMAZON))
        payload["NotificationMetadata"]["NotificationId"] = "poison-amazon-time"
        change = payload["Payload"]["OrderChangeNotification"]
        change["OrderChangeType"] = "OrderStatusChange"
        change["OrderChangeTrigger"]["TimeOfOrderChange"] = "9999-12-31T23:59:59-23:59"
        poison = delivery("amazon", payload)
        receipt, _ = self.batch_with_one_poison(service, poison)
        self.assert_quarantined_whole(service.store, receipt, poison)

    @pytest.mark.parametrize(
        ("order_id", "words"),
        [
            ("o" * 300, ["partition key", "longer than 255 characters"]),
            ("nul\x00order", ["partition key", "NUL"]),
            ("lone-\ud800-surrogate", ["partition key", "surrogate"]),
        ],
        ids=["too-long", "nul", "surrogate"],
    )
    def test_an_event_the_store_could_not_hold_quarantines_only_its_delivery(
        self, service: IntakeService, order_id: str, words: list[str]
    ) -> None:
        poison = delivery("tiktok", tiktok(f"poison-key-{len(order_id)}-{order_id[:3]}", order_id))
        receipt, events = self.batch_with_one_poison(service, poison)
        self.assert_quarantined_whole(service.store, receipt, poison, *words)
        assert len(events) == 2

    def test_an_account_the_inbox_cannot_hold_is_quarantined_with_the_body_kept(
        self, service: IntakeService
    ) -> None:
        payload = tiktok("poison-account", "account-order")
        payload["shop_id"] = "s" * 200
        poison = delivery("tiktok", payload)
        receipt, _ = self.batch_with_one_poison(service, poison)
        self.assert_quarantined_whole(service.store, receipt, poison, "account", "longer than 128 characters")

    def test_a_dedupe_key_longer_than_the_column_still_deduplicates(self, service: IntakeService) -> None:
        long_id = "n" * 1000
        first = service.accept([delivery("tiktok", tiktok(long_id, "long-id-order"))])[0]
        again = service.accept([delivery("tiktok", tiktok(long_id, "long-id-order"))])[0]
        assert isinstance(first, Receipt) and first.status == "accepted"
        assert isinstance(again, Receipt) and again.status == "duplicate"
        keys = self.rows(service.store, select(inbox.c.dedupe_key).where(inbox.c.id == first.inbox_id))
        assert keys[0][0].startswith("sha256:")

    def test_a_row_the_store_itself_refuses_is_quarantined_and_its_neighbours_commit(
        self, service: IntakeService
    ) -> None:
        self.refuse_outbox_rows_of_the_refused_order(service.store)
        poison = delivery("tiktok", tiktok("poison-refused", REFUSED_ORDER))
        receipt, events = self.batch_with_one_poison(service, poison)
        self.assert_quarantined_whole(service.store, receipt, poison, "the store refused its rows")
        assert len(events) == 2

    def test_a_retry_the_store_refuses_keeps_its_entry_quarantined_and_the_next_entry_is_retried(
        self, service: IntakeService
    ) -> None:
        self.refuse_outbox_rows_of_the_refused_order(service.store)
        refused = delivery("tiktok", tiktok("retry-refused", REFUSED_ORDER))
        # Held whole at intake (as a delivery with an unstorable route is); it maps once retried.
        held = replace(delivery("tiktok", tiktok("retry-held", "held-order")), problem="held for the test")
        receipts = service.accept([refused, held])
        assert [r.status for r in receipts if isinstance(r, Receipt)] == ["quarantined", "quarantined"]

        results = QuarantineService(bundled_project(), service.store).retry()

        assert [(r.status, r.events) for r in results] == [("quarantined", 0), ("mapped", 1)]
        assert results[0].reason is not None and "the store refused its rows" in results[0].reason
        entries = self.rows(
            service.store,
            select(quarantine.c.reason, quarantine.c.attempts, quarantine.c.resolved_at).order_by(
                quarantine.c.id
            ),
        )
        assert entries[0] == (results[0].reason, 2, None)
        assert entries[1][1] == 2 and entries[1][2] is not None  # resolved by this retry
        events = self.rows(service.store, select(outbox.c.event_type, outbox.c.partition_key))
        assert events == [("OrderPaid", "tiktok:held-order")]

    def test_a_renormalization_the_store_refuses_fails_that_payload_alone(
        self, service: IntakeService
    ) -> None:
        refused = delivery("tiktok", tiktok("rerun-refused", REFUSED_ORDER))
        fine = delivery("tiktok", tiktok("rerun-fine", "rerun-order"))
        receipts = service.accept([refused, fine])
        assert [r.status for r in receipts if isinstance(r, Receipt)] == ["accepted", "accepted"]
        with service.store.transaction() as conn:
            # Their events and the orders' state are gone: a re-normalization writes them again.
            for table in (outbox, orders, order_history):
                conn.execute(delete(table))
        self.refuse_outbox_rows_of_the_refused_order(service.store)

        now = datetime.now(UTC)
        done = Renormalizer(bundled_project(), service.store, timedelta(days=1)).run(
            now - timedelta(hours=1), now + timedelta(hours=1)
        )

        assert (done.rerun, done.events, done.failing) == (2, 1, 1)
        events = self.rows(service.store, select(outbox.c.event_type, outbox.c.partition_key))
        assert events == [("OrderPaid", "tiktok:rerun-order")]

    def test_the_sqs_intake_stores_and_deletes_messages_that_do_not_map(
        self, service: IntakeService, sqs_server: MotoServer
    ) -> None:
        queue = sqs_server.new_queue()
        project = bundled_project()
        amazon = project.connector("amazon")
        assert amazon.sqs is not None
        env = {**BUNDLED_SECRETS, **sqs_server.amazon_env(queue)}
        secrets = resolve(amazon.secret_refs(), env, owner="amazon", optional=amazon.optional_secrets())
        config = resolve_sqs("amazon", amazon.sqs, env, secrets)
        assert isinstance(config, SqsConfig)
        messages = []
        for n, (when, order) in enumerate(
            [
                ("2022-11-29T19:42:04.284Z", "111-0000000-0000001"),
                ("9999-12-31T23:59:59-23:59", "111-0000000-0000002"),  # conversion overflows
                ("2022-11-29T19:42:04.284Z", "x" * 300),  # its partition key does not fit
                ("2022-11-29T19:42:04.284Z", "111-0000000-0000004"),
            ]
        ):
            payload = json.loads(json.dumps(AMAZON))
            payload["NotificationMetadata"]["NotificationId"] = f"sqs-{n}"
            change = payload["Payload"]["OrderChangeNotification"]
            change.update(OrderChangeType="OrderStatusChange", AmazonOrderId=order)
            change["OrderChangeTrigger"]["TimeOfOrderChange"] = when
            messages.append(json.dumps(payload))
        client = sqs_server.client()
        for body in [*messages, "<not json/>"]:
            client.send_message(QueueUrl=queue, MessageBody=body)

        poller = SqsPoller(config, make_client(config), amazon, service)
        tally = poller.drain()

        assert tally.received == 5 and tally.left == 0
        assert dict(tally.statuses) == {"accepted": 2, "quarantined": 3}
        assert sqs_server.counts(queue) == (0, 0)
        stored = dict(self.rows(service.store, select(inbox.c.dedupe_key, inbox.c.status)))
        not_json = [key for key in stored if key.startswith("sha256:")]
        assert stored == {
            "sqs-0": "mapped",
            "sqs-1": "quarantined",
            "sqs-2": "quarantined",
            "sqs-3": "mapped",
            not_json[0]: "quarantined",
        }


class TestIsolationOnSqlite(SqliteStack, IsolationSuite):
    refuse_outbox_row = [
        "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox "
        f"WHEN NEW.partition_key = 'tiktok:{REFUSED_ORDER}' "
        "BEGIN SELECT RAISE(ABORT, 'refused by a check of the database'); END"
    ]


class TestIsolationOnPostgres(PostgresStack, IsolationSuite):
    refuse_outbox_row = [
        "CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF NEW.partition_key = 'tiktok:{REFUSED_ORDER}' THEN "
        "RAISE EXCEPTION 'refused by a check of the database' USING ERRCODE = 'check_violation'; "
        "END IF; RETURN NEW; END $$",
        "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_outbox()",
    ]
