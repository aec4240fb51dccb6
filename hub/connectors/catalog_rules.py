"""What loading a project checks in a connector's `shapes` and `catalog`: every entry maps to a route or is
ignored with a reason, names mappings, shapes and samples that exist, and entries that share a shape
route it the same way."""

from __future__ import annotations

from pathlib import Path

from hub.connectors.spec import ConnectorSpec
from hub.formats import Issue, dotted
from hub.yamlpos import Located


def catalog_issues(spec: ConnectorSpec, doc: Located, path: Path, mappings: set[str]) -> list[Issue]:
    issues: list[Issue] = []
    shapes = {s.name for s in spec.shapes}
    seen: dict[tuple[str, str], int] = {}
    by_shape: dict[str, tuple[int, str | None, str | None]] = {}
    samples = path.parent / "samples"

    def issue(index: int, field: str | None, message: str, known: tuple[str, ...] = ()) -> None:
        at: tuple[str | int, ...] = ("catalog", index) + ((field,) if field else ())
        issues.append(Issue(path, doc.line_of(at), dotted(at), message, known))

    for index, entry in enumerate(spec.catalog):
        label = f"{entry.kind} {entry.name!r}"
        if entry.route is None and entry.ignore is None:
            issue(index, None, f"{label} has neither route nor ignore: map it or say why it is ignored")
        if entry.route is not None and entry.ignore is not None:
            issue(index, "ignore", f"{label} has both a route and an ignore reason")
        if entry.route is not None and entry.route not in mappings:
            message = f"no mapping file mappings/{spec.name}/{entry.route}.yaml"
            issue(index, "route", message, tuple(sorted(mappings)))
        key = (entry.kind, entry.name)
        if key in seen:
            issue(index, "name", f"{label} is listed twice (first at catalog[{seen[key]}])")
        seen.setdefault(key, index)
        if entry.kind != "operation":
            if entry.shape is not None:
                issue(index, "shape", f"{label}: only operations name a shape (routing finds the others)")
            if entry.name in spec.routing.routes or entry.name in spec.routing.ignore:
                issue(index, "name", f"{label} is also in routing.routes/ignore: keep it in one place")
        elif entry.shape is None and entry.route is not None:
            issue(index, "shape", f"{label} is routed but names no shape its response is recognised by")
        if entry.shape is not None:
            if entry.shape not in shapes:
                issue(index, "shape", f"unknown shape {entry.shape!r}", tuple(sorted(shapes)))
            first = by_shape.setdefault(entry.shape, (index, entry.route, entry.ignore))
            if first[1] != entry.route or (first[2] is None) != (entry.ignore is None):
                issue(index, "route", f"{label} routes shape {entry.shape!r} unlike catalog[{first[0]}]")
        for n, sample in enumerate(entry.samples):
            if not (samples / sample).is_file():
                at = ("catalog", index, "samples", n)
                issues.append(Issue(path, doc.line_of(at), dotted(at), f"no file samples/{sample}"))
    return issues
