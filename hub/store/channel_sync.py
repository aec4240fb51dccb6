"""The channel-sync group's view of each SKU, and what each channel should be and was told."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String, and_, bindparam, or_, select, text, update

from hub.domain.availability import SkuView
from hub.store.commerce_tables import channel_stock, channel_sync_skus
from hub.store.repository import Repository
from hub.store.types import UTCDateTime

# The group's hot statements, built once: every inventory event runs them. ON CONFLICT is written the same
# on SQLite and PostgreSQL; the typed parameters bind JSON and UTC times as the column types do.
_VIEW = (
    text(
        "SELECT sku, version, on_hand, reserved, held, held_since, source_time, updated_at"
        " FROM channel_sync_skus WHERE sku = :sku"
    )
    .bindparams(bindparam("sku", type_=String))
    .columns(on_hand=JSON, held=JSON, held_since=UTCDateTime, source_time=UTCDateTime, updated_at=UTCDateTime)
)
_SAVE_VIEW = text(
    "INSERT INTO channel_sync_skus"
    " (sku, version, on_hand, reserved, held, held_since, source_time, updated_at)"
    " VALUES (:sku, :version, :on_hand, :reserved, :held, :held_since, :source_time, :updated_at)"
    " ON CONFLICT (sku) DO UPDATE SET version = excluded.version, on_hand = excluded.on_hand,"
    " reserved = excluded.reserved, held = excluded.held, held_since = excluded.held_since,"
    " source_time = excluded.source_time, updated_at = excluded.updated_at"
).bindparams(
    bindparam("on_hand", type_=JSON),
    bindparam("held", type_=JSON),
    bindparam("held_since", type_=UTCDateTime),
    bindparam("source_time", type_=UTCDateTime),
    bindparam("updated_at", type_=UTCDateTime),
)
_TELL = text(
    "INSERT INTO channel_stock (sku, channel, quantity, version, source_time, computed_at, attempts)"
    " VALUES (:sku, :channel, :quantity, :version, :source_time, :computed_at, 0)"
    " ON CONFLICT (sku, channel) DO UPDATE SET quantity = excluded.quantity, version = excluded.version,"
    " source_time = excluded.source_time, computed_at = excluded.computed_at, retry_at = NULL"
    " WHERE channel_stock.version < excluded.version"
).bindparams(
    bindparam("quantity", type_=BigInteger),
    bindparam("version", type_=BigInteger),
    bindparam("source_time", type_=UTCDateTime),
    bindparam("computed_at", type_=UTCDateTime),
)


@dataclass(frozen=True, slots=True)
class ChannelStock:
    sku: str
    channel: str
    quantity: int
    version: int
    source_time: datetime
    computed_at: datetime
    pushed_quantity: int | None
    pushed_version: int | None
    pushed_at: datetime | None
    lag_ms: int | None
    attempts: int
    last_error: str | None
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SyncRow:
    view: SkuView
    held_since: datetime | None
    source_time: datetime | None
    updated_at: datetime


class ChannelSync(Repository):
    def views(self, skus: Iterable[str]) -> dict[str, SyncRow]:
        wanted = sorted(set(skus))
        if len(wanted) == 1:  # the handler's case, once per event
            found = self.conn.execute(_VIEW, {"sku": wanted[0]}).first()
            return {wanted[0]: _row(found._mapping)} if found else {}
        if not wanted:
            return {}
        c = channel_sync_skus.c
        rows = self.conn.execute(self.backend.lock(select(channel_sync_skus).where(c.sku.in_(wanted))))
        return {row.sku: _row(row._mapping) for row in rows}

    def save_view(self, view: SkuView, *, held_since: datetime | None, at: datetime) -> None:
        self.conn.execute(
            _SAVE_VIEW,
            {
                "sku": view.sku,
                "version": view.version,
                "on_hand": view.on_hand,
                "reserved": view.reserved,
                "held": {str(k): v for k, v in view.held.items()},
                "held_since": held_since,
                "source_time": datetime.fromisoformat(view.occurred_at) if view.occurred_at else None,
                "updated_at": at,
            },
        )

    def held(self) -> list[SyncRow]:
        c = channel_sync_skus.c
        rows = self.conn.execute(select(channel_sync_skus).where(c.held_since.is_not(None)).order_by(c.sku))
        return [_row(row._mapping) for row in rows]

    # -- what to tell each channel

    def tell(
        self, sku: str, quantities: dict[str, int], version: int, source_time: datetime, at: datetime
    ) -> None:
        """Record the quantity each channel should now be told (the pusher sends it)."""
        if quantities:
            self.conn.execute(
                _TELL,
                [
                    {
                        "sku": sku,
                        "channel": channel,
                        "quantity": quantity,
                        "version": version,
                        "source_time": source_time,
                        "computed_at": at,
                    }
                    for channel, quantity in sorted(quantities.items())
                ],
            )

    def requeue(self, sku: str, quantities: dict[str, int], version: int, at: datetime) -> None:
        """Reconciliation found these channels told something else: tell them `quantities` again."""
        for channel, quantity in sorted(quantities.items()):
            stmt = self.backend.insert(channel_stock).values(
                sku=sku,
                channel=channel,
                quantity=quantity,
                version=version,
                source_time=at,
                computed_at=at,
                attempts=0,
            )
            self.conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["sku", "channel"],
                    set_={
                        "quantity": stmt.excluded.quantity,
                        "version": stmt.excluded.version,
                        "source_time": stmt.excluded.source_time,
                        "computed_at": stmt.excluded.computed_at,
                        "pushed_version": None,
                        "retry_at": None,
                    },
                    where=channel_stock.c.version <= stmt.excluded.version,
                )
            )

    def to_push(
        self, limit: int = 200, channels: Collection[str] | None = None, due: datetime | None = None
    ) -> list[ChannelStock]:
        """Rows whose channel (one of `channels`, if given) has not been told their newest quantity, oldest
        change first; with `due`, only those not waiting to be tried again after a failure."""
        c = channel_stock.c
        query = (
            select(channel_stock)
            .where(or_(c.pushed_version.is_(None), c.pushed_version < c.version))
            .order_by(c.computed_at, c.sku, c.channel)
            .limit(limit)
        )
        if channels is not None:
            query = query.where(c.channel.in_(sorted(channels)))
        if due is not None:
            query = query.where(or_(c.retry_at.is_(None), c.retry_at <= due))
        return [ChannelStock(**row._mapping) for row in self.conn.execute(query)]

    def pushed(self, row: ChannelStock, at: datetime) -> None:
        """The channel accepted `row`'s quantity."""
        lag = int((at - row.source_time).total_seconds() * 1000)
        c = channel_stock.c
        self.conn.execute(
            update(channel_stock)
            .where(
                and_(c.sku == row.sku, c.channel == row.channel)
                & or_(c.pushed_version.is_(None), c.pushed_version < row.version)
            )
            .values(
                pushed_quantity=row.quantity,
                pushed_version=row.version,
                pushed_at=at,
                lag_ms=lag,
                attempts=0,
                last_error=None,
                retry_at=None,
            )
        )

    def failed(self, row: ChannelStock, error: str, retry_at: datetime) -> None:
        """The push failed: the pusher tries again from `retry_at` (a newer quantity sooner)."""
        c = channel_stock.c
        self.conn.execute(
            update(channel_stock)
            .where((c.sku == row.sku) & (c.channel == row.channel))
            .values(attempts=c.attempts + 1, last_error=error[:2000], retry_at=retry_at)
        )

    def of_sku(self, sku: str) -> list[ChannelStock]:
        return self.of_skus([sku])

    def of_skus(self, skus: Iterable[str]) -> list[ChannelStock]:
        c = channel_stock.c
        wanted = sorted(set(skus))
        rows = self.conn.execute(select(channel_stock).where(c.sku.in_(wanted)).order_by(c.sku, c.channel))
        return [ChannelStock(**row._mapping) for row in rows]

    def least_pushed_version(self, sku: str, channels: Iterable[str]) -> int:
        """The oldest version any of `channels` was told for `sku` (0: one was never told)."""
        told = {row.channel: row.pushed_version or 0 for row in self.of_sku(sku)}
        return min((told.get(channel, 0) for channel in channels), default=0)


def _row(m: Any) -> SyncRow:
    held = {int(k): v for k, v in (m["held"] or {}).items()}
    occurred = m["source_time"].isoformat() if m["source_time"] else None
    view = SkuView(m["sku"], m["version"], dict(m["on_hand"]), m["reserved"], held, occurred)
    return SyncRow(view, m["held_since"], m["source_time"], m["updated_at"])
