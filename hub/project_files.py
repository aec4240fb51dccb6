"""Reading a project's files: each YAML document checked against its JSON Schema, then parsed into its
model, every problem an Issue with file and line; the connector folders, the secrets a connector names, the
inventory policy and the connectors' declarations alone."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hub.connectors.signatures import secret_names
from hub.connectors.spec import ConnectorSpec, SqsIntake, WebhookIntake
from hub.domain.policy import InventoryPolicy
from hub.formats import Issue, check_document, dotted, unique
from hub.model_errors import model_errors
from hub.yamlpos import Located, load


class ProjectInvalid(Exception):
    def __init__(self, issues: Sequence[Issue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


def read_document(path: Path, kind: str, issues: list[Issue]) -> Located | None:
    try:
        doc = load(path.read_text())
    except Exception as exc:  # a YAML syntax error: report it and go on with the other files
        mark = getattr(exc, "problem_mark", None)
        issues.append(Issue(path, (mark.line + 1) if mark else 1, "", f"not valid YAML: {exc}"))
        return None
    found = check_document(kind, doc, path)  # type: ignore[arg-type]
    issues.extend(found)
    return None if found else doc


def parse_model(model: type[Any], doc: Located, path: Path, issues: list[Issue]) -> Any:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:  # the JSON Schema passed, so this is a rule the schema cannot say
        for loc, message in model_errors(exc, doc.data):
            issues.append(Issue(path, doc.line_of(loc), dotted(loc), message))
        return None


def credential_issues(spec: ConnectorSpec, doc: Located, path: Path) -> list[Issue]:
    """Every secret the connector names must be declared under `secrets:` (else intake dies at start)."""
    found = []
    for at, secret in _secret_uses(spec):
        if secret not in spec.secrets:
            message = f"names no secret {secret!r} under secrets"
            found.append(Issue(path, doc.line_of(at), dotted(at), message, tuple(spec.secrets)))
    return found


def _secret_uses(spec: ConnectorSpec) -> list[tuple[tuple[str | int, ...], str]]:
    uses: list[tuple[tuple[str | int, ...], str]] = []
    for index, intake in enumerate(spec.intake):
        if isinstance(intake, SqsIntake) and intake.credentials is not None:
            for field_name, secret in intake.credentials.model_dump().items():
                if secret is not None:
                    uses.append((("intake", index, "credentials", field_name), secret))
        elif isinstance(intake, WebhookIntake):
            signature = intake.signature
            named = {
                f: getattr(signature, f) for f in ("secret", "username", "password") if hasattr(signature, f)
            }
            for secret in secret_names(signature):
                field_name = next((f for f, v in named.items() if v == secret), "message")
                uses.append((("intake", index, "signature", field_name), secret))
    return uses


def connector_folders(root: Path, only: Sequence[str] | None, issues: list[Issue]) -> list[Path]:
    folders = sorted(p.parent for p in (root / "connectors").glob("*/connector.yaml"))
    if only:
        unknown = set(only) - {f.name for f in folders}
        if unknown:
            issues.append(
                Issue(
                    root / "connectors",
                    1,
                    "",
                    f"unknown connector(s) {sorted(unknown)}",
                    tuple(f.name for f in folders),
                )
            )
        folders = [f for f in folders if f.name in only]
    return folders


def read_inventory_policy(root: Path, issues: list[Issue]) -> InventoryPolicy:
    path = root / "inventory.yaml"
    if not path.exists():
        return InventoryPolicy()
    doc = read_document(path, "inventory", issues)
    policy: InventoryPolicy | None = parse_model(InventoryPolicy, doc, path, issues) if doc else None
    return policy or InventoryPolicy()


def inventory_policy(root: Path) -> InventoryPolicy:
    """The project's inventory.yaml alone (an empty policy without one); ProjectInvalid when it is wrong."""
    issues: list[Issue] = []
    policy = read_inventory_policy(root, issues)
    if issues:
        raise ProjectInvalid(issues)
    return policy


def connector_specs(root: Path, only: Sequence[str] | None = None) -> dict[str, ConnectorSpec]:
    """Each connector's declarations, checked as `hub lint` checks them, without compiling its mappings:
    what the Dagster code location reads. ProjectInvalid names file, line and field."""
    issues: list[Issue] = []
    specs: dict[str, ConnectorSpec] = {}
    for folder in connector_folders(root, only, issues):
        path = folder / "connector.yaml"
        doc = read_document(path, "connector", issues)
        spec: ConnectorSpec | None = parse_model(ConnectorSpec, doc, path, issues) if doc else None
        if spec is not None:
            specs[spec.name] = spec
    if issues:
        raise ProjectInvalid(unique(issues))
    return specs
