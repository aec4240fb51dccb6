"""A hub project: the connectors and mappings under one folder, validated and compiled."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hub.connectors.api_lint import api_issues
from hub.connectors.catalog_rules import catalog_issues
from hub.connectors.envelopes import (
    Unwrap,
    UnwrapWithHeaders,
    compile_envelopes,
    compile_envelopes_with_headers,
)
from hub.connectors.routing import STORED_VALUE, compile_lookup
from hub.connectors.shapes import Records, Split, compile_shapes
from hub.connectors.signatures import secret_names
from hub.connectors.sources import Headers, Read, compile_source
from hub.connectors.spec import ConnectorSpec, SqsIntake, WebhookIntake
from hub.domain.policy import InventoryPolicy
from hub.formats import Issue, check_document, dotted, unique
from hub.mapping.compiler import CompiledMapping, compile_mapping, unexpected
from hub.mapping.context import Context
from hub.mapping.convert import canonical
from hub.mapping.errors import MappingError
from hub.mapping.limits import check_depth
from hub.mapping.parts import Parts, headers_read, problems
from hub.mapping.paths import MISSING
from hub.mapping.result import Deferred, Ignored, Outcome, Quarantined
from hub.mapping.spec import MappingSpec
from hub.model_errors import model_errors
from hub.outcomes import combine
from hub.yamlpos import Located, load

log = logging.getLogger(__name__)


class ProjectInvalid(Exception):
    def __init__(self, issues: Sequence[Issue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


@dataclass(frozen=True)
class Connector:
    spec: ConnectorSpec
    folder: Path
    mappings: dict[str, CompiledMapping]
    routing_value: Read  # the routing field's (or header's) value
    unwrap: Unwrap
    split: Split
    unwrap_headers: UnwrapWithHeaders
    lookup: Callable[[Any], str | Ignored]
    parts: Parts = field(default_factory=Parts)
    enrich_keys: dict[str, Read] = field(default_factory=dict)  # route -> the key of its fetch

    @property
    def kept_headers(self) -> tuple[str, ...]:
        """The request headers the mappings read: intake keeps them with each stored delivery. Never the
        header that carries the signature or token (`hub lint` reports a mapping that reads it)."""
        secret = (self.secret_header or "").lower()
        return tuple(h for h in headers_read(self.parts.mappings) if h.lower() != secret)

    @property
    def secret_header(self) -> str | None:
        """The request header that carries the webhook's signature, token or password."""
        webhook = self.webhook
        return getattr(webhook.signature, "header", None) if webhook is not None else None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def webhook(self) -> WebhookIntake | None:
        return next((i for i in self.spec.intake if isinstance(i, WebhookIntake)), None)

    @property
    def sqs(self) -> SqsIntake | None:
        return next((i for i in self.spec.intake if isinstance(i, SqsIntake)), None)

    def secret_refs(self) -> dict[str, list[str]]:
        return {name: ref.variables() for name, ref in self.spec.secrets.items()}

    def optional_secrets(self) -> set[str]:
        return {name for name, ref in self.spec.secrets.items() if ref.optional}


@dataclass
class Project:
    root: Path
    connectors: dict[str, Connector] = field(default_factory=dict)
    inventory: InventoryPolicy = field(default_factory=InventoryPolicy)  # the project's inventory.yaml
    # Connectors whose `enrich` fetches can run (an API account has its secrets): their thin payloads
    # are deferred to the fetch. Elsewhere (no credentials, `hub map`, golden cases) they map as they are.
    enrichable: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, root: Path, only: Sequence[str] | None = None) -> Project:
        project, issues = load_project(root, only)
        if issues:
            raise ProjectInvalid(issues)
        return project

    def connector(self, name: str) -> Connector:
        try:
            return self.connectors[name]
        except KeyError:
            raise KeyError(
                f"unknown connector {name!r}; known: {', '.join(sorted(self.connectors))}"
            ) from None

    def normalize(
        self,
        connector: str,
        payload: Any,
        *,
        account: str | None = None,
        route: str | None = None,
        received_at: datetime | None = None,
        headers: Headers | None = None,
    ) -> Outcome:
        """Map one payload: recognise its shape, route each record, check it, map it, validate the drafts.
        A list response gives the events of every record; one record that fails quarantines the payload
        whole, naming the record. `headers` are the delivery's (those intake keeps). Pure: no I/O."""
        return combine(
            self.normalize_each(
                connector, payload, account=account, route=route, received_at=received_at, headers=headers
            )
        )

    def normalize_each(
        self,
        connector: str,
        payload: Any,
        *,
        account: str | None = None,
        route: str | None = None,
        received_at: datetime | None = None,
        headers: Headers | None = None,
    ) -> list[tuple[str, Outcome]]:
        """Each record's outcome, labelled with where the record sits in the payload. `route` maps the
        whole payload with that mapping (a pulled record whose stream knows its route)."""
        c = self.connector(connector)
        try:
            check_depth(payload)
            payload, recorded = c.unwrap_headers(payload)
        except MappingError as exc:
            return [("$", Quarantined(None, exc.summary(), exc.detail()))]
        # A recorded delivery's own headers, else the delivery's.
        headers = recorded if recorded is not None else headers
        ctx = Context(connector, account, route, received_at, headers)
        if route is not None and route.startswith(STORED_VALUE):
            return [("$", _looked_up(c, route[len(STORED_VALUE) :], payload, ctx))]
        if route is not None:
            return [("$", _apply(c, route, payload, ctx))]
        try:
            found = c.split(payload)
        except MappingError as exc:
            return [("$", Quarantined(None, exc.summary(), exc.detail()))]
        except Exception as exc:  # a gap in the bounds of hub/mapping/limits.py
            log.exception("recognising a %s payload failed unexpectedly", connector)
            return [("$", Quarantined(None, unexpected(exc)))]
        enrich = connector in self.enrichable
        if found is None:
            return [("$", _routed(c, payload, ctx, enrich))]
        if not found.items:
            return [("$", Ignored(None, f"{found.shape}: the response holds no records"))]
        return [(label, _record(c, found, record, ctx, enrich)) for label, record in found.items]


