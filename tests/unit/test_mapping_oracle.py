"""The hub's mapping runtime (generated code) means what the differential oracle (tests/mapping_oracle, a
closure interpreter checking drafts with pydantic in strict mode) means: same events, same local ids, same
JSON form, same quarantine and ignore reasons, on every golden case. tests/unit/test_mapping_fuzz.py does
the same on generated payloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub import golden
from hub.mapping.result import Ignored, Mapped, Outcome, Quarantined
from hub.project import Project
from tests import mapping_oracle
from tests.support.yamlfiles import mapping_spec

ROOT = Path(__file__).resolve().parents[2]
# The bundled project and the Shopify/WooCommerce example project (headers, refunds, includes, blanks).
PROJECTS = [ROOT, ROOT / "examples" / "platforms"]


def summary(outcome: Outcome) -> Any:
    """What both runtimes must agree on. A draft the event model refuses is compared by event type and
    field: the two validators word their reasons differently."""
    if isinstance(outcome, Mapped):
        return ("mapped", outcome.mapping, [(d.local_id, d.event, d.json) for d in outcome.drafts])
    if isinstance(outcome, Quarantined):
        reason = outcome.reason
        if "output does not match" in reason:  # also a list answer's "record $[0]: output does not match"
            reason = reason.rsplit(": ", 1)[0]
        return ("quarantined", outcome.mapping, reason)
    assert isinstance(outcome, Ignored)
    return ("ignored", outcome.mapping, outcome.reason)


def oracle_of(project: Project) -> Project:
    """The same project, every mapping replaced by the oracle's compilation of its file."""
    oracle = Project.load(project.root)
    for connector in oracle.connectors.values():
        for name, mapping in list(connector.mappings.items()):
            spec = mapping_spec(mapping.source)
            connector.mappings[name] = mapping_oracle.compile_mapping(  # type: ignore[assignment]
                name, mapping.source, spec, connector.folder, connector.parts
            )
    return oracle


def test_the_runtime_agrees_with_the_oracle_on_every_golden_case() -> None:
    outcomes = set()
    count = 0
    for root in PROJECTS:
        hub = Project.load(root)
        oracle = oracle_of(hub)
        for case in golden.load_cases(root):
            mine = summary(golden.run(hub, case))
            assert mine == summary(golden.run(oracle, case)), case.id
            outcomes.add(mine[0])
            count += 1
    assert count > 190
    assert outcomes == {"mapped", "quarantined", "ignored"}
