"""Read models of monitoring, written in the transaction of the events they reflect.

`awarded_services`: the awards monitoring learned of (funding's GrantAwarded / ContractAwarded).
`service_status`: one row per monitored service with what listings and totals need; the full
picture of a service (returns, trends, ladder) is folded from its stream on demand.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
)
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.monitoring.domain import MonitoredService
from shared.contracts.funding import AwardMade

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

service_status = Table(
    "service_status",
    metadata,
    Column("service_id", String(200), primary_key=True),
    Column("partnership_id", String(100), nullable=False, index=True),
    Column("provider_organisation_id", String(100), nullable=False, index=True),
    Column("funders", ARRAY(String(100)), nullable=False),
    Column("title", String(500), nullable=False),
    Column("fund_id", String(200), nullable=False),
    Column("mechanism", String(50), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("proportionality", String(10), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("returns", Integer, nullable=False),
    Column("beneficiaries", Integer, nullable=False),
    Column("overdue", Integer, nullable=False),  # overdue periods still without a return
    Column("latest_rating", String(10)),
    Column("concern_stage", String(20)),  # of the open concern, if any
    Column("decommissioned", Boolean, nullable=False),
)


def award_row(award: AwardMade, partnership_id: str, event_id: Any) -> dict[str, Any]:
    """The `awarded_services` row of an award event."""
    return {
        "award_id": award.award_id,
        "partnership_id": partnership_id,
        "recipient_organisation_id": award.recipient_organisation_id,
        "recipient_name": award.recipient_name,
        "title": award.title,
        "amount": award.amount,
        "start_date": award.start_date,
        "end_date": award.end_date,
        "event_id": event_id,
    }


def status_row(partnership_id: str, service: MonitoredService) -> dict[str, Any]:
    """The `service_status` row of a service as it stands."""
    plan, concern = service.plan, service.open_concern
    return {
        "service_id": service.service_id,
        "partnership_id": partnership_id,
        "provider_organisation_id": plan.provider_organisation_id,
        "funders": list(plan.funders),
        "title": plan.title,
        "fund_id": plan.fund_id,
        "mechanism": plan.mechanism,
        "amount": plan.amount,
        "proportionality": plan.proportionality.value,
        "start_date": plan.start_date,
        "end_date": plan.end_date,
        "returns": len(service.returns),
        "beneficiaries": sum(r.figures.beneficiaries for r in service.returns.values()),
        "overdue": len(set(service.overdue) - set(service.returns)),
        "latest_rating": service.ratings[-1].rating.value if service.ratings else None,
        "concern_stage": concern.stage.value if concern else None,
        "decommissioned": service.decommissioned is not None,
    }


async def save_awards(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Record awards; one seen before (same award id) is left as it was."""
    if rows:
        await conn.execute(insert(awarded_services).values(rows).on_conflict_do_nothing())


async def save_status(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Insert or replace the status rows of services."""
    if not rows:
        return
    statement = insert(service_status).values(rows)
    columns = {
        c.name: statement.excluded[c.name] for c in service_status.c if c.name != "service_id"
    }
    await conn.execute(statement.on_conflict_do_update(index_elements=["service_id"], set_=columns))
