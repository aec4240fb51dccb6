"""Build the hub's parts from Settings. Entry points (CLI, receiver, Dagster) call these."""

from __future__ import annotations

from hub.api.accounts import Account, resolve_accounts
from hub.broker.factory import open_broker as _open_broker
from hub.broker.port import Broker
from hub.config import Settings
from hub.credentials import Secret, resolve
from hub.events import TOPICS
from hub.intake.sqs_config import SqsConfig, SqsOff, resolve_sqs
from hub.project import Project
from hub.store import Store


def open_store(settings: Settings, *, migrate: bool = True) -> Store:
    settings.ensure_home()
    store = Store(settings.database_url)
    if migrate and settings.environ.get("HUB_AUTO_MIGRATE", "1") != "0":
        store.migrate()
    return store


def open_broker(settings: Settings) -> Broker:
    settings.ensure_home()
    broker = _open_broker(
        settings.broker_url, partitions=settings.partitions, topic_prefix=settings.topic_prefix
    )
    broker.ensure_topics(TOPICS)
    return broker


def load_project(settings: Settings) -> Project:
    project = Project.load(settings.project, settings.connectors)
    project.enrichable = {
        name
        for name, connector in project.connectors.items()
        if connector.spec.enrich
        and any(isinstance(a, Account) for a in resolve_accounts(connector.spec, settings.environ))
    }
    return project


def connector_secrets(project: Project, settings: Settings) -> dict[str, dict[str, list[Secret]]]:
    """Resolve every connector's secrets up front: a missing one stops start-up, naming the variable."""
    from hub.credentials import MissingSecret

    resolved: dict[str, dict[str, list[Secret]]] = {}
    problems = []
    for name, connector in sorted(project.connectors.items()):
        try:
            resolved[name] = resolve(
                connector.secret_refs(),
                settings.environ,
                owner=f"connector {name}",
                optional=connector.optional_secrets(),
            )
        except MissingSecret as exc:
            problems.append(str(exc).removeprefix("missing secret environment variable(s): "))
    if problems:
        raise MissingSecret(
            "missing secret environment variable(s): "
            + ", ".join(problems)
            + ". Set them, or limit the connectors with HUB_CONNECTORS."
        )
    return resolved


def sqs_intakes(
    project: Project, settings: Settings, secrets: dict[str, dict[str, list[Secret]]]
) -> list[SqsConfig | SqsOff]:
    """Every connector's SQS intake, resolved: configured, or off with the reason."""
    found: list[SqsConfig | SqsOff] = []
    for name, connector in sorted(project.connectors.items()):
        if connector.sqs is not None:
            found.append(resolve_sqs(name, connector.sqs, settings.environ, secrets.get(name, {})))
    return found
