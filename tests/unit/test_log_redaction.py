"""What reaches the log: secret values never, not in a message, an exception's message, a traceback's
source line or a stack; SQL parameters (payload values: personal data) never in a store error."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from hub import logs
from hub.store import Store

SECRET = "s3cr3t-value-in-a-traceback"


@pytest.fixture(params=["json", "text"])
def output(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """What the hub's configured log handler writes (to stderr in a process; here, to a buffer), in each
    HUB_LOG_FORMAT."""
    monkeypatch.setenv("HUB_LOG_FORMAT", request.param)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    logs.configure(secrets=[SECRET])
    buffer = io.StringIO()
    assert isinstance(root.handlers[0], logging.StreamHandler)
    root.handlers[0].setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def fail_with_the_secret() -> None:
    # The traceback shows this source line as well as the message.
    raise RuntimeError("upstream refused token " + "s3cr3t-value-in-a-traceback")


def test_a_secret_in_an_exception_and_its_traceback_is_redacted(output: io.StringIO) -> None:
    log = logging.getLogger("hub.test")
    try:
        fail_with_the_secret()
    except RuntimeError:
        log.exception("call failed")
    log.warning("stack here", stack_info=True)
    log.error("message with %s", SECRET)

    written = output.getvalue()
    assert SECRET not in written
    err = written
    if os.environ["HUB_LOG_FORMAT"] == "json":  # one object per line: what a person reads is in its fields
        err = "\n".join(str(v) for line in written.splitlines() for v in json.loads(line).values())
    assert "Traceback (most recent call last)" in err
    assert "RuntimeError: upstream refused token ***" in err
    assert 'raise RuntimeError("upstream refused token " + "***")' in err
    assert "message with ***" in err
    assert "Stack (most recent call last)" in err
    assert SECRET not in err


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sql_parameters_never_appear_in_a_store_error(backend: str, request: pytest.FixtureRequest) -> None:
    if backend == "sqlite":
        store = Store(f"sqlite:///{request.getfixturevalue('tmp_path')}/hub.db")
    else:
        store = Store(request.getfixturevalue("postgres").url)
    try:
        with pytest.raises(Exception) as failed, store.transaction() as conn:
            conn.execute(text("SELECT :email FROM no_such_table"), {"email": "buyer@example.com"})
        assert "buyer@example.com" not in str(failed.value)
        assert "SQL parameters hidden" in str(failed.value)
    finally:
        store.dispose()
