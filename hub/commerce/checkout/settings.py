"""The checkout's settings, from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from hub.config import Duration, PositiveDuration, _setting

Variant = Literal["orchestrated", "choreographed"]


@dataclass(frozen=True)
class CheckoutSettings:
    variant: Variant = "orchestrated"
    psp_url: str = "http://127.0.0.1:8090"
    psp_timeout: timedelta = timedelta(seconds=5)
    time_limit: timedelta = timedelta(minutes=10)  # a checkout not done by then is compensated
    auth_margin: timedelta = timedelta(hours=1)  # compensated this long before its authorization expires

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CheckoutSettings:
        return cls(
            variant=_setting(env, "HUB_CHECKOUT", "orchestrated", Variant),
            # Unset: the sandbox's PSP, on the port `hub up --sandbox` gives the sandbox.
            psp_url=env.get("HUB_PSP_URL") or f"http://127.0.0.1:{env.get('HUB_SANDBOX_PORT') or 8090}",
            psp_timeout=_setting(env, "HUB_PSP_TIMEOUT", "5s", PositiveDuration),
            time_limit=_setting(env, "HUB_CHECKOUT_TIME_LIMIT", "10m", PositiveDuration),
            auth_margin=_setting(env, "HUB_PSP_AUTH_MARGIN", "1h", Duration),
        )
