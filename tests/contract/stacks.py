"""The stores and brokers every contract suite runs against. A suite is a base class of tests; each
stack is a subclass that only says how to open its store and broker (faststream's pattern)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.broker.factory import open_broker
from hub.broker.port import Broker
from hub.events import TOPICS
from hub.store import Store
from tests.infra import KafkaNode, PostgresServer, fresh_database


def sqlite_store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path}/hub.db")
    store.migrate()
    return store


def postgres_store(server: PostgresServer) -> Store:
    store = Store(fresh_database(server, f"t_{uuid.uuid4().hex[:12]}"))
    store.migrate()
    return store


def embedded_broker(tmp_path: Path, partitions: int = 4) -> Broker:
    broker = open_broker(f"sqlite:///{tmp_path}/log.db", partitions=partitions)
    broker.ensure_topics(TOPICS)
    return broker


def kafka_broker(node: KafkaNode, partitions: int = 4) -> Broker:
    # A fresh prefix per test: topics and group ids of one test never meet another's on the shared broker.
    broker = open_broker(node.url, partitions=partitions, topic_prefix=f"t{uuid.uuid4().hex[:10]}.")
    broker.ensure_topics(TOPICS)
    return broker


class SqliteStack:
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = sqlite_store(tmp_path)
        yield store
        store.dispose()


class PostgresStack:
    @pytest.fixture
    def store(self, postgres: PostgresServer) -> Iterator[Store]:
        store = postgres_store(postgres)
        yield store
        store.dispose()


class EmbeddedStack:
    @pytest.fixture
    def broker(self, tmp_path: Path) -> Iterator[Broker]:
        broker = embedded_broker(tmp_path)
        yield broker
        broker.close()


class KafkaStack:
    @pytest.fixture
    def broker(self, kafka: KafkaNode) -> Iterator[Broker]:
        broker = kafka_broker(kafka)
        yield broker
        broker.close()
