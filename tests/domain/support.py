"""Deliveries built from the golden cases' inputs (real marketplace samples), and a real intake on them."""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, datetime
from typing import Any

from hub import golden
from hub.intake.delivery import Delivery, Receipt
from hub.intake.service import IntakeService
from hub.jsonio import dumps
from hub.project import Project
from tests.support.paths import REPO

PROJECT = Project.load(REPO)
CASES = {case.id: case for case in golden.load_cases(REPO)}
_ids = itertools.count(1)


def case_input(case_id: str) -> tuple[Any, str | None]:
    """The case's payload and the route intake would store with it (None: routed by its content)."""
    case = CASES[case_id]
    spec = case.spec["input"]
    route = None if spec.get("routed") else spec.get("route", case.mapping)
    return copy.deepcopy(golden.build_input(case)), route


def delivery(
    connector: str, payload: Any, *, route: str | None = None, account: str | None = None
) -> Delivery:
    """`payload` as a new delivery (its own dedupe key: a marketplace sending the update again)."""
    return Delivery(
        connector=connector,
        body=dumps(payload),
        payload=payload,
        dedupe_key=f"test-{next(_ids)}",
        received_at=datetime(2026, 3, 1, tzinfo=UTC),
        account=account,
        route=route,
    )


def accept(service: IntakeService, d: Delivery) -> Receipt:
    (receipt,) = service.accept([d])
    assert isinstance(receipt, Receipt), receipt
    return receipt
