"""The hub as a Dagster resource: settings from the HUB_* variables, the store and the broker, opened
once per run or sensor tick and closed after it."""

from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import PrivateAttr

from hub.config import Settings

if TYPE_CHECKING:
    from hub.broker.port import Broker
    from hub.project import Project
    from hub.store import Store


class HubResource(dg.ConfigurableResource):  # type: ignore[misc]
    """The same settings, store and broker the `hub` command opens."""

    _settings: Settings | None = PrivateAttr(default=None)
    _store: Any = PrivateAttr(default=None)
    _broker: Any = PrivateAttr(default=None)

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env()
        return self._settings

    def store(self) -> "Store":
        from hub.wiring import open_store

        if self._store is None:
            self._store = open_store(self.settings())
        return self._store  # type: ignore[no-any-return]

    def broker(self) -> "Broker":
        from hub.wiring import open_broker

        if self._broker is None:
            self._broker = open_broker(self.settings())
        return self._broker  # type: ignore[no-any-return]

    def project(self) -> "Project":
        from hub.wiring import load_project

        return load_project(self.settings())

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._broker is not None:
            self._broker.close()
        if self._store is not None:
            self._store.dispose()


RESOURCES = {"hub": HubResource()}
