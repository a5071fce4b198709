"""Queries on the read models: listings with filters, sorting and paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, exists, func, not_, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.applications.domain.applications import ASSESSMENT
from services.applications.domain.users import User
from services.applications.projections import (
    accreditations,
    applications,
    drafts,
    mapped,
    organisations,
    rounds,
    schemes,
    users,
)
from shared.auth import Principal, Role


class ApplicationSort(StrEnum):
    """Orders of a round's applications; `rank` is best mean score first (the ranking)."""

    SUBMITTED = "submitted_at"
    SUBMITTED_DESC = "-submitted_at"
    AMOUNT = "amount"
    AMOUNT_DESC = "-amount"
    RANK = "rank"


# Who sees how many drafts a round has in progress (a count, never a draft's content).
DRAFT_COUNTERS = frozenset({Role.COMMISSIONER, Role.AUDITOR})

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
    conn = await mapped(conn)
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


class RoundStatus(StrEnum):
    """Where a round stands today: not yet open, accepting applications, or closed."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def round_status(
    opens_on: date, closes_on: date, closed_on: date | None, today: date
) -> RoundStatus:
    """A round's status on `today` (the same rule as `not_accepting` in the domain)."""
    if closed_on is not None or today > closes_on:
        return RoundStatus.CLOSED
    return RoundStatus.UPCOMING if today < opens_on else RoundStatus.OPEN


def _round_in(status: RoundStatus, today: date) -> ColumnElement[bool]:
    closed = or_(rounds.c.closed_on.is_not(None), rounds.c.closes_on < today)
    if status is RoundStatus.CLOSED:
        return closed
    if status is RoundStatus.UPCOMING:
        return and_(not_(closed), rounds.c.opens_on > today)
    return and_(not_(closed), rounds.c.opens_on <= today)


@dataclass(frozen=True)
class CatalogueFilter:
    """Filters of the scheme and round listings; None matches anything."""

    mechanism: str | None = None
    fund_id: str | None = None
    decision_mode: str | None = None
    status: RoundStatus | None = None
    scheme_id: str | None = None


async def list_rounds(
    conn: AsyncConnection,
    principal: Principal,
    wanted: CatalogueFilter,
    today: date,
    limit: int,
    offset: int,
) -> tuple[int, list[RowMapping]]:
    """One page of the partnership's rounds, latest opening first; commissioners and auditors
    also see how many drafts are in progress (never what they say: docs/adr/0023)."""
    conditions = [rounds.c.partnership_id == principal.partnership_id]
    for name in ("mechanism", "fund_id", "decision_mode", "scheme_id"):
        if (value := getattr(wanted, name)) is not None:
            conditions.append(rounds.c[name] == value)
    if wanted.status is not None:
        conditions.append(_round_in(wanted.status, today))
    in_progress = (
        select(func.count())
        .where(drafts.c.round_id == rounds.c.round_id)
        .scalar_subquery()
        .label("drafts_in_progress")
    )
    columns = [rounds, in_progress] if principal.role in DRAFT_COUNTERS else [rounds]
    query = (
        select(*columns)
        .where(*conditions)
        .order_by(rounds.c.opens_on.desc(), rounds.c.name, rounds.c.round_id)
    )
    return await _page(conn, query, limit, offset)


async def list_schemes(
    conn: AsyncConnection,
    partnership_id: str,
    wanted: CatalogueFilter,
    today: date,
    limit: int,
    offset: int,
) -> tuple[int, list[RowMapping]]:
    """One page of the partnership's schemes by name; `status` keeps schemes with such a round."""
    conditions = [schemes.c.partnership_id == partnership_id]
    for name in ("mechanism", "fund_id", "decision_mode", "scheme_id"):
        if (value := getattr(wanted, name)) is not None:
            conditions.append(schemes.c[name] == value)
    if wanted.status is not None:
        conditions.append(
            exists().where(
                rounds.c.partnership_id == partnership_id,
                rounds.c.scheme_id == schemes.c.scheme_id,
                _round_in(wanted.status, today),
            )
        )
    query = select(schemes).where(*conditions).order_by(schemes.c.name, schemes.c.scheme_id)
    return await _page(conn, query, limit, offset)


async def list_drafts(
    conn: AsyncConnection, principal: Principal, round_id: str | None, limit: int, offset: int
) -> tuple[int, list[RowMapping]]:
    """One page of the caller's organisation's unsubmitted drafts, last saved first."""
    conditions = [
        drafts.c.partnership_id == principal.partnership_id,
        drafts.c.organisation_id == principal.organisation_id,
    ]
    if round_id:
        conditions.append(drafts.c.round_id == round_id)
    query = (
        select(drafts)
        .where(*conditions)
        .order_by(drafts.c.saved_at.desc(), drafts.c.application_id)
    )
    return await _page(conn, query, limit, offset)


async def list_users(
    conn: AsyncConnection, partnership_id: str, organisation_id: str, limit: int, offset: int
) -> tuple[int, list[RowMapping]]:
    """One page of an organisation's registered users, by user id."""
    query = (
        select(users)
        .where(users.c.partnership_id == partnership_id, users.c.organisation_id == organisation_id)
        .order_by(users.c.user_id)
    )
    return await _page(conn, query, limit, offset)


async def registered_user(conn: AsyncConnection, partnership_id: str, user_id: str) -> User | None:
    """The registry's entry for a token's user, if the user is registered."""
    conn = await mapped(conn)
    row = (
        await conn.execute(
            select(users).where(
                users.c.partnership_id == partnership_id, users.c.user_id == user_id
            )
        )
    ).one_or_none()
    if row is None:
        return None
    return User(row.user_id, row.organisation_id, tuple(Role(r) for r in row.roles), row.active)
