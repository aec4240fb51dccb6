"""`hub replay`, `hub renormalize` and `hub alerts`: the verbs behind the Dagster backfills and the
run-failure sensor, for a person at a terminal."""

from __future__ import annotations

from datetime import UTC, date, datetime

import click
import orjson

from hub.cli.common import friendly_errors, parse_time, settings
from hub.wiring import load_project, open_broker, open_store


def _moment(value: str) -> datetime:
    """A day (2026-03-01, UTC midnight), an ISO 8601 time with offset, or an age like 2d."""
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    except ValueError:
        moment = parse_time(value)
        assert moment is not None
        return moment


FROM = click.option("--from", "start", required=True, help="First day (UTC) or time included.")
TO = click.option("--to", "end", required=True, help="First day or time NOT included.")


@click.command()
@click.argument("group_name", metavar="GROUP")
@FROM
@TO
@friendly_errors
def replay(group_name: str, start: str, end: str) -> None:
    """Apply to GROUP the events whose event time is in [--from, --to); events it applied before are
    skipped. The Dagster backfill `replay_events` does the same per day."""
    from hub.consumers.discovery import group
    from hub.replay import replay as run

    config = settings()
    done = run(open_store(config), open_broker(config), group(group_name), _moment(start), _moment(end))
    click.echo(
        f"{done.group}: {done.matched} event(s) in the window, {done.applied} applied, "
        f"{done.skipped} already applied"
    )


@click.command()
@FROM
@TO
@click.option("--connector", help="Only this connector's payloads.")
@friendly_errors
def renormalize(start: str, end: str, connector: str | None) -> None:
    """Map the payloads received in [--from, --to) again with the current mappings: quarantined ones are
    retried, stored ones give only events they had not given. The Dagster backfill `renormalize_inbox`
    does the same per day."""
    from hub.intake.renormalize import Renormalizer

    config = settings()
    renormalizer = Renormalizer(load_project(config), open_store(config), config.retention)
    done = renormalizer.run(_moment(start), _moment(end), connector)
    click.echo(
        f"{done.events} new event(s); quarantine: {done.retried} retried, {done.resolved} resolved, "
        f"{done.still_quarantined} still held; {done.rerun} stored payload(s) mapped again"
        + (f", {done.too_old} older than HUB_RETENTION left alone" if done.too_old else "")
    )


@click.command()
@click.option("--limit", default=20, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def alerts(limit: int, as_json: bool) -> None:
    """Recent alerts, newest first: failed Dagster runs with their error."""
    from hub.health import recent_alerts

    found = recent_alerts(open_store(settings()), limit)
    for a in found:
        if as_json:
            click.echo(
                orjson.dumps(
                    {
                        "id": a.id,
                        "source": a.source,
                        "run_id": a.run_id,
                        "message": a.message,
                        "raised_at": a.raised_at.isoformat(),
                    }
                )
            )
        else:
            run = f" run {a.run_id}" if a.run_id else ""
            click.echo(f"{a.id:>5}  {a.raised_at:%Y-%m-%dT%H:%M:%SZ}  {a.source}{run}: {a.message}")
    if not found and not as_json:
        click.echo("no alerts")


COMMANDS = [replay, renormalize, alerts]
