"""A real SQS-compatible server for the tests: moto's server mode on a loopback port, in its own process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import httpx

from tests.infra.ports import free_port

REGION = "us-east-1"
# moto accepts any credentials; these are test values, distinct enough to be searched for in logs.
ACCESS_KEY_ID = "AKIATESTAMAZONHUB0001"
SECRET_ACCESS_KEY = "test-amazon-aws-secret-access-key-0001"


class MotoServer:
    def __init__(self, log_file: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> MotoServer:
        script = Path(sys.executable).with_name("moto_server")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "moto.server"]
        self._log = self.log_file.open("wb")
        self.process = subprocess.Popen(
            [*command, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"moto_server exited {self.process.returncode}: {self.log_file.read_text()}"
                )
            try:
                if httpx.get(f"{self.url}/moto-api/", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto_server did not answer on {self.url}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()

    def client(self) -> Any:
        return boto3.session.Session().client(
            "sqs",
            region_name=REGION,
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    def new_queue(self, visibility_timeout_s: int = 30) -> str:
        """A queue of its own for one test, so tests never see each other's messages."""
        name = f"amazon-notifications-{uuid.uuid4().hex[:12]}"
        answer = self.client().create_queue(
            QueueName=name, Attributes={"VisibilityTimeout": str(visibility_timeout_s)}
        )
        return str(answer["QueueUrl"])

    def amazon_env(self, queue_url: str, wait_time_s: int = 1) -> dict[str, str]:
        """What an operator sets for connectors/amazon's SQS intake."""
        return {
            "AMAZON_SQS_QUEUE_URL": queue_url,
            "AMAZON_SQS_ENDPOINT_URL": self.url,
            "AMAZON_SQS_REGION": REGION,
            "AMAZON_SQS_WAIT_TIME_S": str(wait_time_s),
            "AMAZON_AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AMAZON_AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        }

    def counts(self, queue_url: str) -> tuple[int, int]:
        """(visible, in flight) messages of a queue."""
        attributes = self.client().get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return (
            int(attributes["ApproximateNumberOfMessages"]),
            int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        )