def _apply(c: Connector, route: str, payload: Any, ctx: Context, value: str | None = None) -> Outcome:
    mapping = c.mappings.get(route)
    if mapping is None:
        return Quarantined(None, f"route {route!r} names no mapping in mappings/{c.name}/")
    ctx = Context(ctx.connector, ctx.account, route, ctx.received_at, ctx.headers, value)
    return mapping.apply(payload, ctx, depth_checked=True)


def _looked_up(c: Connector, value: str, payload: Any, ctx: Context) -> Outcome:
    """A delivery routed at intake by a header: its stored value goes through the routing table."""
    try:
        chosen = c.lookup(value)
    except MappingError as exc:
        return Quarantined(None, exc.summary(), exc.detail())
    return chosen if isinstance(chosen, Ignored) else _apply(c, chosen, payload, ctx, value)


def _routed(c: Connector, payload: Any, ctx: Context, enrich: bool = False) -> Outcome:
    try:
        raw = c.routing_value(payload, ctx, ctx.headers)
        chosen = c.lookup(raw)
    except MappingError as exc:
        return Quarantined(None, exc.summary(), exc.detail())
    except Exception as exc:  # a gap in the bounds of hub/mapping/limits.py
        log.exception("routing a %s payload failed unexpectedly", c.name)
        return Quarantined(None, unexpected(exc))
    if isinstance(chosen, Ignored):
        return chosen
    if enrich and chosen in c.enrich_keys:
        return _deferred(c, chosen, payload, ctx)
    return _apply(c, chosen, payload, ctx, canonical(raw) if raw is not MISSING and raw is not None else None)


def _deferred(c: Connector, route: str, payload: Any, ctx: Context) -> Outcome:
    """A thin payload whose events come from the connector's `enrich` fetch of its key."""
    fetch = c.spec.enrich[route]
    try:
        key = c.enrich_keys[route](payload, ctx, ctx.headers)
    except MappingError as exc:
        return Quarantined(route, exc.describe(), exc.detail())
    if key is MISSING or key is None or key == "":
        return Quarantined(route, f"enrich.{route}.key is missing from the payload")
    value = canonical(key)
    return Deferred(route, value, f"completed by {fetch.operation} of {value}")


def _record(c: Connector, found: Records, record: Any, ctx: Context, enrich: bool = False) -> Outcome:
    if found.target.ignore is not None:
        return Ignored(None, f"{found.shape}: {found.target.ignore}")
    if found.target.route is not None:
        return _apply(c, found.target.route, record, ctx)
    return _routed(c, record, ctx, enrich)


def _read(path: Path, kind: str, issues: list[Issue]) -> Located | None:
    try:
        doc = load(path.read_text())
    except Exception as exc:  # a YAML syntax error: report it and go on with the other files
        mark = getattr(exc, "problem_mark", None)
        issues.append(Issue(path, (mark.line + 1) if mark else 1, "", f"not valid YAML: {exc}"))
        return None
    found = check_document(kind, doc, path)  # type: ignore[arg-type]
    issues.extend(found)
    return None if found else doc


def _parse(model: type[Any], doc: Located, path: Path, issues: list[Issue]) -> Any:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:  # the JSON Schema passed, so this is a rule the schema cannot say
        for loc, message in model_errors(exc, doc.data):
            issues.append(Issue(path, doc.line_of(loc), dotted(loc), message))
        return None


def _read_mappings(mapping_dir: Path, issues: list[Issue]) -> dict[str, tuple[Path, Located, MappingSpec]]:
    specs: dict[str, tuple[Path, Located, MappingSpec]] = {}
    for file in sorted(mapping_dir.glob("*.yaml")):
        doc = _read(file, "mapping", issues)
        spec: MappingSpec | None = _parse(MappingSpec, doc, file, issues) if doc else None
        if spec is not None and doc is not None:
            specs[file.stem] = (file, doc, spec)
    return specs


