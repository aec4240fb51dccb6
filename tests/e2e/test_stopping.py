"""Every long-running verb stops cleanly on SIGTERM when started the way CI or a script starts it: as a
background job of a non-interactive shell, which begins with SIGINT ignored. A verb that is a Kafka
group member leaves its group on the way out, so a new member gets the partitions at once instead of
after the session timeout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from tests.infra import KafkaNode
from tests.support.db import rows
from tests.support.hubproc import HubCli, hub_env, wait_for
from tests.support.motoserver import MotoServer
from tests.support.paths import REPO
from tests.support.secrets import BUNDLED_SECRETS

STOP_WITHIN_S = 5.0
# A member that vanished without leaving would hold its partitions this long: far past STOP_WITHIN_S.
KAFKA_OPTIONS = "session_timeout_ms=30000&heartbeat_interval_ms=1000"
PARTITIONS = 4 * 3  # HUB_PARTITIONS x the topics orders, inventory, listings


class Background:
    """`hub ARGS` as a background job of `sh -c`, as a CI script starts it; its output in `log_file`."""

    def __init__(self, env: dict[str, str], args: list[str], log_file: Path) -> None:
        self.log_file = log_file
        script = 'exec 3>&1 >"$HUB_TEST_LOG" 2>&1; "$@" & echo $! >&3; wait $!'
        self.shell = subprocess.Popen(
            ["sh", "-c", script, "sh", sys.executable, "-m", "hub", *args],
            env={**env, "HUB_TEST_LOG": str(log_file)},
            cwd=REPO,
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert self.shell.stdout is not None
        self.pid = int(self.shell.stdout.readline())

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, float]:
        """Send `sig` to the verb, wait for the job's end; returns its exit code and the time it took."""
        began = time.monotonic()
        os.kill(self.pid, sig)
        try:
            code = self.shell.wait(STOP_WITHIN_S + 10)
        except subprocess.TimeoutExpired:
            os.killpg(self.shell.pid, signal.SIGKILL)
            self.shell.wait()
            raise AssertionError(
                f"still running {STOP_WITHIN_S + 10:.0f} s after {sig}:\n{self.output()}"
            ) from None
        return code, time.monotonic() - began

    def output(self) -> str:
        return self.log_file.read_text(errors="replace")

    def kill(self) -> None:
        if self.shell.poll() is None:
            os.killpg(self.shell.pid, signal.SIGKILL)
            self.shell.wait()


def test_a_background_job_of_a_script_starts_with_sigint_ignored() -> None:
    """What the tests below rely on: the case in which Python installs no SIGINT handler of its own."""
    out = subprocess.run(
        ["sh", "-c", "grep SigIgn /proc/self/status & wait"], capture_output=True, text=True, check=True
    ).stdout
    assert int(out.split()[1], 16) & (1 << (signal.SIGINT - 1))


@pytest.fixture
def started(home: Path) -> Iterator[list[Background]]:
    jobs: list[Background] = []
    yield jobs
    for job in jobs:
        job.kill()


@pytest.fixture
def admin(kafka: KafkaNode) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(bootstrap_servers=kafka.bootstrap)
    yield client
    client.close()


@pytest.fixture
def kafka_env(home: Path, kafka: KafkaNode) -> dict[str, str]:
    prefix = f"s{uuid.uuid4().hex[:8]}."
    return hub_env(home, HUB_BROKER_URL=f"{kafka.url}?{KAFKA_OPTIONS}", HUB_TOPIC_PREFIX=prefix)


def start(started: list[Background], env: dict[str, str], home: Path, *args: str) -> Background:
    job = Background(env, list(args), home / f"{'-'.join(args)}-{len(started)}.log")
    started.append(job)
    return job


def group_state(admin: KafkaAdminClient, group: str) -> tuple[str, int]:
    try:
        described = admin.describe_groups([group])[group]
    except KafkaError as exc:  # a fresh broker creates its offsets topic on the first group
        return type(exc).__name__, 0
    return described["group_state"], len(described["members"])


def assert_stopped(job: Background, *farewells: str) -> None:
    code, took = job.stop(signal.SIGTERM)
    output = job.output()
    assert code == 0, output
    assert took < STOP_WITHIN_S, f"took {took:.1f} s to stop\n{output}"
    last = [line for line in output.splitlines() if ": stopped on SIGTERM" in line]
    assert len(last) == 1, output
    for farewell in farewells:
        assert farewell in last[0], output
    assert "Traceback" not in output


def assert_new_member_gets_everything_at_once(kafka: KafkaNode, group: str, prefix: str) -> None:
    member = KafkaConsumer(
        bootstrap_servers=kafka.bootstrap,
        group_id=group,
        enable_auto_commit=False,
        session_timeout_ms=30000,
        heartbeat_interval_ms=1000,
    )
    try:
        member.subscribe([f"{prefix}{t}" for t in ("orders", "inventory", "listings")])
        began = time.monotonic()
        while len(member.assignment()) < PARTITIONS:
            assert time.monotonic() - began < STOP_WITHIN_S, f"{group}: a new member still waits"
            member.poll(timeout_ms=200)
    finally:
        member.close()


