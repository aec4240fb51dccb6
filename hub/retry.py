"""The hub's one backoff, for every loop that keeps a worker going through failures (the relay, consumer
groups, SQS polling, the relay's LISTEN connection) and for a consumer group's retries of a failing event.

Exponential with full jitter (a random wait between zero and the exponential bound, AWS's "full jitter"):
workers that failed together, such as every relay when the broker went away, do not come back in step.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    retry_if_not_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

# The bound of the first wait; it doubles with each failure in a row, up to the last.
FIRST_S = 0.5
LAST_S = 10.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often, and how patiently, one thing is tried: `max_attempts` in all (the first included), the
    waits between them random below a bound that starts at `first_wait_s` and doubles up to `max_wait_s`."""

    max_attempts: int = 5
    first_wait_s: float = FIRST_S
    max_wait_s: float = LAST_S


class Interrupted(Exception):
    """`stop` was set while an attempt was due: the caller leaves the thing for later."""


def _log_failure(what: str) -> Callable[[RetryCallState], None]:
    def before_sleep(state: RetryCallState) -> None:
        wait = state.next_action.sleep if state.next_action else 0.0
        exc = state.outcome.exception() if state.outcome else None
        log.warning("%s: %s; retrying in %.1f s (failure %d in a row)", what, exc, wait, state.attempt_number)

    return before_sleep


def backoff_s(failures: int) -> float:
    """The wait after `failures` failures in a row, for a loop that waits on its own (a saga retrying a
    step whose outcome was unknown): the same full-jitter exponential bound as retry_until's."""
    return random.uniform(0, min(LAST_S, FIRST_S * 2 ** max(failures - 1, 0)))


def retry_until(step: Callable[[], T], stop: threading.Event, what: str) -> T | None:
    """`step()`'s result, calling it again after each exception, with the backoff's wait in between.
    None once `stop` is set (the waits end early when it is). A later call starts from the first wait."""

    def attempt() -> T | None:
        return None if stop.is_set() else step()

    retrying = Retrying(
        retry=retry_if_exception_type(Exception),
        wait=wait_random_exponential(multiplier=FIRST_S, max=LAST_S),
        stop=lambda _state: stop.is_set(),
        sleep=stop.wait,  # type: ignore[arg-type]  # its bool is not looked at
        before_sleep=_log_failure(what),
    )
    try:
        return retrying(attempt)
    except RetryError:
        return None


def attempts(
    step: Callable[[], T],
    policy: RetryPolicy,
    stop: threading.Event,
    what: str,
    *,
    done: int = 0,
    give_up_on: tuple[type[BaseException], ...] = (),
) -> T:
    """`step()`'s result, tried until `policy.max_attempts` attempts in all have been made (`done` of them
    already, by the caller), with the backoff's waits in between. The last failure is raised, or at once
    one of `give_up_on`; Interrupted when `stop` is set before an attempt."""
    left = policy.max_attempts - done
    if left <= 0:
        raise ValueError(f"{what}: no attempt left of {policy.max_attempts}")

    def attempt() -> T:
        if stop.is_set():
            raise Interrupted(what)
        return step()

    retrying = Retrying(
        retry=retry_if_exception_type(Exception) & retry_if_not_exception_type((Interrupted, *give_up_on)),
        wait=wait_random_exponential(multiplier=policy.first_wait_s, max=policy.max_wait_s),
        stop=stop_after_attempt(left),
        sleep=stop.wait,  # type: ignore[arg-type]
        before_sleep=_log_failure(what),
        reraise=True,
    )
    return retrying(attempt)
