"""Queries on monitoring's read models, limited to what the caller may see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, select, true
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.monitoring.projections import (
    SCHEMA,
    awarded_services,
    service_periods,
    service_status,
)
from shared.auth import Principal, Role

status, periods = service_status.c, service_periods.c
GROUPINGS = {"fund": status.fund_id, "scheme": status.scheme_id, "mechanism": status.mechanism}


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection on which the read models' tables are those of the live projection schema."""
    async with engine.connect() as conn:
        yield await conn.execution_options(schema_translate_map={None: SCHEMA})


def visible(principal: Principal) -> ColumnElement[bool]:
    """The services a principal may see in its partnership (the issue's authorization model)."""
    mine = status.partnership_id == principal.partnership_id
    if principal.role is Role.PARTNER:  # partners read the services they co-fund
        return and_(mine, status.funders.any(principal.organisation_id))
    if principal.role is Role.APPLICANT:  # providers read their own services only
        return and_(mine, status.provider_organisation_id == principal.organisation_id)
    return and_(mine, true())  # commissioners and auditors: the whole partnership


async def list_services(
    conn: AsyncConnection, principal: Principal, limit: int, offset: int
) -> tuple[int, list[RowMapping]]:
    """One page of the awarded services the caller may see (by start date), and their count."""
    shown = awarded_services.c.award_id.in_(select(status.service_id).where(visible(principal)))
    total = await conn.scalar(select(func.count()).select_from(awarded_services).where(shown))
    result = await conn.execute(
        select(awarded_services)
        .where(shown)
        .order_by(awarded_services.c.start_date, awarded_services.c.award_id)
        .limit(limit)
        .offset(offset)
    )
    return int(total or 0), list(result.mappings())


async def get_service(
    conn: AsyncConnection, principal: Principal, award_id: str
) -> RowMapping | None:
    """The awarded service, if the caller may see it."""
    result = await conn.execute(
        select(awarded_services).where(
            awarded_services.c.award_id == award_id,
            awarded_services.c.award_id.in_(select(status.service_id).where(visible(principal))),
        )
    )
    return result.mappings().one_or_none()


async def list_status(
    conn: AsyncConnection, principal: Principal, limit: int, offset: int
) -> tuple[int, list[RowMapping]]:
    """One page of the monitored services the caller may see, with their state."""
    where = visible(principal)
    total = await conn.scalar(select(func.count()).select_from(service_status).where(where))
    result = await conn.execute(
        select(service_status)
        .where(where)
        .order_by(status.start_date, status.service_id)
        .limit(limit)
        .offset(offset)
    )
    return int(total or 0), list(result.mappings())


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


async def totals(
    conn: AsyncConnection, principal: Principal, by: str, as_of: date
) -> list[RowMapping]:
    """Per fund, scheme or mechanism: services, money, returns, RAG, overdue, concerns.

    On `as_of` each ended period still owed is in one of three counts, as on the dashboard:
    received, overdue (ReturnOverdue recorded, no return since) or due (awaiting its return).
    Direct awards (no scheme) group under the key None.
    """
    key = GROUPINGS[by]
    awaited = and_(
        periods.live,
        periods.return_id.is_(None),
        periods.overdue.is_(False),
        periods.period_end < as_of,
    )
    due = (
        select(periods.service_id, func.count().label("due"))
        .where(awaited)
        .group_by(periods.service_id)
        .subquery()
    )
    result = await conn.execute(
        select(
            key.label("key"),
            func.count().label("services"),
            func.sum(status.amount).label("amount"),
            func.sum(status.returns).cast(Integer).label("returns"),
            func.coalesce(func.sum(due.c.due), 0).cast(Integer).label("returns_due"),
            func.sum(status.beneficiaries).cast(Integer).label("beneficiaries"),
            _count_if(status.latest_rating == "green").label("green"),
            _count_if(status.latest_rating == "amber").label("amber"),
            _count_if(status.latest_rating == "red").label("red"),
            func.sum(status.overdue).cast(Integer).label("overdue_returns"),
            _count_if(status.concern_stage.is_not(None)).label("open_concerns"),
            _count_if(status.decommissioned == literal(True)).label("decommissioned"),
        )
        .select_from(service_status.outerjoin(due, due.c.service_id == status.service_id))
        .where(visible(principal))
        .group_by(key)
        .order_by(key.nulls_first())
    )
    return list(result.mappings())


async def service_ids(conn: AsyncConnection, partnership_id: str) -> list[str]:
    """Every service of a partnership still running (for the overdue check)."""
    result = await conn.execute(
        select(status.service_id)
        .where(status.partnership_id == partnership_id, status.decommissioned == literal(False))
        .order_by(status.service_id)
    )
    return list(result.scalars())
