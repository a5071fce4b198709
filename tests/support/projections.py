"""A small real read model for backbone tests: awards and totals per recipient."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Column, Integer, MetaData, Numeric, String, Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.contracts.funding import GrantAwarded
from shared.eventstore.envelope import Envelope

metadata = MetaData()
recipient_totals = Table(
    "recipient_totals",
    metadata,
    Column("recipient_id", String(100), primary_key=True),
    Column("awards", Integer, nullable=False),
    Column("total", Numeric(14, 2), nullable=False),
)


class PoisonError(ValueError):
    """The test projection refuses awards titled 'poison'."""


class RecipientTotals:
    """Awards counted and summed per recipient organisation."""

    name = "recipient_totals"
    metadata = metadata

    def __init__(self, poison_title: str | None = None) -> None:
        self.poison_title = poison_title

    async def apply(self, conn: AsyncConnection, events: Sequence[Envelope]) -> None:
        """Add each award to its recipient's count and total."""
        for envelope in events:
            award = envelope.event()
            assert isinstance(award, GrantAwarded)
            if award.title == self.poison_title:
                raise PoisonError(f"cannot project award {award.award_id}")
            statement = insert(recipient_totals).values(
                recipient_id=award.recipient_organisation_id, awards=1, total=award.amount
            )
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[recipient_totals.c.recipient_id],
                    set_={
                        "awards": recipient_totals.c.awards + 1,
                        "total": recipient_totals.c.total + statement.excluded.total,
                    },
                )
            )


async def dump(conn: AsyncConnection, schema: str) -> list[tuple[str, int, Decimal]]:
    """The read model's rows, in key order."""
    mapped = await conn.execution_options(schema_translate_map={None: schema})
    rows = await mapped.execute(select(recipient_totals).order_by(recipient_totals.c.recipient_id))
    return [tuple(r) for r in rows]  # type: ignore[misc]
