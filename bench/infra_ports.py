"""Kafka and PostgreSQL for benchmarks on ports below the kernel's ephemeral range.

tests.infra picks ports the kernel hands out for port 0, i.e. from the ephemeral range. On a machine
where something churns through short connections (an HTTP load test), thousands of sockets sit in
TIME_WAIT on those ports and a server that binds one a moment later fails with "address in use".
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.infra import KafkaNode, PostgresServer


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def quiet_ports(count: int) -> list[int]:
    top = _ephemeral_start() - 1
    picked: list[int] = []
    while len(picked) < count:
        port = random.randint(max(1024, top - 12000), top)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in picked:
            picked.append(port)
    return picked


@contextmanager
def kafka_node() -> Iterator[KafkaNode]:
    data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-kafka-"))
    port, controller = quiet_ports(2)
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
    server = PostgresServer(base, port=quiet_ports(1)[0])
    try:
        server.start()
        yield server
    finally:
        try:
            server.stop("fast")
        except RuntimeError:
            server.kill()
        shutil.rmtree(base, ignore_errors=True)
