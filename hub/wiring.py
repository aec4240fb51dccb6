"""Build the hub's parts from Settings. Entry points (CLI, receiver, Dagster) call these."""

from __future__ import annotations

from sqlalchemy.exc import InterfaceError, OperationalError

from hub.api.accounts import Account, resolve_accounts
from hub.broker.factory import open_broker as _open_broker
from hub.broker.port import Broker
from hub.config import Settings
from hub.credentials import Secret, resolve
from hub.events import TOPICS
from hub.intake.sqs_config import SqsConfig, SqsOff, resolve_sqs
from hub.project import Project
from hub.store import Store


class Unreachable(RuntimeError):
    """The store or the broker cannot be reached: said in one line, naming the variable that points there."""


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    name = type(cause).__name__
    text = str(cause).strip().splitlines()
    if not text:
        return name
    return text[0] if text[0].startswith(name) else f"{name}: {text[0]}"


def open_store(settings: Settings, *, migrate: bool = True) -> Store:
    settings.ensure_home(settings.database_url)
    store = Store(settings.database_url)
    try:
        with store.engine.connect():
            pass
        if migrate and settings.environ.get("HUB_AUTO_MIGRATE", "1") != "0":
            store.migrate()
    except (OperationalError, InterfaceError) as exc:
        store.dispose()
        raise Unreachable(
            f"cannot reach the store {store.describe()} (HUB_DATABASE_URL): {_first_line(exc)}"
        ) from None
    return store


def open_broker(settings: Settings) -> Broker:
    settings.ensure_home(settings.broker_url)
    broker = _open_broker(
        settings.broker_url, partitions=settings.partitions, topic_prefix=settings.topic_prefix
    )
    try:
        broker.ensure_topics(TOPICS)
    except Exception as exc:  # whichever client error: the broker cannot be used, say which one
        broker.close()
        raise Unreachable(
            f"cannot reach the broker {settings.broker_url} (HUB_BROKER_URL): {_first_line(exc)}"
        ) from None
    return broker


def load_project(settings: Settings) -> Project:
    return for_environment(Project.load(settings.require_project(), settings.connectors), settings)


def for_environment(project: Project, settings: Settings) -> Project:
    """The project with what depends on the environment rather than its files: which connectors have an
    API account to fetch thin notifications with. Returns the same project."""
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