@pytest.mark.parametrize("verb", [["consume", "audit"], ["up"]], ids=["consume", "up"])
def test_a_group_member_stops_on_sigterm_and_leaves_its_group(
    verb: list[str],
    started: list[Background],
    kafka_env: dict[str, str],
    home: Path,
    kafka: KafkaNode,
    admin: KafkaAdminClient,
) -> None:
    prefix = kafka_env["HUB_TOPIC_PREFIX"]
    args = [*verb, "--port", str(_port())] if verb == ["up"] else verb
    job = start(started, kafka_env, home, *args)
    group = f"{prefix}audit"
    wait_for(lambda: group_state(admin, group) == ("Stable", 1), timeout=60, message=f"{group} joined")

    assert_stopped(job, "left consumer group audit")
    assert group_state(admin, group) == ("Empty", 0)
    assert_new_member_gets_everything_at_once(kafka, group, prefix)


def test_consume_once_leaves_its_group(
    kafka_env: dict[str, str], kafka: KafkaNode, admin: KafkaAdminClient
) -> None:
    prefix = kafka_env["HUB_TOPIC_PREFIX"]
    out = HubCli(kafka_env).run("consume", "audit", "--once").stdout
    assert "audit:" in out
    assert group_state(admin, f"{prefix}audit") == ("Empty", 0)
    assert_new_member_gets_everything_at_once(kafka, f"{prefix}audit", prefix)


def test_relay_stops_on_sigterm_and_hands_back_its_leases(
    started: list[Background], kafka_env: dict[str, str], home: Path
) -> None:
    job = start(started, kafka_env, home, "relay")
    held = "SELECT count(*) FROM relay_leases WHERE owner IS NOT NULL"
    wait_for(lambda: "running; stop with" in job.output(), timeout=60)
    wait_for(lambda: rows(home / "hub.db", held) == [(64,)], timeout=30)
    assert_stopped(job, "handed back its shard leases")
    assert rows(home / "hub.db", held) == [(0,)]


@pytest.mark.parametrize("verb", [["receiver"], ["cleanup"]], ids=["receiver", "cleanup"])
def test_the_other_verbs_stop_on_sigterm(verb: list[str], started: list[Background], home: Path) -> None:
    args = [*verb, "--port", str(_port())] if verb == ["receiver"] else verb
    job = start(started, hub_env(home), home, *args)
    wait_for(lambda: "running; stop with" in job.output(), timeout=60)
    assert_stopped(job)


def test_sqs_stops_on_sigterm_during_a_long_poll(
    started: list[Background], home: Path, sqs_server: MotoServer
) -> None:
    env = hub_env(home, **sqs_server.amazon_env(sqs_server.new_queue()))
    job = start(started, env, home, "sqs", "amazon")
    wait_for(lambda: "running; stop with" in job.output(), timeout=60)
    time.sleep(0.5)  # inside the 20 s long poll
    assert_stopped(job)


def _sandbox_answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _up_with_the_sandbox(started: list[Background], home: Path, sandbox_port: int) -> Background:
    env = hub_env(home)
    for name in BUNDLED_SECRETS:  # every connector talks to the sandbox
        env.pop(name, None)
    job = start(
        started,
        env,
        home,
        *("up", "--port", str(_port()), "--sandbox", "--sandbox-port", str(sandbox_port)),
        *("--sandbox-every", "0.5"),  # webhooks on their way while it stops
    )
    wait_for(lambda: "running; stop with" in job.output(), timeout=90)
    wait_for(lambda: "pull walmart orders (default): " in job.output(), timeout=60, message="a pull")
    return job


def test_up_with_the_sandbox_stops_its_pulls_fetches_and_the_sandbox(
    started: list[Background], home: Path
) -> None:
    sandbox_port = _port()
    job = _up_with_the_sandbox(started, home, sandbox_port)
    assert _sandbox_answers(sandbox_port)

    assert_stopped(job)
    assert not _sandbox_answers(sandbox_port)
    output = job.output()
    assert "did not stop within" not in output and " failed: " not in output, output


def test_a_killed_hub_up_leaves_no_sandbox_behind(started: list[Background], home: Path) -> None:
    sandbox_port = _port()
    job = _up_with_the_sandbox(started, home, sandbox_port)
    os.kill(job.pid, signal.SIGKILL)
    wait_for(lambda: not _sandbox_answers(sandbox_port), timeout=10, message="the sandbox gone")


def test_the_sandbox_alone_stops_on_sigterm(started: list[Background], home: Path) -> None:
    port = _port()
    job = start(started, hub_env(home), home, "sandbox", "--port", str(port), "--every", "0.2")
    wait_for(lambda: _sandbox_answers(port), timeout=60)
    assert_stopped(job)


def _port() -> int:
    from tests.infra import free_port

    return free_port()
