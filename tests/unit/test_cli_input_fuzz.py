"""The verbs that take what a person types (SKUs, order and saga ids, --line, --arg, --since, names), fed
arbitrary text: each ends with an answer or a one-line error (exit 0, 1 or 2), never a traceback. In
process (click's runner) against a real store, and the marketplace sandbox where a verb calls out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.cli.main import cli
from tests.support.hubproc import hub_env
from tests.support.sandbox import SandboxServer

FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# What argv can carry: any text but NUL (execve ends a string there).
TYPED = st.text(st.characters(exclude_characters="\x00"), max_size=40)
NAMES = st.one_of(
    TYPED, st.sampled_from(["amazon", "walmart", "tiktok", "webshop", "set_inventory", "orders"])
)
LINES = st.one_of(
    TYPED,
    st.builds(
        lambda sku, qty, price: f"{sku}:{qty}:{price}",
        TYPED,
        st.one_of(st.integers(-5, 5), TYPED),
        st.one_of(st.decimals(allow_nan=True, allow_infinity=True).map(str), TYPED),
    ),
)


@pytest.fixture
def run(tmp_path: Path, sandbox: SandboxServer) -> object:
    """`hub ARGS` in this process: every connector and the PSP pointed at the sandbox, a fresh store."""
    env = hub_env(tmp_path / "home", **sandbox.env(), HUB_PSP_URL=sandbox.url, HUB_PSP_TIMEOUT="2s")
    runner = CliRunner()

    def invoke(args: Sequence[str]) -> Result:
        result = runner.invoke(cli, list(args), env=env, catch_exceptions=True)
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        assert not crashed, f"hub {list(args)!r} crashed: {result.exception!r}\n{result.output}"
        assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
        assert "Traceback" not in result.output, result.output
        return result

    return invoke


@FUZZ
@given(sku=TYPED, location=TYPED, amount=st.integers(-(2**70), 2**70), absolute=st.booleans())
def test_inventory_verbs_take_any_sku_and_location(run, sku, location, amount, absolute) -> None:  # type: ignore[no-untyped-def]
    level = ["--on-hand", str(amount)] if absolute else ["--delta", str(amount)]
    run(["inventory", "adjust", sku, "--location", location, *level, "--reason", "manual"])
    run(["inventory", "show", sku])
    run(["inventory", "show", sku, "--json"])
    run(["inventory", "release", sku])


@FUZZ
@given(channel=NAMES, order_id=TYPED, saga_id=TYPED)
def test_order_and_saga_lookups_take_any_id(run, channel, order_id, saga_id) -> None:  # type: ignore[no-untyped-def]
    run(["orders", "show", channel, order_id])
    run(["orders", "show", channel, order_id, "--json"])
    run(["orders", "ls", "--channel", channel])
    run(["sagas", "show", saga_id, "--json"])


@FUZZ
@given(lines=st.lists(LINES, min_size=1, max_size=3), currency=TYPED, checkout_id=TYPED)
def test_checkout_takes_any_line(run, lines, currency, checkout_id) -> None:  # type: ignore[no-untyped-def]
    args = [f"--line={line}" for line in lines]
    run(["checkout", *args, "--currency", currency, "--id", checkout_id])


@FUZZ
@given(
    connector=NAMES, action=NAMES, args=st.lists(st.builds(lambda k, v: f"{k}={v}", TYPED, TYPED), max_size=3)
)
def test_push_takes_any_connector_action_and_argument(run, connector, action, args) -> None:  # type: ignore[no-untyped-def]
    run(["push", connector, action, *[f"--arg={a}" for a in args]])


@FUZZ
@given(connector=NAMES, stream=NAMES, account=TYPED, since=TYPED)
def test_pull_takes_any_connector_stream_account_and_time(run, connector, stream, account, since) -> None:  # type: ignore[no-untyped-def]
    run(["pull", connector, "--stream", stream, "--account", account, "--since", since])
