"""Monitoring's read models: an inline projection of its own store (shared.projection).

Kept in the transaction of each append (handlers.py calls `apply_inline`), and rebuildable with
`commissioning rebuild monitoring_services`: every row follows from monitoring's events alone.
Tables carry no schema; the runner maps them onto `proj_monitoring_services`.

`awarded_services`: the awards monitoring learned of (from each plan and the award it came from).
`service_status`: one row per monitored service with what listings and totals need.
`service_periods`: one row per reporting period: its return (if any), overdue, still owed.
The full picture of a service (returns, trends, ladder) is folded from its stream on demand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.monitoring.domain import ConcernStage
from shared.contracts.base import DomainEvent
from shared.contracts.monitoring import (
    ConcernRaised,
    ConcernResolved,
    EscalatedToCommissioner,
    FormalNoticeIssued,
    ImprovementPlanAgreed,
    KPIReturnAmended,
    KPIReturnSubmitted,
    MonitoringPlanEstablished,
    PerformanceRated,
    ReturnOverdue,
    ServiceDecommissioned,
)
from shared.eventstore.envelope import Envelope
from shared.projection import ProjectionRunner

NAME = "monitoring_services"
SCHEMA = f"proj_{NAME}"
AWARDS_CONSUMER = "monitoring.awards"
metadata = MetaData()

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
    # Funding's GrantAwarded / ContractAwarded: the cause of the plan's event.
    Column("event_id", UUID(as_uuid=True), unique=True),
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
    Column("scheme_id", String(200)),  # None: a direct award
    Column("mechanism", String(50), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("proportionality", String(10), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    # Sums over service_periods, kept here for listings.
    Column("returns", Integer, nullable=False),
    Column("beneficiaries", Integer, nullable=False),
    Column("overdue", Integer, nullable=False),  # overdue periods still without a return
    # The rating of the latest period rated: amending an older return does not change it.
    Column("latest_rating", String(10)),
    Column("rated_period", Date),  # the start of that period
    Column("concern_stage", String(20)),  # of the open concern, if any
    Column("decommissioned", Boolean, nullable=False),
)

service_periods = Table(
    "service_periods",
    metadata,
    Column("service_id", String(200), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("due", Date, nullable=False),
    Column("return_id", String(250)),  # the return received for it, if any
    Column("beneficiaries", Integer),  # as last submitted or amended
    Column("overdue", Boolean, nullable=False),  # ReturnOverdue was recorded for it
    Column("live", Boolean, nullable=False),  # False: starts after the decommissioning
    PrimaryKeyConstraint("service_id", "period_start"),
)

status, periods = service_status.c, service_periods.c
STAGES: dict[type[DomainEvent], ConcernStage | None] = {
    ConcernRaised: ConcernStage.RAISED,
    FormalNoticeIssued: ConcernStage.FORMAL_NOTICE,
    EscalatedToCommissioner: ConcernStage.ESCALATED,
    ImprovementPlanAgreed: ConcernStage.IMPROVEMENT_PLAN,
    ConcernResolved: None,  # no open concern any more
}


class MonitoringServices:
    """The monitored services' listings and totals, from monitoring's own events."""

    name = NAME
    metadata = metadata

    async def apply(self, conn: AsyncConnection, events: Sequence[Envelope]) -> None:
        """Apply each event in order, then recount the periods of the services it touched."""
        touched: set[str] = set()
        for envelope in events:
            if (service_id := await _apply(conn, envelope)) is not None:
                touched.add(service_id)
        if touched:
            await _recount(conn, touched)


def read_model(engine: AsyncEngine) -> ProjectionRunner:
    """The runner keeping monitoring's read models (the same one the service registers)."""
    return ProjectionRunner(PROJECTION, engine)


