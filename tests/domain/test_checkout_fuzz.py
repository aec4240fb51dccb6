"""POST /checkout with whatever a client may send: a clear 4xx, never a 5xx, and nothing stored for a body
that is not a checkout."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.commerce.checkout.service import list_sagas
from hub.intake.committer import GroupCommitter
from hub.intake.service import IntakeService
from hub.receiver.app import create_app
from hub.receiver.checkout import CheckoutEndpoint
from hub.store import Store
from tests.contract.stacks import sqlite_store
from tests.domain.checkout_support import POLICY
from tests.domain.checkout_support import settings as checkout_settings
from tests.domain.support import PROJECT
from tests.support.psp import PspServer, running_psp

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
line = st.fixed_dictionaries(
    {
        "sku": st.text(max_size=300) | json_value,
        "quantity": st.integers(-5, 20_000) | json_value,
        "unit_price": st.from_regex(r"-?[0-9]{1,4}(\.[0-9]{1,3})?", fullmatch=True) | json_value,
    }
)
checkout_body = st.fixed_dictionaries(
    {
        "lines": st.lists(line, max_size=3) | json_value,
        "currency": st.sampled_from(["EUR", "eur", "EURO", 5]),
    },
    optional={"checkout_id": st.text(max_size=80) | json_value, "extra": json_value},
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store, PspServer]]:
    folder = tmp_path_factory.mktemp("fuzz")
    with running_psp(folder) as psp:
        psp.tell("*", "fail")  # a valid checkout is declined at once: 402, and nothing is held
        store = sqlite_store(Path(folder))
        endpoint = CheckoutEndpoint(store, POLICY, checkout_settings(psp.url, "orchestrated"))
        app = create_app({}, GroupCommitter(IntakeService(PROJECT, store)), checkout=endpoint)
        with TestClient(app) as test_client:
            yield test_client, store, psp
        store.dispose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=checkout_body | json_value | st.binary(max_size=200))
def test_any_body_gets_a_clear_answer(client: tuple[TestClient, Store, PspServer], body: Any) -> None:
    test_client, store, _ = client
    before = len(list_sagas(store, limit=10_000))
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = test_client.post("/checkout", content=raw, headers={"content-type": "application/json"})
    assert answer.status_code in (400, 402, 413), answer.text
    assert isinstance(answer.json(), dict)
    stored = len(list_sagas(store, limit=10_000)) - before
    assert stored == (1 if answer.status_code == 402 else 0)
