"""The receiver holds on any input: arbitrary bytes, arbitrary JSON, every real sample mutated, arbitrary
header values and connector names. Never a 5xx (an exception escaping the app fails the test as well);
every 200 has its inbox row holding the body as sent; a refused delivery is stored nowhere. One suite,
run on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from hub.jsonio import loads
from hub.store import Store
from hub.store.tables import inbox
from tests.contract.stacks import PostgresStack, SqliteStack
from tests.support.payloads import CONNECTORS, FUZZ, JSON_VALUES, ODD_VALUES, SAMPLES, dumps, mutated_samples
from tests.support.receiver import InProcessReceiver
from tests.support.signing import signature_header, signed_headers

ANSWERS = {200, 400, 401, 404, 413}
STATUSES = {"accepted", "quarantined", "ignored", "duplicate"}
HEADER_BYTES = st.binary(max_size=300)


def inbox_count(store: Store) -> int:
    with store.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(inbox)).scalar_one())


class ReceiverFuzz:
    @pytest.fixture
    def receiver(self, store: Store) -> Iterator[InProcessReceiver]:
        with InProcessReceiver(store) as running:
            yield running

    @staticmethod
    def answered(receiver: InProcessReceiver, connector: str, body: bytes, response: httpx.Response) -> int:
        """The invariants every answer keeps; returns its status code."""
        assert response.status_code in ANSWERS, (response.status_code, response.text)
        if response.status_code != 200:
            return response.status_code
        answer = response.json()
        assert answer["status"] in STATUSES, answer
        inbox_id = answer["inbox_id"]
        if answer["status"] == "duplicate":
            inbox_id = receiver.inbox_id_of(connector, loads(body), body)
        row = receiver.inbox_row(inbox_id)
        assert row is not None, answer
        assert row["connector"] == connector
        if answer["status"] != "duplicate":
            assert row["body"] == body  # kept whole, byte for byte
        if answer["status"] == "quarantined":
            assert receiver.quarantine_reason(inbox_id), "a quarantined delivery names its reason"
        return 200

    def test_every_sample_as_it_is_is_answered_200(self, receiver: InProcessReceiver) -> None:
        for connector, name, sample in SAMPLES:
            body = dumps(sample)
            response = receiver.post_signed(connector, body)
            assert self.answered(receiver, connector, body, response) == 200, (connector, name)

    @FUZZ
    @given(case=mutated_samples())
    def test_mutated_samples_signed(self, receiver: InProcessReceiver, case: tuple[str, str, bytes]) -> None:
        connector, _, body = case
        status = self.answered(receiver, connector, body, receiver.post_signed(connector, body))
        assert status in {200, 400, 413}

    @FUZZ
    @given(connector=st.sampled_from(CONNECTORS), value=st.one_of(JSON_VALUES, ODD_VALUES))
    def test_arbitrary_json_signed(self, receiver: InProcessReceiver, connector: str, value: object) -> None:
        body = dumps(value)
        status = self.answered(receiver, connector, body, receiver.post_signed(connector, body))
        assert status in {200, 400, 413}

    @FUZZ
    @given(connector=st.sampled_from(CONNECTORS), body=st.binary(max_size=4096), signed=st.booleans())
    def test_arbitrary_bytes(
        self, receiver: InProcessReceiver, connector: str, body: bytes, signed: bool
    ) -> None:
        before = inbox_count(receiver.store)
        response = receiver.post_signed(connector, body) if signed else receiver.post(connector, body)
        status = self.answered(receiver, connector, body, response)
        if signed:
            assert status in {200, 400}
        elif signature_header(receiver.project.connector(connector)) is not None:
            assert status == 401
            assert inbox_count(receiver.store) == before

    @FUZZ
    @given(
        sample=st.sampled_from(SAMPLES),
        forged=HEADER_BYTES,
        others=st.dictionaries(
            st.sampled_from(["content-type", "traceparent", "content-length", "x-timestamp"]), HEADER_BYTES
        ),
    )
    def test_arbitrary_signature_header_is_refused_and_stores_nothing(
        self,
        receiver: InProcessReceiver,
        sample: tuple[str, str, object],
        forged: bytes,
        others: dict[str, bytes],
    ) -> None:
        connector, _, doc = sample
        header = signature_header(receiver.project.connector(connector))
        if header is None:
            return
        body = dumps(doc)
        before = inbox_count(receiver.store)
        response = receiver.post(connector, body, [(header, forged), *others.items()])
        assert self.answered(receiver, connector, body, response) in {401, 413}
        assert inbox_count(receiver.store) == before

    @FUZZ
    @given(
        sample=st.sampled_from(SAMPLES),
        others=st.dictionaries(
            st.sampled_from(["content-type", "traceparent", "x-amz-sns-message-type", "user-agent"]),
            HEADER_BYTES,
        ),
    )
    def test_arbitrary_header_values_on_a_signed_delivery(
        self, receiver: InProcessReceiver, sample: tuple[str, str, object], others: dict[str, bytes]
    ) -> None:
        connector, _, doc = sample
        body = dumps(doc)
        signed = signed_headers(receiver.project.connector(connector), body)
        headers: dict[str, str | bytes] = {**signed, **others}
        assert self.answered(receiver, connector, body, receiver.post(connector, body, headers)) == 200

    @FUZZ
    @given(name=st.text(min_size=1, max_size=80))
    def test_unknown_connector_is_404_and_lists_nothing(self, receiver: InProcessReceiver, name: str) -> None:
        if name in receiver.endpoints:
            return
        response = receiver.post(quote(name, safe=""), b"{}")
        assert response.status_code == 404, response.text
        for configured in receiver.endpoints:
            assert configured not in response.text

    @FUZZ
    @given(
        path=st.sampled_from(["/healthz", "/readyz"]),
        method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]),
        query=st.text(max_size=80),
        headers=st.dictionaries(
            st.sampled_from(["content-type", "traceparent", "accept", "authorization", "x-forwarded-for"]),
            HEADER_BYTES,
        ),
        body=st.binary(max_size=512),
    )
    def test_health_endpoints_answer_any_request_and_store_nothing(
        self,
        receiver: InProcessReceiver,
        path: str,
        method: str,
        query: str,
        headers: dict[str, bytes],
        body: bytes,
    ) -> None:
        before = inbox_count(receiver.store)
        url = f"{path}?{quote(query, safe='=&')}" if query else path
        response: httpx.Response = receiver.run(
            receiver.client.request(method, url, headers=headers, content=body)
        )
        if method in {"GET", "HEAD"}:
            assert response.status_code == 200, (method, url, response.text)
            if method == "GET":
                assert response.json()["status"] in {"ok", "ready"}
        else:
            assert response.status_code == 405, (method, url, response.text)
        assert inbox_count(receiver.store) == before


class TestFuzzOnSqlite(SqliteStack, ReceiverFuzz):
    pass


class TestFuzzOnPostgres(PostgresStack, ReceiverFuzz):
    pass
