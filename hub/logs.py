"""Logging set-up for every entry point, with secret values scrubbed from every record."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from hub.credentials import RedactingFilter

_verbose = False


def set_verbose(on: bool) -> None:
    """`hub --verbose`: also the libraries' INFO lines (Alembic's migration steps among them)."""
    global _verbose
    _verbose = on


def configure(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
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
