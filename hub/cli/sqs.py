"""`hub sqs`: poll one connector's SQS queue (what `hub up` runs in a thread, as its own process)."""

from __future__ import annotations

import sys

import click

from hub import logs
from hub.cli.common import friendly_errors, settings
from hub.config import Settings
from hub.credentials import Secret, resolve
from hub.intake.service import IntakeService
from hub.intake.sqs import SqsPoller
from hub.intake.sqs_config import SqsOff, SqsSettingError, make_client
from hub.project import Project
from hub.supervisor import Part, supervise
from hub.wiring import open_store, sqs_intakes


@click.command(name="sqs")
@click.argument("connector")
@click.option("--once", is_flag=True, help="Receive until the queue answers empty, then exit.")
@friendly_errors
def sqs(connector: str, once: bool) -> None:
    """Move CONNECTOR's SQS messages into the inbox; each is deleted only after it is stored.

    Run it beside `hub receiver` when the webhook receiver runs apart; `hub up` polls on its own.
    """
    config = settings()
    project = Project.load(config.require_project(), [connector])
    intake = project.connector(connector).sqs
    if intake is None:
        raise SqsSettingError(f"connector {connector} has no sqs intake")
    # Only the queue's own credentials: the webhook's secrets are not this process's business.
    wanted = set(intake.credentials.model_dump().values()) if intake.credentials else set()
    secrets = {connector: _secrets(project, config, connector, wanted)}
    logs.configure(secrets=[s.reveal() for named in secrets.values() for vs in named.values() for s in vs])
    queue = sqs_intakes(project, config, secrets)[0]
    if isinstance(queue, SqsOff):
        raise SqsSettingError(f"connector {connector}: the SQS intake is off: {queue.reason}")
    store = open_store(config)
    poller = SqsPoller(queue, make_client(queue), project.connector(connector), IntakeService(project, store))
    try:
        if once:
            click.echo(f"{connector}: {poller.drain()}")
            return
        code = supervise(f"hub sqs {connector}", [Part(f"sqs-{connector}", poller.run)])
    finally:
        store.dispose()
    sys.exit(code)


def _secrets(project: Project, config: Settings, connector: str, wanted: set[str]) -> dict[str, list[Secret]]:
    c = project.connector(connector)
    refs = {name: envs for name, envs in c.secret_refs().items() if name in wanted}
    return resolve(refs, config.environ, owner=f"connector {connector}", optional=c.optional_secrets())


COMMANDS = [sqs]
