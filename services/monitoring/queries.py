"""Queries on monitoring's read models, limited to what the caller may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, select, true
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.monitoring.projections import awarded_services, service_status
from shared.auth import Principal, Role

status = service_status.c


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


async def totals(conn: AsyncConnection, principal: Principal, by: str) -> list[RowMapping]:
    """Per fund (or mechanism): services, money, returns, beneficiaries, RAG, overdue, concerns."""
    key = status.fund_id if by == "fund" else status.mechanism
    result = await conn.execute(
        select(
            key.label("key"),
            func.count().label("services"),
            func.sum(status.amount).label("amount"),
            func.sum(status.returns).cast(Integer).label("returns"),
            func.sum(status.beneficiaries).cast(Integer).label("beneficiaries"),
            _count_if(status.latest_rating == "green").label("green"),
            _count_if(status.latest_rating == "amber").label("amber"),
            _count_if(status.latest_rating == "red").label("red"),
            func.sum(status.overdue).cast(Integer).label("overdue_returns"),
            _count_if(status.concern_stage.is_not(None)).label("open_concerns"),
            _count_if(status.decommissioned == literal(True)).label("decommissioned"),
        )
        .where(visible(principal))
        .group_by(key)
        .order_by(key)
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
