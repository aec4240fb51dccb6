"""Per connector: a pull job per stream (scheduled by the stream's cron) and an inventory-push job.
Names carry the connector, since job, op and schedule names are global in a code location."""

from collections.abc import Callable
from typing import Any

import dagster as dg

from hub.config import Settings
from hub.connectors.schedules import ConnectorPlan
from hub.pull.jobs import pull
from hub.push.jobs import push_inventory
from pipelines.resources import RESOURCES, HubResource


def running_schedule(name: str, job: Any, cron: str) -> dg.ScheduleDefinition:
    """A schedule in UTC that runs from the start: a declared cron means the user wants it to run."""
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )


def one_step_job(
    name: str, connector: str, description: str, work: Callable[[Settings], str]
) -> dg.JobDefinition:
    @dg.op(name=f"{name}_op")
    def step(context: dg.OpExecutionContext, hub: HubResource) -> None:
        context.log.info(work(hub.settings()))

    @dg.job(name=name, description=description, tags={"hub/connector": connector}, resource_defs=RESOURCES)
    def job() -> None:
        step()

    return job


def connector_defs(plans: list[ConnectorPlan]) -> dg.Definitions:
    jobs: list[dg.JobDefinition] = []
    schedules: list[dg.ScheduleDefinition] = []
    for plan in plans:
        for stream in plan.streams:
            job = one_step_job(
                f"{plan.name}__pull_{stream.name}",
                plan.name,
                f"Pull the {stream.name} stream of {plan.title} (`hub pull`).",
                lambda s, c=plan.name, n=stream.name: f"{c}.{n}: stored {pull(s, c, n)} new record(s)",
            )
            jobs.append(job)
            if stream.cron is not None:
                schedules.append(running_schedule(f"{job.name}_schedule", job, stream.cron))
        if plan.pushes_inventory:
            jobs.append(
                one_step_job(
                    f"{plan.name}__push_inventory",
                    plan.name,
                    f"Push every SKU's available-to-sell to {plan.title} (`hub push`).",
                    lambda s, c=plan.name: f"{c}: set {push_inventory(s, c)} SKU(s)",
                )
            )
    return dg.Definitions(jobs=jobs, schedules=schedules)
