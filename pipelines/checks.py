"""Checks an operator wants green: nothing quarantined, no dead letters, the outbox keeping up."""

from datetime import timedelta

import dagster as dg

from hub import health
from pipelines.resources import HubResource

QUARANTINE = dg.AssetSpec(
    ["hub", "quarantine"], group_name="hub", description="Payloads that did not map, kept whole."
)
DEAD_LETTERS = dg.AssetSpec(
    ["hub", "dead_letters"], group_name="hub", description="Events consumer groups gave up on."
)
OUTBOX = dg.AssetSpec(
    ["hub", "outbox"], group_name="hub", description="Committed events waiting for the relay."
)


def hub_checks(lag_threshold: timedelta) -> list[dg.AssetChecksDefinition]:
    @dg.asset_check(
        asset=QUARANTINE.key, name="quarantine_empty", description="`hub quarantine ls` is empty."
    )
    def quarantine_empty(hub: HubResource) -> dg.AssetCheckResult:
        held = health.quarantine_size(hub.store())
        return dg.AssetCheckResult(
            passed=held == 0, severity=dg.AssetCheckSeverity.WARN, metadata={"open_entries": held}
        )

    @dg.asset_check(
        asset=DEAD_LETTERS.key, name="dead_letters_empty", description="No group parked an event."
    )
    def dead_letters_empty(hub: HubResource) -> dg.AssetCheckResult:
        parked = health.dead_letters(hub.store())
        return dg.AssetCheckResult(
            passed=parked == 0, severity=dg.AssetCheckSeverity.WARN, metadata={"dead_letters": parked}
        )

    @dg.asset_check(
        asset=OUTBOX.key,
        name="outbox_lag",
        description=f"The oldest unpublished event waits less than {lag_threshold}.",
    )
    def outbox_lag(hub: HubResource) -> dg.AssetCheckResult:
        backlog = health.outbox_backlog(hub.store())
        age = backlog.age()
        return dg.AssetCheckResult(
            passed=age < lag_threshold,
            metadata={"pending": backlog.pending, "oldest_age_s": round(age.total_seconds(), 1)},
        )

    return [quarantine_empty, dead_letters_empty, outbox_lag]
