"""Quarantine reasons a person can act on: they name the order line a bad value sits in, and they keep the
values a table knows in the structured detail, so a reason (and a golden case that expects it) does not
change when the table grows."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub import golden
from hub.mapping.result import Quarantined
from hub.project import Project
from tests.support.paths import REPO
from tests.unit.test_mapping_oracle import oracle_of


@pytest.fixture(scope="module", params=["generated", "oracle"])
def project(request: pytest.FixtureRequest) -> Project:
    loaded = Project.load(REPO)
    return loaded if request.param == "generated" else oracle_of(loaded)


def case(name: str) -> golden.Case:
    (found,) = [c for c in golden.load_cases(REPO) if c.id == name]
    return found


def test_a_bad_line_status_names_the_line(project: Project) -> None:
    outcome = golden.run(project, case("walmart/po_created::unknown_line_status_is_quarantined"))
    assert isinstance(outcome, Quarantined)
    assert outcome.reason == "unknown value 'Acknowledged' at @.status in $.payload.orderLines[1]"
    assert outcome.detail["items"] == [{"from": "$.payload.orderLines", "index": 1}]
    assert outcome.detail["known"] == ["Created", "CREATED", "Cancelled", "CANCELLED"]


def test_a_bad_line_in_a_list_names_the_line(project: Project) -> None:
    outcome = golden.run(project, case("walmart/return_order::unknown_refund_status_is_quarantined"))
    assert isinstance(outcome, Quarantined)
    assert outcome.reason.endswith(" in $.returnOrderLines[0]")
    assert "; known:" not in outcome.reason and "REFUND_FAILED" in outcome.reason


def test_the_reason_does_not_change_when_the_table_grows(tmp_path: Path) -> None:
    import shutil

    for folder in ("connectors", "mappings"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    mapping = tmp_path / "mappings" / "tiktok" / "order_status_change.yaml"
    text = mapping.read_text()
    wanted = case("tiktok/order_status_change::unknown_status_is_quarantined")
    before = golden.run(Project.load(REPO, ["tiktok"]), wanted)
    mapping.write_text(
        text.replace(
            "        UNPAID: OrderPlaced", "        UNPAID: OrderPlaced\n        NEW_STATUS: OrderPlaced"
        )
    )
    grown = golden.Case(
        wanted.connector, wanted.mapping, tmp_path / wanted.file.relative_to(REPO), wanted.index, wanted.spec
    )
    after = golden.run(Project.load(tmp_path, ["tiktok"]), grown)
    assert isinstance(before, Quarantined) and isinstance(after, Quarantined)
    assert before.reason == after.reason
    assert "NEW_STATUS" in after.detail["known"] and "NEW_STATUS" not in before.detail["known"]
    assert golden.check(Project.load(tmp_path, ["tiktok"]), grown) == []
