"""Jobs an operator launches from the UI after fixing a cause: redrive a consumer group's dead letters
(`hub dlq redrive`), and reconcile every channel's inventory with the ledger (`hub inventory reconcile`,
then the pushes)."""

import dagster as dg

from pipelines.resources import RESOURCES, HubResource


class RedriveConfig(dg.Config):  # type: ignore[misc]
    group: str  # the consumer group whose dead letters and parked events are applied again
    key: str | None = None  # only this partition key (a SKU, an order)


@dg.op(name="redrive_dead_letters_op")
def redrive(context: dg.OpExecutionContext, config: RedriveConfig, hub: HubResource) -> None:
    from hub.consumers import deadletters
    from hub.consumers.discovery import groups

    done = deadletters.redrive(hub.store(), groups(), key=config.key, group=config.group)
    context.log.info(f"applied {len(done.applied)} event(s); released {len(done.released)} key(s)")
    if done.failed:
        failed = "; ".join(f"{letter.id} ({letter.partition_key}): {why}" for letter, why in done.failed)
        raise dg.Failure(f"{len(done.failed)} dead letter(s) failed again: {failed}")


@dg.job(
    name="redrive_dead_letters",
    description="Apply a group's dead letters again, in order per key (`hub dlq redrive --group G`).",
    resource_defs=RESOURCES,
)
def redrive_job() -> None:
    redrive()


@dg.op(name="reconcile_inventory_op")
def reconcile(context: dg.OpExecutionContext, hub: HubResource) -> None:
    from hub.push.jobs import push_inventory

    context.log.info(f"{push_inventory(hub.settings())} channel update(s) accepted")


@dg.job(
    name="reconcile_inventory",
    description="Every channel told what inventory.yaml lets it sell, where it differs from the ledger.",
    resource_defs=RESOURCES,
)
def reconcile_job() -> None:
    reconcile()
