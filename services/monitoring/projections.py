"""Read models of monitoring, fed by other services' events: the services it must monitor."""

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Column, Date, MetaData, Numeric, String, Table, func, insert, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.contracts.funding import GrantAwarded
from shared.eventstore.envelope import Envelope

SCHEMA = "monitoring"
AWARDS_CONSUMER = "monitoring.awards"
metadata = MetaData(schema=SCHEMA)

# One row per awarded service: the seed of its monitoring plan (DESIGN.md §6, step 3).
awarded_services = Table(
    "awarded_services",
    metadata,
    Column("award_id", String(200), primary_key=True),
    Column("partnership_id", String(100), nullable=False, index=True),
    Column("recipient_organisation_id", String(100), nullable=False),
    Column("recipient_name", String(300), nullable=False),
    Column("title", String(500), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
)


async def on_grant_awarded(conn: AsyncConnection, envelopes: Sequence[Envelope]) -> None:
    """Record each awarded service; the inbox has already dropped events seen before."""
    rows = []
    for envelope in envelopes:
        if envelope.event_type != GrantAwarded.event_type:
            continue  # other funding events are not monitoring's concern (yet)
        award = cast(GrantAwarded, envelope.event())
        rows.append(
            {
                "award_id": award.award_id,
                "partnership_id": envelope.partnership_id,
                "recipient_organisation_id": award.recipient_organisation_id,
                "recipient_name": award.recipient_name,
                "title": award.title,
                "amount": award.amount,
                "start_date": award.start_date,
                "end_date": award.end_date,
                "event_id": envelope.event_id,
            }
        )
    if rows:
        await conn.execute(insert(awarded_services), rows)


async def list_services(
    conn: AsyncConnection, partnership_id: str, limit: int, offset: int
) -> tuple[int, list[RowMapping]]:
    """One page of a partnership's awarded services (by start date), and how many there are."""
    mine = awarded_services.c.partnership_id == partnership_id
    total = await conn.scalar(select(func.count()).select_from(awarded_services).where(mine))
    result = await conn.execute(
        select(awarded_services)
        .where(mine)
        .order_by(awarded_services.c.start_date, awarded_services.c.award_id)
        .limit(limit)
        .offset(offset)
    )
    return int(total or 0), list(result.mappings())


async def get_service(
    conn: AsyncConnection, partnership_id: str, award_id: str
) -> RowMapping | None:
    """The awarded service, if the partnership has one with this award id."""
    result = await conn.execute(
        select(awarded_services).where(
            awarded_services.c.award_id == award_id,
            awarded_services.c.partnership_id == partnership_id,
        )
    )
    return result.mappings().one_or_none()
