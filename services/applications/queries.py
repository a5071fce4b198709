"""Queries on the read models: listings with filters, sorting and paging."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ColumnElement, Select, func, not_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.applications.domain.applications import ASSESSMENT
from services.applications.projections import accreditations, applications, organisations
from shared.auth import Principal, Role


class ApplicationSort(StrEnum):
    """Orders of a round's applications; `rank` is best mean score first (the ranking)."""

    SUBMITTED = "submitted_at"
    SUBMITTED_DESC = "-submitted_at"
    AMOUNT = "amount"
    AMOUNT_DESC = "-amount"
    RANK = "rank"


_ORDER = {
    ApplicationSort.SUBMITTED: (applications.c.submitted_at,),
    ApplicationSort.SUBMITTED_DESC: (applications.c.submitted_at.desc(),),
    ApplicationSort.AMOUNT: (applications.c.amount,),
    ApplicationSort.AMOUNT_DESC: (applications.c.amount.desc(),),
    # Ties in score go to the earlier submission.
    ApplicationSort.RANK: (
        applications.c.mean_score.desc().nulls_last(),
        applications.c.submitted_at,
    ),
}


def visible_to(principal: Principal) -> list[ColumnElement[bool]]:
    """What the caller may see: applicants their own, assessors what they may score."""
    if principal.role is Role.APPLICANT:
        return [applications.c.organisation_id == principal.organisation_id]
    if principal.role is Role.ASSESSOR:
        return [
            applications.c.status.in_([s.value for s in ASSESSMENT]),
            not_(applications.c.conflicted_assessors.any(principal.user_id)),
        ]
    return []


async def _page(
    conn: AsyncConnection, query: Select[tuple[object, ...]], limit: int, offset: int
) -> tuple[int, list[RowMapping]]:
    total = await conn.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = await conn.execute(query.limit(limit).offset(offset))
    return int(total or 0), list(rows.mappings())


async def list_applications(
    conn: AsyncConnection,
    principal: Principal,
    round_id: str,
    filters: dict[str, str | None],
    sort: ApplicationSort,
    limit: int,
    offset: int,
) -> tuple[int, list[RowMapping]]:
    """One page of a round's applications the caller may see."""
    conditions = [
        applications.c.partnership_id == principal.partnership_id,
        applications.c.round_id == round_id,
        *visible_to(principal),
    ]
    conditions += [applications.c[name] == value for name, value in filters.items() if value]
    if sort is ApplicationSort.RANK:
        conditions.append(applications.c.mean_score.is_not(None))
    query = (
        select(applications)
        .where(*conditions)
        .order_by(*_ORDER[sort], applications.c.application_id)
    )
    return await _page(conn, query, limit, offset)


async def list_organisations(
    conn: AsyncConnection, partnership_id: str, kind: str | None, limit: int, offset: int
) -> tuple[int, list[RowMapping]]:
    """One page of the partnership's registry, by name."""
    conditions = [organisations.c.partnership_id == partnership_id]
    if kind:
        conditions.append(organisations.c.kind == kind)
    query = (
        select(organisations)
        .where(*conditions)
        .order_by(organisations.c.name, organisations.c.organisation_id)
    )
    return await _page(conn, query, limit, offset)


async def list_accreditations(
    conn: AsyncConnection,
    partnership_id: str,
    service_category: str | None,
    active_only: bool,
    limit: int,
    offset: int,
) -> tuple[int, list[RowMapping]]:
    """One page of accredited providers, by category and unit price."""
    conditions = [accreditations.c.partnership_id == partnership_id]
    if service_category:
        conditions.append(accreditations.c.service_category == service_category)
    if active_only:
        conditions.append(accreditations.c.active.is_(True))
    query = (
        select(accreditations)
        .where(*conditions)
        .order_by(
            accreditations.c.service_category,
            accreditations.c.unit_price,
            accreditations.c.organisation_id,
        )
    )
    return await _page(conn, query, limit, offset)
