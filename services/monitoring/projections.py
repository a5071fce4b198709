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
from datetime import date
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
    column,
    func,
    insert,
    or_,
    select,
    update,
    values,
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
        """Fold the batch in memory in event order, then write it with a few statements.

        Order: a service's plan is always the first event of its stream, so every update of
        the batch concerns a service planned either in an earlier batch or earlier in this
        one; inserting all the batch's plans first, then the updates, is therefore safe.
        The updates merged in memory (later wins per row and column) give the same rows as
        applying each event in turn, and the rating rule is re-checked against the stored row.
        """
        batch = _Batch()
        for envelope in events:
            batch.add(envelope)
        await batch.write(conn)
        if batch.touched:
            await _recount(conn, batch.touched)


def read_model(engine: AsyncEngine) -> ProjectionRunner:
    """The runner keeping monitoring's read models (the same one the service registers)."""
    return ProjectionRunner(PROJECTION, engine)


_UNSET = object()
_CHUNK = 1000  # rows per statement: well under asyncpg's 32,767 bind parameters


def _chunks(rows: list[Any]) -> list[list[Any]]:
    return [rows[i : i + _CHUNK] for i in range(0, len(rows), _CHUNK)]


class _Batch:
    """One batch of monitoring's events, merged in event order."""

    def __init__(self) -> None:
        self.touched: set[str] = set()
        self.awards: list[dict[str, Any]] = []
        self.statuses: list[dict[str, Any]] = []
        self.periods: list[dict[str, Any]] = []
        self.returns: dict[tuple[str, date], tuple[str, int]] = {}
        self.overdue: set[tuple[str, date]] = set()
        self.decommissioned: dict[str, date] = {}  # the earliest effective date
        self.stages: dict[str, str | None] = {}  # the last stage of the batch
        self.ratings: dict[str, tuple[date, str]] = {}  # the winning (period, rating)

    def add(self, envelope: Envelope) -> None:
        event = envelope.event()
        match event:
            case MonitoringPlanEstablished():
                self._plan(envelope, event)
                self.touched.add(event.service_id)
            case KPIReturnSubmitted() | KPIReturnAmended():
                key = (event.service_id, event.period_start)
                self.returns[key] = (event.return_id, event.beneficiaries)
                self.touched.add(event.service_id)
            case ReturnOverdue():
                self.overdue.add((event.service_id, event.period_start))
                self.touched.add(event.service_id)
            case ServiceDecommissioned():
                # Periods after the date stop being live: several dates union to the earliest.
                known = self.decommissioned.get(event.service_id)
                if known is None or event.effective_date < known:
                    self.decommissioned[event.service_id] = event.effective_date
                self.touched.add(event.service_id)
            case PerformanceRated():
                # Only moves to a period >= the current one: the last of the latest period wins.
                best = self.ratings.get(event.service_id)
                if best is None or event.period_start >= best[0]:
                    self.ratings[event.service_id] = (event.period_start, event.rating.value)
            case (
                ConcernRaised()
                | FormalNoticeIssued()
                | EscalatedToCommissioner()
                | ImprovementPlanAgreed()
                | ConcernResolved()
            ):
                stage = STAGES[type(event)]
                self.stages[event.service_id] = stage.value if stage else None
        # KPITargetsAgreed changes nothing listed

    def _plan(self, envelope: Envelope, plan: MonitoringPlanEstablished) -> None:
        self.awards.append(
            {
                "award_id": plan.award_id,
                "partnership_id": envelope.partnership_id,
                "recipient_organisation_id": plan.provider_organisation_id,
                "recipient_name": plan.provider_name,
                "title": plan.title,
                "amount": plan.amount,
                "start_date": plan.start_date,
                "end_date": plan.end_date,
                "event_id": envelope.causation_id,
            }
        )
        self.statuses.append(
            {
                "service_id": plan.service_id,
                "partnership_id": envelope.partnership_id,
                "provider_organisation_id": plan.provider_organisation_id,
                "funders": list(plan.funders),
                "title": plan.title,
                "fund_id": plan.fund_id,
                "scheme_id": plan.scheme_id,
                "mechanism": plan.mechanism,
                "amount": plan.amount,
                "proportionality": plan.proportionality.value,
                "start_date": plan.start_date,
                "end_date": plan.end_date,
                "returns": 0,
                "beneficiaries": 0,
                "overdue": 0,
                "latest_rating": None,
                "rated_period": None,
                "concern_stage": None,
                "decommissioned": False,
            }
        )
        self.periods.extend(
            {
                "service_id": plan.service_id,
                "period_start": p.start,
                "period_end": p.end,
                "due": p.due,
                "return_id": None,
                "beneficiaries": None,
                "overdue": False,
                "live": True,
            }
            for p in plan.periods
        )

    async def write(self, conn: AsyncConnection) -> None:
        # Plans first (see MonitoringServices.apply): every update below finds its rows.
        for table, rows in (
            (awarded_services, self.awards),
            (service_status, self.statuses),
            (service_periods, self.periods),
        ):
            for chunk in _chunks(rows):
                await conn.execute(insert(table).values(chunk))
        returns = [(s, p, r, b) for (s, p), (r, b) in self.returns.items()]
        for chunk in _chunks(returns):
            v = _values("r", [("s", String), ("p", Date), ("rid", String), ("b", Integer)], chunk)
            await conn.execute(
                update(service_periods)
                .where(periods.service_id == v.c.s, periods.period_start == v.c.p)
                .values(return_id=v.c.rid, beneficiaries=v.c.b)
            )
        for chunk in _chunks(sorted(self.overdue)):
            v = _values("o", [("s", String), ("p", Date)], chunk)
            await conn.execute(
                update(service_periods)
                .where(periods.service_id == v.c.s, periods.period_start == v.c.p)
                .values(overdue=True)
            )
        for chunk in _chunks(sorted(self.decommissioned.items())):
            v = _values("d", [("s", String), ("e", Date)], chunk)
            await conn.execute(
                update(service_periods)
                .where(periods.service_id == v.c.s, periods.period_start > v.c.e)
                .values(live=False)
            )
            await conn.execute(
                update(service_status).where(status.service_id == v.c.s).values(decommissioned=True)
            )
        stages = sorted(self.stages.items())
        for chunk in _chunks(stages):
            v = _values("c", [("s", String), ("stage", String)], chunk)
            await conn.execute(
                update(service_status)
                .where(status.service_id == v.c.s)
                .values(concern_stage=v.c.stage)
            )
        ratings = [(s, p, r) for s, (p, r) in sorted(self.ratings.items())]
        for chunk in _chunks(ratings):
            v = _values("g", [("s", String), ("p", Date), ("rating", String)], chunk)
            await conn.execute(
                update(service_status)
                .where(
                    status.service_id == v.c.s,
                    or_(status.rated_period.is_(None), status.rated_period <= v.c.p),
                )
                .values(latest_rating=v.c.rating, rated_period=v.c.p)
            )


def _values(name: str, columns: list[tuple[str, Any]], rows: list[Any]) -> Any:
    """A VALUES list usable in UPDATE … FROM."""
    return values(*(column(n, t) for n, t in columns), name=name).data(rows)


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
