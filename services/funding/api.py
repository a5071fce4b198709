"""Funding's HTTP API: award grants and read an award's history."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Response, status
from pydantic import BaseModel, ValidationError

from services.funding.domain import AwardGrant
from services.funding.handlers import award_history, handle_award_grant, new_award_id
from shared.api import RuntimeDep, partnership_member, unprocessable
from shared.auth import Principal, Role
from shared.eventstore.envelope import Envelope

router = APIRouter(prefix="/partnerships/{partnership_id}/awards", tags=["awards"])

Commissioner = Annotated[Principal, Depends(partnership_member(Role.COMMISSIONER))]
Reader = Annotated[
    Principal, Depends(partnership_member(Role.COMMISSIONER, Role.PARTNER, Role.AUDITOR))
]


class AwardRecorded(BaseModel):
    """Where the award's `GrantAwarded` event sits in the funding store."""

    award_id: str
    event_id: UUID
    position: int
    stream_version: int


class AwardHistory(BaseModel):
    """An award's events, oldest first."""

    award_id: str
    events: list[Envelope]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AwardRecorded)
async def post_award(
    partnership_id: str,
    command: AwardGrant,
    principal: Commissioner,
    runtime: RuntimeDep,
    response: Response,
) -> AwardRecorded:
    """Award a grant from a fund to a recipient organisation (records `GrantAwarded`)."""
    award_id = new_award_id()
    try:
        stored = await handle_award_grant(
            runtime.engine, runtime.store, command, award_id, principal, datetime.now(UTC)
        )
    except ValidationError as error:
        raise unprocessable(error) from error
    response.headers["Location"] = f"/partnerships/{partnership_id}/awards/{award_id}"
    return AwardRecorded(
        award_id=award_id,
        event_id=stored.event_id,
        position=stored.position,
        stream_version=stored.stream_version,
    )


@router.get(
    "/{award_id}",
    response_model=AwardHistory,
    responses={404: {"description": "no such award in this partnership"}},
)
async def get_award(
    partnership_id: str, award_id: str, principal: Reader, runtime: RuntimeDep
) -> AwardHistory:
    """The award's history as recorded in the funding store."""
    events = await award_history(runtime.engine, runtime.store, award_id)
    # An award of another partnership is reported as unknown: its id must not leak.
    if not events or events[0].partnership_id != partnership_id:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"no award {award_id!r} in partnership {partnership_id!r}",
        )
    return AwardHistory(award_id=award_id, events=events)
