"""Verbs that look after the hub itself: schemas, database migrations, lint."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hub.cli.common import friendly_errors, settings
from hub.events import reference
from hub.events import schemas as event_schemas
from hub.formats import Kind, format_schema
from hub.wiring import open_store

FORMAT_DIR = Path(__file__).resolve().parent.parent / "schemas"


@click.group()
def schemas() -> None:
    """Event and YAML-format JSON Schemas kept in the repository."""


def _format_schemas(folder: Path) -> list[tuple[Path, str]]:
    """The published connector, mapping, golden-test, inventory and consumer group format schemas, as
    `export` writes them."""
    kinds: tuple[Kind, ...] = ("connector", "mapping", "golden", "inventory", "consumer")
    return [(folder / f"{k}.schema.json", event_schemas.render(format_schema(k))) for k in kinds]


FORMAT_DIR_OPTION = click.option(
    "--format-dir",
    type=click.Path(path_type=Path),
    default=FORMAT_DIR,
    show_default=True,
    help="Where the connector, mapping and golden-test format schemas are kept.",
)


@schemas.command(name="export")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=event_schemas.SCHEMA_DIR,
    show_default=True,
    help="Where the event schemas are kept.",
)
@FORMAT_DIR_OPTION
def export_schemas(directory: Path, format_dir: Path) -> None:
    """Write the current event schemas, the connector/mapping format schemas and docs/events.md."""
    written = event_schemas.export(directory)
    for path, text in _format_schemas(format_dir):
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    if reference.write():
        written.append(reference.DOCS_PAGE)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"{len(written)} file(s) changed")


@schemas.command(name="check")
@click.option(
    "--dir", "directory", type=click.Path(path_type=Path), default=event_schemas.SCHEMA_DIR, show_default=True
)
@FORMAT_DIR_OPTION
def check_schemas(directory: Path, format_dir: Path) -> None:
    """Fail when an event schema changed incompatibly with its committed version, or when a committed
    schema (event or YAML format) is out of date."""
    findings = event_schemas.check(directory)
    for path, text in _format_schemas(format_dir):
        if not path.exists() or path.read_text() != text:
            findings.append(
                event_schemas.Finding(path.name, False, "format changed: run `hub schemas export`")
            )
    if reference.stale():
        page = "docs/events.md"
        findings.append(event_schemas.Finding(page, False, "out of date: run `hub schemas export`"))
    for f in findings:
        click.echo(f"{'BREAKING' if f.breaking else 'stale':<8} {f.file}: {f.message}")
    if any(f.breaking for f in findings):
        click.echo(
            "incompatible change: keep the old fields, or raise VERSION for a new schema file", err=True
        )
        sys.exit(1)
    if findings:
        sys.exit(1)
    click.echo("event and format schemas match the committed versions")


@schemas.command(name="asyncapi")
@click.option(
    "--out", type=click.Path(path_type=Path), help="Write it to this file (YAML if it ends in .yaml)."
)
def asyncapi(out: Path | None) -> None:
    """An AsyncAPI 3.0 document of the topics, their keys and every event's schema (with HUB_TOPIC_PREFIX)."""
    import yaml

    from hub.events.asyncapi import document

    doc = document(settings().topic_prefix)
    text = (
        yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        if out is not None and out.suffix in (".yaml", ".yml")
        else event_schemas.render(doc)
    )
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text)
    click.echo(f"wrote {out}")


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

    project, issues = run_lint(settings().require_project())
    for issue in issues:
        click.echo(str(issue))
    if issues:
        click.echo(f"{len(issues)} problem(s)", err=True)
        sys.exit(1)
    mappings = sum(len(c.mappings) for c in project.connectors.values())
    click.echo(f"{len(project.connectors)} connector(s), {mappings} mapping(s): no problems")


COMMANDS = [schemas, db, lint]
