"""Orders as the lifecycle state machine keeps them: the listing and one order's state, lines and history."""

from __future__ import annotations

from typing import Any

from hub.domain.orders import OrderState, describe_lines
from hub.store import Store
from hub.store.orders import OrderRow, Orders


def list_orders(
    store: Store, *, channel: str | None = None, state: str | None = None, limit: int = 100
) -> list[OrderRow]:
    with store.read_only() as uow:
        return uow.get(Orders).find(channel=channel, state=state, limit=limit)


def show_order(store: Store, channel: str, order_id: str) -> dict[str, Any] | None:
    """The order's state, its lines and every update it got (applied, duplicate, stale or refused, each
    with its source); None when the hub has never applied an update to it."""
    with store.read_only() as uow:
        repo = uow.get(Orders)
        row = repo.get(channel, order_id)
        history = repo.history(channel, order_id)
    if row is None and not history:
        return None
    state = OrderState.from_json(row.detail) if row else None
    return {
        "channel": channel,
        "order_id": order_id,
        "account": row.account if row else None,
        "state": row.state if row else None,
        "partial": state.partial if state else False,
        "occurred_at": row.occurred_at.isoformat() if row else None,
        "updated_at": row.updated_at.isoformat() if row else None,
        "lines": list(describe_lines(state)) if state else [],
        "history": [
            {
                "recorded_at": h["recorded_at"].isoformat(),
                "event_type": h["event_type"],
                "channel_status": h["channel_status"],
                "occurred_at": h["occurred_at"].isoformat(),
                "outcome": h["outcome"],
                "reason": h["reason"],
                "state": h["state"],
                "source": h["source"],
                "inbox_id": h["inbox_id"],
                "event_id": h["event_id"],
            }
            for h in history
        ],
    }
