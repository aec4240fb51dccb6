"""A real single-node Kafka broker for tests and benchmarks, run through ``deploy/kafka/*.sh``."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.infra._proc import DEPLOY_DIR, kill_group, run_script, tail
from tests.infra.ports import free_ports

KAFKA_DEPLOY = DEPLOY_DIR / "kafka"

# start.sh waits up to 60 s for the port itself; the rest covers a cold jar fetch from Maven Central.
_START_SCRIPT_TIMEOUT = 600.0
_STOP_SCRIPT_TIMEOUT = 60.0


class KafkaNode:
    """One combined KRaft broker+controller on 127.0.0.1 whose data lives in ``data_dir``.

    ``restart()`` reuses the data dir and ports, so topics and records survive it.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        controller_port: int | None = None,
        partitions: int = 4,
    ) -> None:
        if port is None or controller_port is None:
            picked = free_ports(2)
            port = port if port is not None else picked[0]
            controller_port = controller_port if controller_port is not None else picked[1]
        self._data_dir = Path(data_dir)
        self.port = port
        self.controller_port = controller_port
        self.partitions = partitions

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self._data_dir / "kafka.log"

    @property
    def pid(self) -> int | None:
        """The broker's pid, which is also its process group id; None when not started."""
        try:
            return int((self._data_dir / "kafka.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def start(self) -> None:
        """Start the broker and return once its port accepts connections; RuntimeError if it cannot."""
        try:
            run_script(
                [
                    KAFKA_DEPLOY / "start.sh",
                    self._data_dir,
                    str(self.port),
                    str(self.controller_port),
                    str(self.partitions),
                ],
                what=f"Kafka broker on {self.bootstrap} failed to start",
                timeout=_START_SCRIPT_TIMEOUT,
                log_file=self.log_file,
            )
        except RuntimeError:
            # If only the script timed out, the broker may still be coming up: do not leak it.
            self.kill()
            raise

    def stop(self) -> None:
        """SIGTERM the broker's process group, SIGKILL after 15 s (deploy/kafka/stop.sh)."""
        run_script(
            [KAFKA_DEPLOY / "stop.sh", self._data_dir],
            what=f"Kafka broker on {self.bootstrap} failed to stop",
            timeout=_STOP_SCRIPT_TIMEOUT,
        )

    def restart(self) -> None:
        self.stop()
        self.start()

    def kill(self) -> None:
        """SIGKILL the whole broker process group at once, as a crash would; data on disk stays."""
        pid = self.pid
        if pid is not None:
            kill_group(pid)
        with suppress(FileNotFoundError):
            (self._data_dir / "kafka.pid").unlink()

    def log_tail(self, lines: int = 40) -> str:
        return tail(self.log_file, lines)

    def __repr__(self) -> str:
        return f"KafkaNode(bootstrap={self.bootstrap!r}, data_dir={str(self._data_dir)!r})"


@contextmanager
def running_kafka(partitions: int = 4) -> Iterator[KafkaNode]:
    """A started broker on free ports with a fresh data dir; stopped and the dir removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="hub-kafka-"))
    node = KafkaNode(data_dir, partitions=partitions)
    try:
        node.start()
        yield node
    finally:
        try:
            node.stop()
        except RuntimeError:
            node.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
