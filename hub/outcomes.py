"""One outcome for a payload from the outcomes of its records (a list response holds several)."""

from __future__ import annotations

from collections.abc import Sequence

from hub.mapping.result import Ignored, Mapped, Outcome, Quarantined


def combine(outcomes: Sequence[tuple[str, Outcome]]) -> Outcome:
    """One outcome for a payload from its records' outcomes. A single record's outcome is kept as it is
    (its events keep the ids they always had); several records' events get the record's place in their
    local id, so two orders of one page never share an event id."""
    if len(outcomes) == 1:
        return outcomes[0][1]
    for label, outcome in outcomes:
        if isinstance(outcome, Quarantined):
            failed = sum(isinstance(o, Quarantined) for _, o in outcomes)
            reason = f"record {label}: {outcome.reason}"
            if failed > 1:
                reason += f" (and {failed - 1} more of {len(outcomes)} records)"
            return Quarantined(outcome.mapping, reason, {**outcome.detail, "record": label})
    mapped = [(label, o) for label, o in outcomes if isinstance(o, Mapped)]
    if not mapped:
        reasons = sorted({o.reason for _, o in outcomes if isinstance(o, Ignored)})
        return Ignored(None, "; ".join(reasons))
    drafts = []
    for label, outcome in mapped:
        for draft in outcome.drafts:
            draft.local_id = f"{label}/{draft.local_id}"
            drafts.append(draft)
    return Mapped(",".join(dict.fromkeys(o.mapping for _, o in mapped)), drafts)
