"""Free TCP ports on 127.0.0.1 for servers the tests start, picked below the kernel's ephemeral range.

The kernel's pick for port 0 comes from the ephemeral range, the same range every outgoing connection
uses. On a machine that churns through short connections (an HTTP load test, a busy test run), thousands
of sockets sit in TIME_WAIT there, and a server that binds such a port a moment later fails with
"address in use". Ports just below that range are never handed out for outgoing connections.
"""

from __future__ import annotations

import random
import socket
from contextlib import ExitStack
from pathlib import Path

_SPAN = 12_000


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports; every socket stays bound until all are picked, so no repeats."""
    top = _ephemeral_start() - 1
    low = max(1024, top - _SPAN)
    with ExitStack() as stack:
        ports: list[int] = []
        while len(ports) < count:
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            try:
                sock.bind(("127.0.0.1", random.randint(low, top)))
            except OSError:
                continue
            ports.append(sock.getsockname()[1])
        return ports
