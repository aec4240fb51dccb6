"""Kafka and PostgreSQL for benchmarks: throwaway servers in temporary folders, on the quiet ports that
tests.infra picks (below the kernel's ephemeral range, away from TIME_WAIT churn)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.infra import KafkaNode, PostgresServer, free_port, free_ports


@contextmanager
def kafka_node() -> Iterator[KafkaNode]:
    data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-kafka-"))
    port, controller = free_ports(2)
    node = KafkaNode(data_dir, port=port, controller_port=controller)
    try:
        node.start()
        yield node
    finally:
        try:
            node.stop()
        except RuntimeError:
            node.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    # Under /tmp and owned by `postgres` when we are root, as tests.infra does it.
    base = Path(tempfile.mkdtemp(prefix="hub-bench-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    server = PostgresServer(base, port=free_port())
    try:
        server.start()
        yield server
    finally:
        try:
            server.stop("fast")
        except RuntimeError:
            server.kill()
        shutil.rmtree(base, ignore_errors=True)
