"""Free TCP ports on 127.0.0.1, picked at run time so parallel runs do not collide."""

from __future__ import annotations

import socket
from contextlib import ExitStack


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0)."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports; all sockets stay bound until every port is picked, so no repeats."""
    with ExitStack() as stack:
        ports: list[int] = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports
