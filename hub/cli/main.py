"""hub: an integration hub for marketplaces. Run `hub VERB --help` for any verb."""

from __future__ import annotations

import click

from hub import logs
from hub.cli import (
    backfills,
    catalog,
    cleanup,
    dlq,
    events,
    inventory,
    maintenance,
    mapping,
    orders,
    pull,
    push,
    quarantine,
    runtime,
    sagas,
    sandbox,
    sqs,
    status,
    views,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="commerce-hub")
@click.option("-v", "--verbose", is_flag=True, help="Also the libraries' INFO lines (Alembic's among them).")
def cli(verbose: bool) -> None:
    """Receive, normalize, store and publish marketplace events.

    Configuration comes from the environment: HUB_HOME (state, default ./.hub), HUB_PROJECT (folder
    with connectors/ and mappings/, default .), HUB_DATABASE_URL and HUB_BROKER_URL (embedded SQLite
    by default), HUB_CONNECTORS (a subset of connectors), and each connector's secret variables.
    """
    logs.set_verbose(verbose)


for module in (
    runtime,
    views,
    sqs,
    events,
    quarantine,
    dlq,
    status,
    mapping,
    catalog,
    maintenance,
    cleanup,
    backfills,
    orders,
    inventory,
    sagas,
    sandbox,
    pull,
    push,
):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli(prog_name="hub")