def _compile_mappings(
    read: dict[str, tuple[Path, Located, MappingSpec]], parts: Parts, issues: list[Issue]
) -> dict[str, CompiledMapping]:
    """Compile each mapping, after its includes and lookups are checked against the connector's parts."""
    mappings: dict[str, CompiledMapping] = {}
    for name, (file, doc, spec) in read.items():
        found = problems(name, spec, parts)
        for problem in found:
            loc = problem.loc
            issues.append(Issue(file, doc.line_of(loc), dotted(loc), problem.message, problem.known))
        if found:
            continue
        try:
            mappings[name] = compile_mapping(name, file, spec, parts.folder, parts)
        except (OSError, ValueError) as exc:
            issues.append(Issue(file, doc.line_of(("input", "schema")), "input.schema", str(exc)))
    return mappings


def _load_connector(folder: Path, issues: list[Issue]) -> Connector | None:
    path = folder / "connector.yaml"
    mapping_dir = folder.parent.parent / "mappings" / folder.name
    read = _read_mappings(mapping_dir, issues)
    doc = _read(path, "connector", issues)
    spec: ConnectorSpec | None = _parse(ConnectorSpec, doc, path, issues) if doc else None
    # Mappings are checked even when the connector file is broken: lint reports everything at once.
    tables = spec.lookups if spec is not None else {}
    files = frozenset(p.stem for p in mapping_dir.glob("*.yaml"))
    parts = Parts({name: entry[2] for name, entry in read.items()}, tables, folder, files)
    mappings = _compile_mappings(read, parts, issues)
    if spec is None or doc is None:
        return None
    if spec.name != folder.name:
        issues.append(
            Issue(path, doc.line_of(("name",)), "name", f"must equal the folder name {folder.name!r}")
        )
        return None
    known = set(mappings) | {p.stem for p in mapping_dir.glob("*.yaml")}
    issues.extend(catalog_issues(spec, doc, path, known))
    for value, target in spec.routing.routes.items():
        if target not in mappings and not (mapping_dir / f"{target}.yaml").exists():
            issues.append(
                Issue(
                    path,
                    doc.line_of(("routing", "routes", value)),
                    f"routing.routes.{value}",
                    f"no mapping file mappings/{spec.name}/{target}.yaml",
                    tuple(sorted(mappings)),
                )
            )
    issues.extend(_credential_issues(spec, doc, path))
    issues.extend(api_issues(spec, doc, path, known))
    return Connector(
        spec=spec,
        folder=folder,
        mappings=mappings,
        routing_value=compile_source(spec.routing.from_),
        unwrap=compile_envelopes(spec.name, spec.envelopes),
        unwrap_headers=compile_envelopes_with_headers(spec.name, spec.envelopes),
        lookup=compile_lookup(spec.routing, spec.catalog),
        enrich_keys={route: compile_source(fetch.key) for route, fetch in spec.enrich.items()},
        split=compile_shapes(spec.name, spec.shapes, spec.catalog),
        parts=parts,
    )


def _credential_issues(spec: ConnectorSpec, doc: Located, path: Path) -> list[Issue]:
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


def _folders(root: Path, only: Sequence[str] | None, issues: list[Issue]) -> list[Path]:
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


def load_project(root: Path, only: Sequence[str] | None = None) -> tuple[Project, list[Issue]]:
    issues: list[Issue] = []
    project = Project(root)
    for folder in _folders(root, only, issues):
        connector = _load_connector(folder, issues)
        if connector is not None:
            project.connectors[connector.name] = connector
    project.inventory = _inventory_policy(root, issues)
    return project, unique(issues)


def _inventory_policy(root: Path, issues: list[Issue]) -> InventoryPolicy:
    path = root / "inventory.yaml"
    if not path.exists():
        return InventoryPolicy()
    doc = _read(path, "inventory", issues)
    policy: InventoryPolicy | None = _parse(InventoryPolicy, doc, path, issues) if doc else None
    return policy or InventoryPolicy()


def inventory_policy(root: Path) -> InventoryPolicy:
    """The project's inventory.yaml alone (an empty policy without one); ProjectInvalid when it is wrong."""
    issues: list[Issue] = []
    policy = _inventory_policy(root, issues)
    if issues:
        raise ProjectInvalid(issues)
    return policy


def connector_specs(root: Path, only: Sequence[str] | None = None) -> dict[str, ConnectorSpec]:
    """Each connector's declarations, checked as `hub lint` checks them, without compiling its mappings:
    what the Dagster code location reads. ProjectInvalid names file, line and field."""
    issues: list[Issue] = []
    specs: dict[str, ConnectorSpec] = {}
    for folder in _folders(root, only, issues):
        path = folder / "connector.yaml"
        doc = _read(path, "connector", issues)
        spec: ConnectorSpec | None = _parse(ConnectorSpec, doc, path, issues) if doc else None
        if spec is not None:
            specs[spec.name] = spec
    if issues:
        raise ProjectInvalid(unique(issues))
    return specs
