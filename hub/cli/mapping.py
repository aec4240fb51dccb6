"""`hub test` and `hub map`: run mappings without storing anything."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
import orjson

from hub import golden
from hub.cli.common import friendly_errors, settings
from hub.clock import utcnow
from hub.jsonio import dumps, loads
from hub.mapping.paths import MISSING, compile_path
from hub.mapping.result import Quarantined
from hub.preview import as_intake_would
from hub.project import Project, ProjectInvalid, load_project


@click.command(name="test")
@click.argument("pattern", required=False)
@click.option("--update", is_flag=True, help="Rewrite the expectations from what the mappings produce now.")
@friendly_errors
def test_mappings(pattern: str | None, update: bool) -> None:
    """Run the golden tests beside each mapping (mappings/<connector>/tests/<mapping>.yaml).

    PATTERN keeps the cases whose id (connector/mapping::case) contains it.
    """
    root = settings().require_project()
    project = Project.load(root)
    if update:
        for connector, mapping, file in golden.golden_files(root):
            if pattern and pattern not in f"{connector}/{mapping}":
                continue
            if golden.update(project, file):
                click.echo(f"updated {file}")
        return
    failed = 0
    cases = [c for c in golden.load_cases(root) if not pattern or pattern in c.id]
    for case in cases:
        problems = golden.check(project, case)
        click.echo(f"{'ok  ' if not problems else 'FAIL'} {case.id}")
        for problem in problems:
            click.echo(f"       {problem}")
        failed += bool(problems)
    click.echo(f"{len(cases) - failed} passed, {failed} failed")
    if failed or not cases:
        sys.exit(1)


@click.command(name="map")
@click.argument("connector")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--route", help="Use this mapping instead of the connector's routing (pulled records).")
@click.option("--pick", help="Map only this part of the file, e.g. $.payload.Orders[0].")
@click.option("--account", help="Account the payload belongs to; default: what intake reads from it.")
@click.option(
    "--received-at",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"]),
    help="When intake received it (ISO 8601 with offset); default now. Snapshots without a time use it.",
)
@click.option(
    "--header",
    "headers",
    multiple=True,
    metavar="NAME:VALUE",
    help="A request header of the delivery (repeat for several), for connectors that read headers.",
)
@friendly_errors
def map_file(
    connector: str,
    files: tuple[Path, ...],
    route: str | None,
    pick: str | None,
    account: str | None,
    received_at: datetime | None,
    headers: tuple[str, ...],
) -> None:
    """Print the events (or the quarantine reason) each payload would produce. Stores nothing.

    Any webhook body, queue message or API response of the connector: its shape (connector.yaml
    `shapes`) says where its records are, and a list response gives the events of every record. A file
    of no known shape is quarantined, naming the shapes tried. Several FILES are printed one after
    another, each after a `# FILE` line. Each starts with what intake would record for it (dedupe key,
    account, route). Works while other routes still lack their mapping. Exits 1 when anything is
    quarantined."""
    project, issues = load_project(settings().require_project(), [connector])
    if connector not in project.connectors:
        raise ProjectInvalid(issues)
    known = project.connectors[connector].mappings
    if route is not None and route not in known:
        raise KeyError(
            f"unknown route {route!r} for connector {connector}; known: {', '.join(sorted(known))}"
        )
    if issues:
        note = f"note: {len(issues)} problem(s) elsewhere in the project; `hub lint` lists them"
        click.echo(note, err=True)
    sent = _headers(headers)
    quarantined = False
    for file in files:
        if len(files) > 1:
            click.echo(f"# {file}")
        when = received_at or utcnow()
        quarantined |= _map_one(project, connector, file, route, pick, account, when, sent)
    if quarantined:
        sys.exit(1)


def _map_one(
    project: Project,
    connector: str,
    file: Path,
    route: str | None,
    pick: str | None,
    account: str | None,
    received_at: datetime,
    headers: dict[str, str] | None = None,
) -> bool:
    """Print one file's events and reasons; True when anything in it is quarantined."""
    body = file.read_bytes()
    payload = loads(body)
    if pick:
        payload = compile_path(pick)(payload, payload)
        if payload is MISSING:
            raise ValueError(f"--pick {pick} finds nothing in {file}")
        body = dumps(payload)
    delivery = as_intake_would(
        project,
        connector,
        payload,
        body,
        route=route,
        account=account,
        received_at=received_at,
        headers=headers,
    )
    outcomes = project.normalize_each(
        connector,
        payload,
        account=delivery.account,
        route=delivery.route,
        received_at=received_at,
        headers=delivery.headers,
    )
    routes = sorted({o.mapping for _, o in outcomes if o.mapping is not None})
    facts = {
        "dedupe_key": delivery.dedupe_key,
        "account": delivery.account,
        "route": ", ".join(routes) or None,
    }
    click.echo(f"delivery: {orjson.dumps(facts).decode()}")
    several = len(outcomes) > 1
    quarantined = False
    for label, outcome in outcomes:
        result = golden.describe(outcome)
        where = f"[{label}] " if several else ""
        for event in result.get("events", []):
            click.echo(orjson.dumps(event, option=orjson.OPT_INDENT_2).decode())
        if "quarantine" in result:
            click.echo(f"{where}quarantined: {result['quarantine']}")
            if isinstance(outcome, Quarantined) and outcome.detail.get("known"):
                click.echo(f"{where}known values: {', '.join(map(str, outcome.detail['known']))}")
            quarantined = True
        if "ignore" in result:
            click.echo(f"{where}ignored: {result['ignore']}")
    return quarantined


COMMANDS = [test_mappings, map_file]


def _headers(given: tuple[str, ...]) -> dict[str, str] | None:
    found = {}
    for text in given:
        name, colon, value = text.partition(":")
        if not colon or not name.strip():
            raise click.BadParameter(f"{text!r}: write NAME:VALUE", param_hint="--header")
        found[name.strip()] = value.strip()
    return found or None
