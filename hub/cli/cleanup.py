"""`hub cleanup`: retention for the outbox and the consumer groups' dedupe rows."""

from __future__ import annotations

import sys

import click

from hub import logs
from hub.cli.common import friendly_errors, settings
from hub.retention import Cleaner, cleanup
from hub.supervisor import Part, supervise
from hub.wiring import open_store


@click.command(name="cleanup")
@click.option("--once", is_flag=True, help="One pass, then exit; default: every HUB_CLEANUP_EVERY.")
@friendly_errors
def cleanup_verb(once: bool) -> None:
    """Delete published outbox rows and consumer_inbox rows older than HUB_RETENTION (default 7d).

    `hub relay` and `hub up` already do this every HUB_CLEANUP_EVERY (default 10m). Keep HUB_RETENTION
    longer than any replay you may run: a group re-applies a replayed event whose dedupe row is gone.
    """
    logs.configure()
    config = settings()
    store = open_store(config)
    if once:
        done = cleanup(store, config.retention)
        click.echo(
            f"deleted {done.outbox} outbox row(s) and {done.consumer_inbox} consumer_inbox row(s) "
            f"older than {config.retention} in {done.seconds:.2f} s"
        )
        return
    cleaner = Cleaner(store, config.retention, config.cleanup_every)
    try:
        code = supervise("hub cleanup", [Part("cleanup", cleaner.run)])
    finally:
        store.dispose()
    sys.exit(code)


COMMANDS = [cleanup_verb]
