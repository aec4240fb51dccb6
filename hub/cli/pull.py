"""`hub pull`: run a connector's pull streams once, with progress; `hub pull --status`."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.progress import Progress as Bar
from rich.progress import SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from hub import logs
from hub.api.accounts import AccountOff
from hub.api.errors import ApiError
from hub.cli.common import friendly_errors, parse_time, settings
from hub.pull.lease import StreamBusy
from hub.pull.service import PullService
from hub.pull.sync import Progress
from hub.wiring import connector_secrets, load_project, open_store


def _service(no_rate_limits: bool = False) -> PullService:
    config = settings()
    project = load_project(config)
    secrets = connector_secrets(project, config)
    logs.configure(secrets=[s.reveal() for by in secrets.values() for vs in by.values() for s in vs])
    return PullService(project, open_store(config), config.environ, rate_limits=not no_rate_limits)


def _status(service: PullService) -> None:
    header = ("connector", "stream", "account", "cursor", "last run", "status", "records", "error")
    lines = [header]
    for s in service.status():
        last = s.last_finished_at or s.last_started_at
        lines.append(
            (
                s.connector,
                s.stream,
                s.account,
                s.cursor or "-",
                last.isoformat(timespec="seconds") if last else "-",
                s.last_status or "-",
                str(s.records),
                s.last_error or "",
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(len(header) - 1)]
    for row in lines:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])


@click.command()
@click.argument("connector", required=False)
@click.option("--stream", help="One stream; default: the connector's scheduled streams.")
@click.option("--account", help="One account; default: every account whose secrets are set.")
@click.option("--since", help="Pull from this time (ISO 8601 or an age like 2h) instead of the cursor.")
@click.option("--status", "show_status", is_flag=True, help="Every stream's cursor, last run and error.")
@click.option("--no-rate-limits", is_flag=True, help="Ignore the declared budgets (sandbox benchmarks only).")
@friendly_errors
def pull(
    connector: str | None,
    stream: str | None,
    account: str | None,
    since: str | None,
    show_status: bool,
    no_rate_limits: bool,
) -> None:
    """Pull CONNECTOR's streams into the intake, from each stream's cursor (or --since)."""
    service = _service(no_rate_limits)
    if show_status:
        _status(service)
        return
    if connector is None:
        raise click.UsageError("name a CONNECTOR, or use --status")
    console = Console(stderr=True)
    failures: list[str] = []
    totals = Progress()
    for stream_name, target in service.targets(connector, stream, account):
        label = f"{connector} {stream_name} ({target.name})"
        if isinstance(target, AccountOff):
            click.echo(f"{label}: off ({target.reason})", err=True)
            continue
        progress = Progress()
        with Bar(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            task = bar.add_task(label)

            def draw(p: Progress, task: TaskID = task, label: str = label) -> None:
                bar.update(
                    task,
                    description=f"{label}: {p.pages} page(s), {p.records} record(s), "
                    f"{p.accepted} new, {p.waits} rate wait(s) {p.waited_s:.1f} s",
                )

            progress.listeners.append(draw)
            try:
                service.sync(connector, stream_name, target, parse_time(since), progress)
            except (ApiError, StreamBusy) as exc:
                failures.append(f"{label}: {exc}")
        totals.pages += progress.pages
        totals.records += progress.records
        totals.accepted += progress.accepted
        totals.duplicates += progress.duplicates
        totals.waits += progress.waits
    click.echo(
        f"pulled {totals.records} record(s) in {totals.pages} page(s): {totals.accepted} new, "
        f"{totals.duplicates} already stored, {totals.waits} rate wait(s)"
    )
    for failure in failures:
        click.echo(failure, err=True)
    if failures:
        sys.exit(1)


COMMANDS = [pull]
