"""Scheme and round routes, and the ranking of a round."""

from datetime import date
from decimal import Decimal

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from services.applications.api.common import (
    ERRORS,
    Commissioner,
    Member,
    Reader,
    Recorded,
    context,
    domain_errors,
    recorded,
    store_of,
)
from services.applications.domain.schemes import LaunchScheme
from services.applications.handlers import schemes
from services.applications.handlers.streams import load_round, load_scheme, new_id
from services.applications.queries import ApplicationSort, list_applications
from shared.api import PageDep, RuntimeDep
from shared.contracts.applications import SchemeLaunched
from shared.contracts.base import Money

router = APIRouter(prefix="/partnerships/{partnership_id}", tags=["schemes"], responses=ERRORS)


@router.post("/schemes", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def post_scheme(
    partnership_id: str, body: LaunchScheme, principal: Commissioner, runtime: RuntimeDep
) -> Recorded:
    """Launch a funding scheme: mechanism, fund, eligibility rules, decision mode."""
    with domain_errors():
        stored = await schemes.launch(runtime.engine, store_of(runtime), context(principal), body)
    return recorded(body.scheme_id, stored)


@router.get("/schemes/{scheme_id}", response_model=SchemeLaunched)
async def get_scheme(
    partnership_id: str, scheme_id: str, principal: Member, runtime: RuntimeDep
) -> SchemeLaunched:
    """A scheme as launched."""
    with domain_errors():
        async with runtime.engine.connect() as conn:
            return await load_scheme(conn, store_of(runtime), partnership_id, scheme_id)


class OpenRound(BaseModel):
    """A round of a scheme, accepting applications between two dates inclusive."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    opens_on: date
    closes_on: date


class RoundView(BaseModel):
    """A round and whether it is closed."""

    round_id: str
    scheme_id: str
    name: str
    opens_on: date
    closes_on: date
    closed_on: date | None


@router.post(
    "/schemes/{scheme_id}/rounds", status_code=status.HTTP_201_CREATED, response_model=Recorded
)
async def post_round(
    partnership_id: str,
    scheme_id: str,
    body: OpenRound,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Open a round of a scheme."""
    round_id = new_id("round")
    with domain_errors():
        stored = await schemes.open_round(
            runtime.engine,
            store_of(runtime),
            context(principal),
            scheme_id,
            round_id,
            body.name,
            (body.opens_on, body.closes_on),
        )
    return recorded(round_id, stored)


@router.get("/rounds/{round_id}", response_model=RoundView)
async def get_round(
    partnership_id: str, round_id: str, principal: Member, runtime: RuntimeDep
) -> RoundView:
    """A round: its scheme, dates and whether it was closed."""
    with domain_errors():
        async with runtime.engine.connect() as conn:
            current = await load_round(conn, store_of(runtime), partnership_id, round_id)
    return RoundView(**current.opened.model_dump(), closed_on=current.closed_on)


@router.post("/rounds/{round_id}/closure", response_model=Recorded)
async def post_round_closure(
    partnership_id: str, round_id: str, principal: Commissioner, runtime: RuntimeDep
) -> Recorded:
    """Close a round to further applications."""
    with domain_errors():
        stored = await schemes.close_round(
            runtime.engine, store_of(runtime), context(principal), round_id
        )
    return recorded(round_id, stored)


class Ranked(BaseModel):
    """An application's place in its round's ranking."""

    rank: int
    application_id: str
    organisation_name: str
    title: str
    amount: Money
    mean_score: Decimal


class Ranking(BaseModel):
    """The scored applications of a round, best mean weighted score first."""

    round_id: str
    items: list[Ranked]
    total: int


@router.get("/rounds/{round_id}/ranking", response_model=Ranking)
async def get_ranking(
    partnership_id: str, round_id: str, principal: Reader, runtime: RuntimeDep, page: PageDep
) -> Ranking:
    """The round's scored applications ranked by mean weighted score (ties: earlier first)."""
    with domain_errors():
        async with runtime.engine.connect() as conn:
            await load_round(conn, store_of(runtime), partnership_id, round_id)
            total, rows = await list_applications(
                conn, principal, round_id, {}, ApplicationSort.RANK, page.limit, page.offset
            )
    items = [
        Ranked(rank=page.offset + n, **{k: r[k] for k in Ranked.model_fields if k != "rank"})
        for n, r in enumerate(rows, start=1)
    ]
    return Ranking(round_id=round_id, items=items, total=total)
