"""A failed run becomes an alert in the hub's store, where `hub alerts` shows it."""

from typing import Any

import dagster as dg

from hub import health
from pipelines.resources import HubResource


def root_cause(error: Any) -> str:
    """The hub's own error under Dagster's "error occurred while executing" wrapper."""
    while error.cause is not None:
        error = error.cause
    return str(error.message).strip()


def describe(context: dg.RunFailureSensorContext) -> str:
    """The run's failure, with each failed step's error: what an operator needs first."""
    steps = [
        f"{event.step_key}: {root_cause(event.event_specific_data.error)}"
        for event in context.get_step_failure_events()
        if event.event_specific_data is not None and event.event_specific_data.error is not None
    ]
    return "; ".join(steps) or (context.failure_event.message or "run failed")


def source_of(run: dg.DagsterRun) -> str:
    """The job's name, or for an asset backfill's run (an implicit asset job) the assets it ran."""
    if run.job_name.startswith("__ASSET_JOB") and run.asset_selection:
        return ", ".join(sorted(key.to_user_string() for key in run.asset_selection))
    return run.job_name


def failure_sensor(interval_s: int) -> dg.SensorDefinition:
    @dg.run_failure_sensor(
        name="run_failure_alert",
        minimum_interval_seconds=interval_s,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Records every failed run as an alert (`hub alerts`).",
    )
    def run_failure_alert(context: dg.RunFailureSensorContext, hub: HubResource) -> None:
        run = context.dagster_run
        health.raise_alert(hub.store(), source_of(run), describe(context), run.run_id)

    return run_failure_alert
