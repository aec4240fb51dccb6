"""Each thing `hub lint` once let through is now reported with its file and line: paths in every branch,
`data` keys the event lacks, undeclared secrets, format placeholders, JSONata syntax (in mappings and
connectors, without a traceback), and golden-test files against their schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.formats import Issue
from hub.lint import lint
from hub.project import Project, ProjectInvalid
from tests.unit.test_lint_depth import copy_of_repo, edit, line_of


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_of_repo(tmp_path)


def only_issue(project: Path, file: Path) -> Issue:
    issues = lint(project)[1]
    assert [i.file for i in issues] == [file], issues
    return issues[0]


def test_a_path_under_data_by_event_is_checked(project: Path) -> None:
    file = project / "mappings" / "amazon" / "order_change.yaml"
    edit(
        file,
        'quantity: {type: int, from: "@.QuantityShipped"',
        'quantity: {type: int, from: "@.QuantityShiped"',
    )
    issue = only_issue(project, file)
    assert issue.line == line_of(file, "@.QuantityShiped")
    assert issue.path == "emit[0].data_by_event.OrderShipped.lines.item.fields.quantity.from"
    assert "'QuantityShiped' names no property" in issue.message
    assert issue.known[0] == "QuantityShipped"


def test_paths_inside_case_branches_are_checked(project: Path) -> None:
    file = project / "mappings" / "amazon" / "order_change.yaml"
    indent = " " * 16
    status = indent + "from: $.Payload.OrderChangeNotification.{}.OrderStatus\n" + indent + "value: Partially"
    edit(file, status.format("Summary"), status.format("Sumary"))
    issue = only_issue(project, file)
    assert issue.line == line_of(file, "Sumary.OrderStatus")
    assert issue.path == "emit[0].data_by_event.OrderShipped.partial.cases[0].when.from"
    assert issue.known == ("Summary",)


def test_a_data_key_the_event_has_no_field_for(project: Path) -> None:
    file = project / "mappings" / "amazon" / "order_change.yaml"
    edit(file, "      channel_status: $.Payload", "      chanel_status: $.Payload")
    edit(
        file, 'quantity: {type: int, from: "@.QuantityShipped"', 'qty: {type: int, from: "@.QuantityShipped"'
    )
    issues = [i for i in lint(project)[1] if i.file == file]
    lines = {i.line: i for i in issues}
    top = lines[line_of(file, "chanel_status")]
    assert top.message == "OrderCancelled, OrderPaid, OrderPlaced, OrderShipped have no field 'chanel_status'"
    assert "channel_status" in top.known
    nested = lines[line_of(file, "qty: {type: int")]
    assert nested.message == "ShippedLine has no field 'qty'"
    assert nested.known == ("line_id", "sku", "quantity")


def test_a_secret_the_connector_never_declared(project: Path) -> None:
    file = project / "connectors" / "walmart" / "connector.yaml"
    edit(file, "      secret: client_secret", "      secret: client_secrt")
    edit(file, '      message: "{body}"', '      message: "{body}{secret:salt}"')
    issues = [i for i in lint(project)[1] if i.file == file]
    assert {(i.line, i.message) for i in issues} == {
        (line_of(file, "secret: client_secrt"), "names no secret 'client_secrt' under secrets"),
        (line_of(file, "{secret:salt}"), "names no secret 'salt' under secrets"),
    }
    with pytest.raises(ProjectInvalid):  # `hub up` refuses with the same words, instead of dying at start
        Project.load(project)


def test_format_placeholders_must_be_bare_names_of_args(project: Path) -> None:
    file = project / "mappings" / "tiktok" / "inventory.yaml"
    edit(file, 'template: "{sku}@{warehouse}"', 'template: "{sku.id}@{warehous}"')
    (issue,) = [i for i in lint(project)[1] if i.file == file]
    assert issue.line == line_of(file, "{sku.id}@{warehous}")
    assert issue.message == "template placeholder {sku.id} must be a bare {name} of args"


def test_jsonata_syntax_errors_in_mappings_and_connectors(project: Path) -> None:
    mapping = project / "mappings" / "tiktok" / "order_status_change.yaml"
    edit(
        mapping,
        "      channel_status: $.data.order_status",
        '      channel_status: {type: jsonata, expr: "$count(data"}',
    )
    connector = project / "connectors" / "tiktok" / "connector.yaml"
    edit(connector, "  from: $.type\n", '  from: {type: jsonata, expr: "type +"}\n')
    issues = lint(project)[1]
    found = {(i.file, i.line): i.message for i in issues}
    assert found[(mapping, line_of(mapping, "$count(data"))].startswith(
        "not a JSONata expression: Expected )"
    )
    assert found[(connector, line_of(connector, "type +"))].startswith("not a JSONata expression")
    with pytest.raises(ProjectInvalid):
        Project.load(project)


def test_golden_files_follow_their_schema(project: Path) -> None:
    file = project / "mappings" / "tiktok" / "tests" / "order_status_change.yaml"
    edit(file, "  expect:\n    events:", "  expect:\n    evnts:")
    issues = [i for i in lint(project)[1] if i.file == file]
    assert issues, "a misspelt expectation must be reported"
    assert issues[0].line == line_of(file, "evnts:")
    assert "unknown field 'evnts'" in issues[0].message
