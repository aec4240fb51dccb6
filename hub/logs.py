"""Logging set-up for every entry point: one JSON object per line (python-json-logger) with the trace and
span ids of the current span, secret values scrubbed from every record. HUB_LOG_FORMAT=text gives plain
lines for a person at a terminal. Payloads are never logged at INFO: log what happened and to what
(delivery id, event id, key), not the body."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from hub import tracing
from hub.credentials import RedactingFilter

_verbose = False


def set_verbose(on: bool) -> None:
    """`hub --verbose`: also the libraries' INFO lines (Alembic's migration steps among them)."""
    global _verbose
    _verbose = on


_FIELDS = ("asctime", "levelname", "name", "message")


class TraceIds(logging.Filter):
    """Put the current span's trace and span ids on the record (absent outside any span)."""

    def filter(self, record: logging.LogRecord) -> bool:
        ids = tracing.current_ids()
        if ids is not None:
            record.trace_id, record.span_id = ids
        return True


def formatter(kind: str) -> logging.Formatter:
    if kind == "text":
        return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return JsonFormatter(
        _FIELDS,
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        timestamp=False,
        json_ensure_ascii=False,
        # uvicorn adds its message again with terminal colours: not for a log line.
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
    )


def configure(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(os.environ.get("HUB_LOG_FORMAT", "json")))
    # Redaction first: the ids filter leaves the message alone, the formatter sees it scrubbed.
    handler.addFilter(RedactingFilter(secrets))
    handler.addFilter(TraceIds())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # kafka-python logs each refused connection and retried request at ERROR; the relay and the consumer
    # groups report what matters (a failed publish, a failing group) themselves.
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    # botocore logs request details at DEBUG and credential sources at INFO: neither belongs in our logs.
    # httpx logs every request URL at INFO; token requests carry credentials in theirs (TikTok).
    for name in ("botocore", "boto3", "urllib3", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # "1 change detected": hub.reload says more
    # Alembic says which plugins it loaded and which migration context it uses on every start.
    logging.getLogger("alembic").setLevel(logging.INFO if _verbose else logging.WARNING)
