"""Outbox publishing on demand (a sensor starts it when events wait; `hub relay` stays the low-latency
path) and retention cleanup on a schedule: the services of `hub relay --once` and `hub cleanup --once`."""

from datetime import timedelta

import dagster as dg

from hub import health
from pipelines.resources import RESOURCES, HubResource

IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


@dg.op(name="publish_outbox_op")
def publish(context: dg.OpExecutionContext, hub: HubResource) -> None:
    from hub.relay.service import RelayService

    published = RelayService(hub.store(), hub.broker(), hub.settings()).drain()
    context.log.info(f"published {published} event(s)")


@dg.job(
    name="publish_outbox",
    description="Publish committed outbox events (`hub relay --once`).",
    resource_defs=RESOURCES,
)
def publish_job() -> None:
    publish()


@dg.op(name="retention_cleanup_op")
def clean(context: dg.OpExecutionContext, hub: HubResource) -> None:
    from hub.retention import cleanup

    done = cleanup(hub.store(), hub.settings().retention)
    context.log.info(f"deleted {done.outbox} outbox and {done.consumer_inbox} consumer_inbox row(s)")


@dg.job(
    name="retention_cleanup",
    description="Delete published outbox and dedupe rows older than HUB_RETENTION (`hub cleanup --once`).",
    resource_defs=RESOURCES,
)
def retention_job() -> None:
    clean()


def outbox_sensor(waiting: timedelta, interval_s: int) -> dg.SensorDefinition:
    @dg.sensor(
        name="outbox_waiting",
        job=publish_job,
        minimum_interval_seconds=interval_s,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Starts publish_outbox when an event has waited longer than {waiting}.",
    )
    def outbox_waiting(context: dg.SensorEvaluationContext, hub: HubResource) -> dg.SensorResult:
        backlog = health.outbox_backlog(hub.store())
        if backlog.age() < waiting:
            return dg.SensorResult(skip_reason=f"{backlog.pending} pending, none waiting over {waiting}")
        running = dg.RunsFilter(job_name=publish_job.name, statuses=IN_FLIGHT)
        if context.instance.get_runs_count(running):
            return dg.SensorResult(skip_reason="publish_outbox is already running")
        return dg.SensorResult(run_requests=[dg.RunRequest()])

    return outbox_waiting
