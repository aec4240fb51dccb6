"""Backfills by day, launched from the UI over a date range: replay events into a consumer group, and
re-normalize stored payloads with the current mappings. One run covers the whole range."""

from datetime import UTC, datetime
from typing import Any

import dagster as dg
from pydantic import Field

from pipelines.resources import HubResource

REPLAY = dg.AssetKey(["hub", "event_replay"])
RENORMALIZE = dg.AssetKey(["hub", "inbox_renormalization"])


class ReplayConfig(dg.Config):  # type: ignore[misc]
    # Not required by the schema: a required field makes the UI skip its range-backfill dialog (with its
    # Config section) for the one-partition launchpad. The op refuses a replay without a group.
    group: str = Field(default="", description="The consumer group to replay into; `hub groups` lists them.")


class RenormalizeConfig(dg.Config):  # type: ignore[misc]
    connector: str | None = Field(default=None, description="Only this connector's payloads; default: all.")


def _window(context: dg.AssetExecutionContext) -> tuple[datetime, datetime]:
    window = context.partition_time_window
    return window.start.astimezone(UTC), window.end.astimezone(UTC)


def backfill_assets(days: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(
        key=REPLAY,
        partitions_def=days,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="backfills",
        description="Events whose event time falls on these days, applied to the configured consumer "
        "group; events it already applied are skipped (`hub replay`).",
    )
    def event_replay(
        context: dg.AssetExecutionContext, config: ReplayConfig, hub: HubResource
    ) -> dg.MaterializeResult:
        from hub.consumers.discovery import group, groups
        from hub.replay import replay

        if not config.group:
            raise dg.Failure(f"say which consumer group to replay into (config group): {', '.join(groups())}")
        done = replay(hub.store(), hub.broker(), group(config.group), *_window(context))
        return dg.MaterializeResult(
            metadata={"group": done.group, "events": done.matched, "applied": done.applied}
        )

    @dg.asset(
        key=RENORMALIZE,
        partitions_def=days,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="backfills",
        description="Payloads received on these days mapped again with the current mappings: quarantined "
        "ones retried, stored ones give only events they had not given (`hub renormalize`).",
    )
    def inbox_renormalization(
        context: dg.AssetExecutionContext, config: RenormalizeConfig, hub: HubResource
    ) -> dg.MaterializeResult:
        from hub.intake.renormalize import Renormalizer

        done = Renormalizer(hub.project(), hub.store(), hub.settings().retention).run(
            *_window(context), connector=config.connector
        )
        return dg.MaterializeResult(
            metadata={
                "events": done.events,
                "resolved": done.resolved,
                "still_quarantined": done.still_quarantined,
                "rerun": done.rerun,
                "too_old": done.too_old,
            }
        )

    return [event_replay, inbox_renormalization]


def backfill_jobs() -> list[Any]:
    return [
        dg.define_asset_job("replay_events", selection=[REPLAY], description="Replay events by day."),
        dg.define_asset_job(
            "renormalize_inbox", selection=[RENORMALIZE], description="Re-normalize stored payloads by day."
        ),
    ]
