"""Listings of schemes and rounds, and the assessors assigned to a round."""

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from services.applications.api.common import (
    ERRORS,
    Commissioner,
    Member,
    Paged,
    Recorded,
    context,
    domain_errors,
    page_of,
    recorded,
    store_of,
)
from services.applications.api.guards import registered_member
from services.applications.handlers import schemes as commands
from services.applications.handlers.streams import load_round
from services.applications.queries import (
    CatalogueFilter,
    RoundStatus,
    list_rounds,
    list_schemes,
    round_status,
)
from shared.api import PageDep, RuntimeDep
from shared.auth import Principal, Role
from shared.contracts.applications import DecisionMode
from shared.contracts.funding import Mechanism

PanelReader = Annotated[
    Principal, Depends(registered_member(Role.COMMISSIONER, Role.AUDITOR, Role.ASSESSOR))
]
router = APIRouter(prefix="/partnerships/{partnership_id}", tags=["schemes"], responses=ERRORS)


class SchemeSummary(BaseModel):
    """A scheme in the partnership's listing."""

    scheme_id: str
    name: str
    mechanism: Mechanism
    fund_id: str
    pot_id: str | None
    decision_mode: DecisionMode


class SchemeList(Paged):
    """One page of the partnership's schemes."""

    items: list[SchemeSummary]


class RoundSummary(BaseModel):
    """A round in the partnership's listing, with its status today."""

    round_id: str
    scheme_id: str
    name: str
    mechanism: Mechanism
    fund_id: str
    decision_mode: DecisionMode
    opens_on: date
    closes_on: date
    closed_on: date | None
    status: RoundStatus
    # Commissioners and auditors only: how many drafts are in progress (never their content).
    drafts_in_progress: int | None = None


class RoundList(Paged):
    """One page of the partnership's rounds."""

    items: list[RoundSummary]


@router.get("/schemes", response_model=SchemeList)
async def get_schemes(
    partnership_id: str,
    principal: Member,
    runtime: RuntimeDep,
    page: PageDep,
    mechanism: Mechanism | None = None,
    fund_id: str | None = None,
    decision_mode: DecisionMode | None = None,
    status: RoundStatus | None = None,
) -> SchemeList:
    """The partnership's schemes by name; `status` keeps those with a round open, upcoming or
    closed today."""
    wanted = CatalogueFilter(
        mechanism=mechanism.value if mechanism else None,
        fund_id=fund_id,
        decision_mode=decision_mode.value if decision_mode else None,
        status=status,
    )
    today = datetime.now(UTC).date()
    async with runtime.engine.connect() as conn:
        found = await list_schemes(conn, partnership_id, wanted, today, page.limit, page.offset)
    return page_of(SchemeList, SchemeSummary, found, page)


async def _rounds(
    principal: Member, runtime: RuntimeDep, page: PageDep, wanted: CatalogueFilter
) -> RoundList:
    today = datetime.now(UTC).date()
    async with runtime.engine.connect() as conn:
        total, rows = await list_rounds(conn, principal, wanted, today, page.limit, page.offset)
    items = [
        RoundSummary(
            **{k: v for k, v in r.items() if k in RoundSummary.model_fields},
            status=round_status(r["opens_on"], r["closes_on"], r["closed_on"], today),
        )
        for r in rows
    ]
    return RoundList(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/rounds", response_model=RoundList)
async def get_rounds(
    partnership_id: str,
    principal: Member,
    runtime: RuntimeDep,
    page: PageDep,
    scheme_id: str | None = None,
    mechanism: Mechanism | None = None,
    fund_id: str | None = None,
    decision_mode: DecisionMode | None = None,
    status: RoundStatus | None = None,
) -> RoundList:
    """The partnership's rounds, latest opening first, filtered by scheme, mechanism, fund,
    decision mode and status today (open, upcoming, closed)."""
    wanted = CatalogueFilter(
        mechanism=mechanism.value if mechanism else None,
        fund_id=fund_id,
        decision_mode=decision_mode.value if decision_mode else None,
        status=status,
        scheme_id=scheme_id,
    )
    return await _rounds(principal, runtime, page, wanted)


@router.get("/schemes/{scheme_id}/rounds", response_model=RoundList)
async def get_scheme_rounds(
    partnership_id: str,
    scheme_id: str,
    principal: Member,
    runtime: RuntimeDep,
    page: PageDep,
    status: RoundStatus | None = None,
) -> RoundList:
    """One scheme's rounds, latest opening first, optionally by status today."""
    return await _rounds(
        principal, runtime, page, CatalogueFilter(scheme_id=scheme_id, status=status)
    )


class AssignAssessors(BaseModel):
    """The round's assessors: registered users with the assessor role (replaces the list)."""

    model_config = ConfigDict(extra="forbid")

    assessor_ids: list[str]


class RoundAssessors(BaseModel):
    """Who may see and score a round's applications."""

    round_id: str
    assessor_ids: list[str]


@router.put("/rounds/{round_id}/assessors", response_model=Recorded)
async def put_assessors(
    partnership_id: str,
    round_id: str,
    body: AssignAssessors,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Assign the round's assessors; only they may see, declare on and score its applications."""
    with domain_errors():
        stored = await commands.assign_assessors(
            runtime.engine, store_of(runtime), context(principal), round_id, body.assessor_ids
        )
    return recorded(round_id, stored)


@router.get("/rounds/{round_id}/assessors", response_model=RoundAssessors)
async def get_assessors(
    partnership_id: str, round_id: str, principal: PanelReader, runtime: RuntimeDep
) -> RoundAssessors:
    """The round's assigned assessors (empty until a commissioner assigns them); not shown to
    applicants, who must not learn whom to lobby."""
    with domain_errors():
        async with runtime.engine.connect() as conn:
            current = await load_round(conn, store_of(runtime), partnership_id, round_id)
    return RoundAssessors(round_id=round_id, assessor_ids=list(current.assessor_ids or ()))
