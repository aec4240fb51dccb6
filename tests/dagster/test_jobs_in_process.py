"""Each job of the code location, executed in this process against a real hub home: what it does is
seen in the hub's store and log, the way `hub` shows it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import func, select

from hub.broker.port import Broker
from hub.clock import utcnow
from hub.events import TOPICS
from hub.health import outbox_backlog, recent_alerts
from hub.store import Store
from hub.store.tables import outbox
from tests.support.dated import audited, commit_days, day, publish

pytestmark = pytest.mark.dagster

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def run(
    defs: dg.Definitions, job: str, instance: dg.DagsterInstance, **kwargs: object
) -> dg.ExecuteInProcessResult:
    result = defs.resolve_job_def(job).execute_in_process(instance=instance, raise_on_error=False, **kwargs)  # type: ignore[arg-type]
    return result


def replay_config(group: str) -> dict[str, object]:
    return {"ops": {"hub__event_replay": {"config": {"group": group}}}}


def test_publish_outbox_publishes_what_waits(defs, instance, store: Store, broker: Broker) -> None:
    times = commit_days(store, (2, 3))
    assert outbox_backlog(store).pending == 5

    assert run(defs, "publish_outbox", instance).success

    assert outbox_backlog(store).pending == 0
    assert sorted(r.headers[1][1].decode() for r in broker.read(list(TOPICS))) == sorted(times)


def test_retention_cleanup_deletes_published_rows_only(defs, instance, store, broker, monkeypatch) -> None:
    commit_days(store, (3,))
    publish(store, broker)
    commit_days(store, (2,))  # still waiting for the relay: never deleted
    monkeypatch.setenv("HUB_RETENTION", "0s")

    assert run(defs, "retention_cleanup", instance).success

    with store.transaction() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 2
    assert outbox_backlog(store).pending == 2


def test_replay_over_a_date_range_in_one_run(defs, instance, store, broker) -> None:
    times = commit_days(store, (3, 4, 5, 2, 6))
    publish(store, broker)

    result = run(
        defs,
        "replay_events",
        instance,
        run_config=replay_config("replay-probe"),
        tags={RANGE_START: day(1).date().isoformat(), RANGE_END: day(3).date().isoformat()},
    )

    assert result.success
    wanted = sorted(e for e, at in times.items() if day(1) <= at < day(4))
    assert len(wanted) == 4 + 5 + 2
    assert sorted(audited(store, "replay-probe")) == wanted
    (materialization,) = [m for m in result.asset_materializations_for_node("hub__event_replay")][-1:]
    assert materialization.metadata["applied"].value == len(wanted)


def test_replay_of_one_day_twice_applies_once(defs, instance, store, broker) -> None:
    times = commit_days(store, (3, 4))
    publish(store, broker)
    for _ in range(2):
        assert run(
            defs,
            "replay_events",
            instance,
            run_config=replay_config("replay-probe"),
            partition_key=day(1).date().isoformat(),
        ).success
    assert sorted(audited(store, "replay-probe")) == sorted(e for e, at in times.items() if at >= day(1))


def test_replay_into_an_unknown_group_fails_and_names_the_known_ones(defs, instance, store) -> None:
    result = run(
        defs,
        "replay_events",
        instance,
        run_config=replay_config("nobody"),
        partition_key=day(0).date().isoformat(),
    )
    assert not result.success
    failure = result.failure_data_for_node("hub__event_replay")
    assert failure is not None and failure.error.cause is not None
    assert (
        "unknown consumer group 'nobody'; known: audit, channel-sync, order-view, replay-probe"
        in failure.error.cause.message
    )


def test_checks_report_quarantine_and_outbox_lag(defs, instance, store, broker) -> None:
    result = run(defs, "hub_checks", instance)
    assert result.success
    assert {e.check_name: e.passed for e in result.get_asset_check_evaluations()} == {
        "quarantine_empty": True,
        "dead_letters_empty": True,
        "outbox_lag": True,
    }
    commit_days(store, (2,), committed_at=utcnow() - timedelta(minutes=10))  # the relay fell behind
    from tests.support.orders import intake
    from tests.support.quarantined import unmappable

    intake(store).accept([unmappable()])

    result = run(defs, "hub_checks", instance)
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evaluations["quarantine_empty"].passed
    assert evaluations["quarantine_empty"].metadata["open_entries"].value == 1
    assert not evaluations["outbox_lag"].passed
    assert evaluations["outbox_lag"].metadata["pending"].value == 2
    assert evaluations["dead_letters_empty"].passed


def test_outbox_sensor_starts_publishing_once_events_wait(defs, instance, store) -> None:
    sensor = defs.resolve_sensor_def("outbox_waiting")
    commit_days(store, (2,))
    with dg.build_sensor_context(instance=instance, resources={"hub": _hub()}) as context:
        assert not sensor(context).run_requests  # committed just now: the relay has time
    commit_days(store, (1,), committed_at=utcnow() - timedelta(minutes=5))
    with dg.build_sensor_context(instance=instance, resources={"hub": _hub()}) as context:
        requests = sensor(context).run_requests
    assert len(requests) == 1 and sensor.job_name == "publish_outbox"


def test_run_failure_sensor_records_an_alert_the_cli_shows(
    defs, instance, store, hub_home: Path, cli
) -> None:
    failed = run(
        defs,
        "replay_events",
        instance,
        run_config=replay_config("nobody"),
        partition_key=day(0).date().isoformat(),
    )
    sensor = defs.resolve_sensor_def("run_failure_alert")
    with dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_instance=instance,
        dagster_run=failed.dagster_run,
        dagster_event=failed.get_run_failure_event(),
        resources={"hub": _hub()},
    ) as context:
        sensor(context.for_run_failure())

    (alert,) = recent_alerts(store)
    assert (alert.source, alert.run_id) == ("replay_events", failed.run_id)
    assert "unknown consumer group 'nobody'" in alert.message
    shown = cli.run("alerts").stdout
    assert (
        "replay_events" in shown and "unknown consumer group 'nobody'" in shown and failed.run_id[:8] in shown
    )


def _hub() -> object:
    from pipelines.resources import HubResource

    return HubResource()