async def _apply(conn: AsyncConnection, envelope: Envelope) -> str | None:
    """Apply one event; the id of the service whose periods changed, if any."""
    event = envelope.event()
    match event:
        case MonitoringPlanEstablished():
            await _plan(conn, envelope, event)
            return event.service_id
        case KPIReturnSubmitted() | KPIReturnAmended():
            at = periods.period_start == event.period_start
            values = {"return_id": event.return_id, "beneficiaries": event.beneficiaries}
            await _periods(conn, event.service_id, at, values)
            return event.service_id
        case ReturnOverdue():
            at = periods.period_start == event.period_start
            await _periods(conn, event.service_id, at, {"overdue": True})
            return event.service_id
        case ServiceDecommissioned():
            after = periods.period_start > event.effective_date
            await _periods(conn, event.service_id, after, {"live": False})
            await _status(conn, event.service_id, decommissioned=True)
            return event.service_id
        case PerformanceRated():
            await conn.execute(
                update(service_status)
                .where(
                    status.service_id == event.service_id,
                    or_(status.rated_period.is_(None), status.rated_period <= event.period_start),
                )
                .values(latest_rating=event.rating.value, rated_period=event.period_start)
            )
        case (
            ConcernRaised()
            | FormalNoticeIssued()
            | EscalatedToCommissioner()
            | ImprovementPlanAgreed()
            | ConcernResolved()
        ):
            stage = STAGES[type(event)]
            await _status(conn, event.service_id, concern_stage=stage.value if stage else None)
    return None  # KPITargetsAgreed changes nothing listed


async def _plan(conn: AsyncConnection, envelope: Envelope, plan: MonitoringPlanEstablished) -> None:
    await conn.execute(
        insert(awarded_services).values(
            award_id=plan.award_id,
            partnership_id=envelope.partnership_id,
            recipient_organisation_id=plan.provider_organisation_id,
            recipient_name=plan.provider_name,
            title=plan.title,
            amount=plan.amount,
            start_date=plan.start_date,
            end_date=plan.end_date,
            event_id=envelope.causation_id,
        )
    )
    await conn.execute(
        insert(service_status).values(
            service_id=plan.service_id,
            partnership_id=envelope.partnership_id,
            provider_organisation_id=plan.provider_organisation_id,
            funders=list(plan.funders),
            title=plan.title,
            fund_id=plan.fund_id,
            scheme_id=plan.scheme_id,
            mechanism=plan.mechanism,
            amount=plan.amount,
            proportionality=plan.proportionality.value,
            start_date=plan.start_date,
            end_date=plan.end_date,
            returns=0,
            beneficiaries=0,
            overdue=0,
            decommissioned=False,
        )
    )
    await conn.execute(
        insert(service_periods).values(
            [
                {
                    "service_id": plan.service_id,
                    "period_start": p.start,
                    "period_end": p.end,
                    "due": p.due,
                    "overdue": False,
                    "live": True,
                }
                for p in plan.periods
            ]
        )
    )


async def _periods(
    conn: AsyncConnection, service_id: str, which: Any, values: dict[str, Any]
) -> None:
    await conn.execute(
        update(service_periods).where(periods.service_id == service_id, which).values(values)
    )


async def _status(conn: AsyncConnection, service_id: str, **values: Any) -> None:
    await conn.execute(update(service_status).where(status.service_id == service_id).values(values))


async def _recount(conn: AsyncConnection, service_ids: set[str]) -> None:
    """Returns received, beneficiaries reported and overdue periods, from the periods' rows."""
    counted = (
        select(
            periods.service_id,
            func.count(periods.return_id).label("returns"),
            func.coalesce(func.sum(periods.beneficiaries), 0).label("beneficiaries"),
            func.count()
            .filter(and_(periods.overdue, periods.return_id.is_(None)))
            .label("overdue"),
        )
        .where(periods.service_id.in_(sorted(service_ids)))
        .group_by(periods.service_id)
        .subquery()
    )
    await conn.execute(
        update(service_status)
        .where(status.service_id == counted.c.service_id)
        .values(
            returns=counted.c.returns,
            beneficiaries=counted.c.beneficiaries,
            overdue=counted.c.overdue,
        )
    )


PROJECTION = MonitoringServices()
