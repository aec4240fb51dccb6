"""The verbs behind the backfills, as a person at a terminal runs them."""

from __future__ import annotations

from pathlib import Path

from hub.store import Store
from tests.support.dated import audited, commit_days, day, publish
from tests.support.hubproc import HubCli, hub_env
from tests.support.quarantined import unmappable


def test_hub_replay_applies_the_days_given_once(hub_home: Path, store: Store, broker) -> None:
    times = commit_days(store, (3, 4, 5))
    publish(store, broker)
    cli = HubCli(hub_env(hub_home, HUB_CONSUMER_MODULES="tests.support.probe_groups"))

    first = cli.run("replay", "replay-probe", "--from", "2026-03-02", "--to", "2026-03-03").stdout
    again = cli.run("replay", "replay-probe", "--from", "2026-03-01", "--to", "2026-03-04").stdout

    assert "replay-probe: 4 event(s) in the window, 4 applied, 0 already applied" in first
    assert "replay-probe: 12 event(s) in the window, 8 applied, 4 already applied" in again
    assert sorted(audited(store, "replay-probe")) == sorted(times)
    assert all(day(0) <= at < day(3) for at in times.values())


def test_hub_replay_names_the_known_groups(hub_home: Path, cli: HubCli) -> None:
    result = cli.run("replay", "nobody", "--from", "2026-03-01", "--to", "2026-03-02", check=False)
    assert result.returncode == 2
    assert "unknown consumer group 'nobody'; known: audit, channel-sync, order-view" in result.stderr


def test_hub_renormalize_reports_what_it_did(hub_home: Path, store: Store, cli: HubCli) -> None:
    from tests.support.orders import intake

    intake(store).accept([unmappable()])
    out = cli.run("renormalize", "--from", "1d", "--to", "2099-01-01").stdout
    assert "0 new event(s); quarantine: 1 retried, 0 resolved, 1 still held" in out
