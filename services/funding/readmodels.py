"""Funding's directory of funds and awards: an inline projection of its own store.

Kept in the transaction of each append (`handlers.execute` calls `apply_inline`), so a command's
answer and the next listing agree, and rebuildable from event 0 with `commissioning rebuild
funding_directory`. Tables carry no schema: the runner maps them onto `proj_funding_directory`,
and queries map them the same way (`directory`). `apply` reads nothing but the events.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Date, MetaData, Numeric, String, Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.funding import AwardMade, FundEstablished
from shared.eventstore.envelope import Envelope
from shared.projection import ProjectionRunner

NAME = "funding_directory"
SCHEMA = f"proj_{NAME}"
metadata = MetaData()

# Which partnership a fund belongs to, for listings without folding every stream.
funds = Table(
    "funds",
    metadata,
    Column("fund_id", String(200), primary_key=True),
    Column("partnership_id", String(100), nullable=False, index=True),
    Column("name", String(300), nullable=False),
    Column("financial_year", String(7), nullable=False),
    Column("source", String(40), nullable=False),
)
# Which fund's stream holds an award: monitoring's events name only the award.
awards = Table(
    "awards",
    metadata,
    Column("award_id", String(200), primary_key=True),
    Column("fund_id", String(200), nullable=False),
    Column("partnership_id", String(100), nullable=False, index=True),
    Column("recipient_organisation_id", String(100), nullable=False, index=True),
    Column("recipient_name", String(300), nullable=False),
    Column("title", String(500), nullable=False),
    Column("mechanism", String(40), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("award_date", Date, nullable=False),
)


class FundingDirectory:
    """The projection: one row per fund and per award, from the events that create them."""

    name = NAME
    metadata = metadata

    async def apply(self, conn: AsyncConnection, events: Sequence[Envelope]) -> None:
        """Add the funds and awards the events create."""
        for envelope in events:
            event = envelope.event()
            if isinstance(event, FundEstablished):
                await conn.execute(
                    insert(funds).values(
                        fund_id=event.fund_id,
                        partnership_id=envelope.partnership_id,
                        name=event.name,
                        financial_year=event.financial_year,
                        source=event.source.value,
                    )
                )
            elif isinstance(event, AwardMade):
                await conn.execute(
                    insert(awards).values(
                        award_id=event.award_id,
                        fund_id=event.fund_id,
                        partnership_id=envelope.partnership_id,
                        recipient_organisation_id=event.recipient_organisation_id,
                        recipient_name=event.recipient_name,
                        title=event.title,
                        mechanism=event.mechanism.value,
                        amount=event.amount,
                        award_date=event.award_date,
                    )
                )


DIRECTORY = FundingDirectory()


def runner(engine: AsyncEngine) -> ProjectionRunner:
    """The runner keeping the directory (the same projection the service registers)."""
    return ProjectionRunner(DIRECTORY, engine)


async def directory(conn: AsyncConnection) -> AsyncConnection:
    """`conn` with the directory's tables mapped onto its live schema."""
    return await conn.execution_options(schema_translate_map={None: SCHEMA})
