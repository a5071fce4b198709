"""Draft routes: an applicant saves, updates, reads, lists and submits its drafts.

Drafts are the applicant organisation's own: anyone else gets 404, as if absent; commissioners
and auditors see only how many drafts a round has in progress (docs/adr/0023).
"""

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from services.applications.api.common import (
    ERRORS,
    Applicant,
    Paged,
    Recorded,
    context,
    domain_errors,
    page_of,
    recorded,
    store_of,
)
from services.applications.domain.drafts import draft_of
from services.applications.domain.errors import NotFoundError
from services.applications.handlers import drafts as commands
from services.applications.handlers.base import history
from services.applications.handlers.streams import new_id
from services.applications.queries import list_drafts
from shared.api import PageDep, RuntimeDep
from shared.contracts.applications import DraftContent
from shared.contracts.base import Money

router = APIRouter(prefix="/partnerships/{partnership_id}", tags=["drafts"], responses=ERRORS)


class DraftView(BaseModel):
    """A draft as last saved."""

    application_id: str
    round_id: str
    scheme_id: str
    organisation_id: str
    content: DraftContent
    saved_at: datetime
    submitted: bool


class DraftSummary(BaseModel):
    """A draft in the organisation's listing."""

    application_id: str
    round_id: str
    title: str
    amount: Money | None
    saved_at: datetime


class DraftList(Paged):
    """One page of the organisation's drafts in progress."""

    items: list[DraftSummary]


@router.post(
    "/rounds/{round_id}/drafts", status_code=status.HTTP_201_CREATED, response_model=Recorded
)
async def post_draft(
    partnership_id: str,
    round_id: str,
    body: DraftContent,
    principal: Applicant,
    runtime: RuntimeDep,
    response: Response,
) -> Recorded:
    """Save a draft application of the caller's organisation to an open round."""
    application_id = new_id("app")
    with domain_errors():
        stored = await commands.save_draft(
            runtime.engine, store_of(runtime), context(principal), application_id, round_id, body
        )
    response.headers["Location"] = f"/partnerships/{partnership_id}/drafts/{application_id}"
    return recorded(application_id, stored)


@router.put("/drafts/{application_id}", response_model=Recorded)
async def put_draft(
    partnership_id: str,
    application_id: str,
    body: DraftContent,
    principal: Applicant,
    runtime: RuntimeDep,
) -> Recorded:
    """Replace the draft's content while its round is open."""
    with domain_errors():
        stored = await commands.update_draft(
            runtime.engine, store_of(runtime), context(principal), application_id, body
        )
    return recorded(application_id, stored)


@router.get("/drafts/{application_id}", response_model=DraftView)
async def get_draft(
    partnership_id: str, application_id: str, principal: Applicant, runtime: RuntimeDep
) -> DraftView:
    """The caller's organisation's draft as last saved."""
    async with runtime.engine.connect() as conn:
        past = await history(conn, store_of(runtime), partnership_id, application_id)
    state = draft_of(past)
    with domain_errors():
        if state is None or state.drafted.organisation_id != principal.organisation_id:
            raise NotFoundError(
                f"no draft {application_id!r} of {principal.organisation_id} in partnership "
                f"{partnership_id!r}"
            )
    return DraftView(
        **state.drafted.model_dump(include={"application_id", "round_id", "scheme_id"}),
        organisation_id=state.drafted.organisation_id,
        content=state.content,
        saved_at=state.saved_at,
        submitted=state.submitted,
    )


@router.get("/drafts", response_model=DraftList)
async def get_drafts(
    partnership_id: str,
    principal: Applicant,
    runtime: RuntimeDep,
    page: PageDep,
    round_id: str | None = None,
) -> DraftList:
    """The caller's organisation's drafts not yet submitted, last saved first."""
    async with runtime.engine.connect() as conn:
        found = await list_drafts(conn, principal, round_id, page.limit, page.offset)
    return page_of(DraftList, DraftSummary, found, page)


@router.post("/drafts/{application_id}/submission", response_model=Recorded)
async def post_submission(
    partnership_id: str,
    application_id: str,
    principal: Applicant,
    runtime: RuntimeDep,
    response: Response,
) -> Recorded:
    """Submit the draft: refused, naming each rule, when the round is not open, the amount is
    above the maximum, the organisation's kind is not eligible or a field is missing."""
    with domain_errors():
        stored = await commands.submit_draft(
            runtime.engine, store_of(runtime), context(principal), application_id
        )
    response.headers["Location"] = f"/partnerships/{partnership_id}/applications/{application_id}"
    return recorded(application_id, stored)
