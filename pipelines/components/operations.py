"""A component for everything global: outbox publishing, retention, the replay and re-normalize
backfills, dead-letter redrive and inventory reconciliation, the health checks and the run-failure
alert. Its knobs are the attributes in defs.yaml."""

from dataclasses import dataclass
from datetime import timedelta

import dagster as dg

from pipelines.alerts import failure_sensor
from pipelines.backfills import backfill_assets, backfill_jobs
from pipelines.checks import DEAD_LETTERS, OUTBOX, QUARANTINE, hub_checks
from pipelines.connector_jobs import running_schedule
from pipelines.outbox import outbox_sensor, publish_job, retention_job
from pipelines.repairs import reconcile_job, redrive_job
from pipelines.resources import RESOURCES


@dataclass
class HubOperations(dg.Component, dg.Resolvable):  # type: ignore[misc]
    """Outbox publishing and retention, replay and re-normalize backfills by day, health checks, alerts."""

    partitions_start: str = "2024-01-01"  # first day the backfills offer (UTC)
    publish_after_s: int = 60  # the sensor publishes once an event has waited this long
    sensor_interval_s: int = 30
    outbox_lag_threshold_s: int = 300
    checks_cron: str = "*/15 * * * *"
    retention_cron: str = "17 3 * * *"

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        days = dg.DailyPartitionsDefinition(start_date=self.partitions_start, timezone="UTC", end_offset=1)
        checks = hub_checks(timedelta(seconds=self.outbox_lag_threshold_s))
        checks_job = dg.define_asset_job("hub_checks", selection=dg.AssetSelection.checks(*checks))
        schedules = [
            running_schedule("hub_checks_schedule", checks_job, self.checks_cron),
            running_schedule("retention_cleanup_schedule", retention_job, self.retention_cron),
        ]
        return dg.Definitions(
            assets=[*backfill_assets(days), QUARANTINE, DEAD_LETTERS, OUTBOX],
            asset_checks=checks,
            jobs=[publish_job, retention_job, checks_job, redrive_job, reconcile_job, *backfill_jobs()],
            schedules=schedules,
            sensors=[
                outbox_sensor(timedelta(seconds=self.publish_after_s), self.sensor_interval_s),
                failure_sensor(self.sensor_interval_s),
            ],
            resources=RESOURCES,
        )
