"""What the JSON Schema cannot say about a connector's `api`, `streams`, `enrich` and `actions`: every name
they use exists (secrets, operations, mappings), each problem with its file and line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hub.api.accounts import auth_secrets
from hub.connectors.spec import ConnectorSpec
from hub.formats import Issue, dotted
from hub.pull.records import page_shape
from hub.yamlpos import Located


def api_issues(spec: ConnectorSpec, doc: Located, path: Path, mappings: set[str]) -> list[Issue]:
    def issue(at: tuple[str | int, ...], message: str, known: tuple[str, ...]) -> Issue:
        return Issue(path, doc.line_of(at), dotted(at), message, known)

    found: list[Issue] = []
    secrets = tuple(spec.secrets)
    operations = tuple(spec.api.operations) if spec.api else ()
    for at, name in _secret_uses(spec):
        if name not in spec.secrets:
            found.append(issue(at, f"names no secret {name!r} under secrets", secrets))
    uses: list[tuple[tuple[str | int, ...], str]] = [
        (("streams", s, "operation"), st.operation) for s, st in spec.streams.items()
    ]
    uses += [
        (("streams", s, "attach", i, "operation"), a.operation)
        for s, st in spec.streams.items()
        for i, a in enumerate(st.attach)
    ]
    uses += [(("enrich", r, "operation"), f.operation) for r, f in spec.enrich.items()]
    uses += [(("actions", a, "operation"), act.operation) for a, act in spec.actions.items()]
    for at, operation in uses:
        if spec.api is None:
            found.append(issue(at, "needs an `api` block declaring its operations", ()))
        elif operation not in spec.api.operations:
            found.append(issue(at, f"names no operation {operation!r} under api.operations", operations))
    shaped = [(("streams", n), st.shape, st.route) for n, st in spec.streams.items()]
    shaped += [(("enrich", r), f.shape, f.route) for r, f in spec.enrich.items()]
    for at, shape, route in shaped:
        try:
            chosen = page_shape(spec, shape, route).route
        except ValueError as exc:
            found.append(issue((*at, "shape"), str(exc), tuple(s.name for s in spec.shapes)))
            continue
        if chosen not in mappings:
            where = (*at, "route") if route else (*at, "shape")
            found.append(
                issue(where, f"no mapping file mappings/{spec.name}/{chosen}.yaml", tuple(sorted(mappings)))
            )
    return found


def _secret_uses(spec: ConnectorSpec) -> Iterator[tuple[tuple[str | int, ...], str]]:
    api = spec.api
    if api is None:
        return
    for name in auth_secrets(api.auth):
        field = next(
            f
            for f in ("client_id", "client_secret", "refresh_token", "secret")
            if getattr(api.auth, f, None) == name
        )
        yield ("api", "auth", field), name
    if api.signing is not None:
        yield ("api", "signing", "secret"), api.signing.secret
    for account, declared in api.accounts.items():
        for role, name in declared.secrets.items():
            yield ("api", "accounts", account, "secrets", role), name
