"""Verbs that look after the hub itself: schemas, database migrations, lint."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hub.cli.common import friendly_errors, settings
from hub.events import schemas as event_schemas
from hub.formats import Kind, format_schema
from hub.wiring import open_store

FORMAT_DIR = Path(__file__).resolve().parent.parent / "schemas"


@click.group()
def schemas() -> None:
    """Event and YAML-format JSON Schemas kept in the repository."""


@schemas.command(name="export")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=event_schemas.SCHEMA_DIR,
    show_default=True,
    help="Where the event schemas are kept.",
)
def export_schemas(directory: Path) -> None:
    """Write the current event schemas and the connector/mapping format schemas."""
    written = event_schemas.export(directory)
    kinds: tuple[Kind, ...] = ("connector", "mapping")
    for kind in kinds:
        path = FORMAT_DIR / f"{kind}.schema.json"
        text = event_schemas.render(format_schema(kind))
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"{len(written)} file(s) changed")


@schemas.command(name="check")
@click.option(
    "--dir", "directory", type=click.Path(path_type=Path), default=event_schemas.SCHEMA_DIR, show_default=True
)
def check_schemas(directory: Path) -> None:
    """Fail when an event schema changed incompatibly with its committed version."""
    findings = event_schemas.check(directory)
    for f in findings:
        click.echo(f"{'BREAKING' if f.breaking else 'stale':<8} {f.file}: {f.message}")
    if any(f.breaking for f in findings):
        click.echo(
            "incompatible change: keep the old fields, or raise VERSION for a new schema file", err=True
        )
        sys.exit(1)
    if findings:
        sys.exit(1)
    click.echo("event schemas match the committed versions")


@click.group()
def db() -> None:
    """The store's schema migrations (Alembic), on SQLite or PostgreSQL."""


@db.command()
@friendly_errors
def upgrade() -> None:
    """Migrate the store named by HUB_DATABASE_URL to the newest schema."""
    store = open_store(settings(), migrate=False)
    store.migrate()
    click.echo(f"{store.describe()} is at the newest schema")


@db.command()
@friendly_errors
def current() -> None:
    """Print the store's current migration revision."""
    from hub.store.migrate import current as revision

    click.echo(revision(open_store(settings(), migrate=False).engine) or "empty")


@click.command()
@friendly_errors
def lint() -> None:
    """Check every connector and mapping file; print every problem with file and line."""
    from hub.lint import lint as run_lint

    project, issues = run_lint(settings().project)
    for issue in issues:
        click.echo(str(issue))
    if issues:
        click.echo(f"{len(issues)} problem(s)", err=True)
        sys.exit(1)
    mappings = sum(len(c.mappings) for c in project.connectors.values())
    click.echo(f"{len(project.connectors)} connector(s), {mappings} mapping(s): no problems")


COMMANDS = [schemas, db, lint]
