"""Launchers for real infrastructure (Kafka, PostgreSQL) shared by pytest fixtures and benchmark scripts.

They drive the scripts in ``deploy/`` so there is one way to run each component, for people and tests.
"""

from tests.infra.kafka import KafkaNode, running_kafka
from tests.infra.ports import free_port, free_ports
from tests.infra.postgres import PostgresServer, fresh_database, running_postgres

__all__ = [
    "KafkaNode",
    "PostgresServer",
    "free_port",
    "free_ports",
    "fresh_database",
    "running_kafka",
    "running_postgres",
]
