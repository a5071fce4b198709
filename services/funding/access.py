"""What funding's routers share: who may call, and running a decision as an HTTP command."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, HTTPException, status
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError

from services.funding.domain import Fund, FundingError, NotFoundError
from services.funding.handlers import Decide, actor_of, execute, load_fund
from shared.api import partnership_member, unprocessable
from shared.auth import Principal, Role
from shared.eventstore.envelope import Envelope
from shared.eventstore.store import ConcurrencyError
from shared.runtime import ServiceRuntime

Commissioner = Annotated[Principal, Depends(partnership_member(Role.COMMISSIONER))]
Member = Annotated[
    Principal,
    Depends(partnership_member(Role.COMMISSIONER, Role.AUDITOR, Role.PARTNER, Role.APPLICANT)),
]
OVERSIGHT = (Role.COMMISSIONER, Role.AUDITOR)  # see every fund and award of their partnership


class Recorded(BaseModel):
    """The events a command recorded in the funding store."""

    event_ids: list[UUID]
    positions: list[int]
    stream_version: int


def recorded(stored: list[Envelope]) -> Recorded:
    return Recorded(
        event_ids=[e.event_id for e in stored],
        positions=[e.position for e in stored],
        stream_version=stored[-1].stream_version if stored else 0,
    )


def refused(error: FundingError) -> HTTPException:
    """404 for what does not exist (here), 409 for what the fund's state does not allow."""
    code = (
        status.HTTP_404_NOT_FOUND if isinstance(error, NotFoundError) else status.HTTP_409_CONFLICT
    )
    return HTTPException(code, detail=str(error))


async def command(
    runtime: ServiceRuntime, principal: Principal, fund_id: str, decide: Decide
) -> list[Envelope]:
    """Run a decision on a fund in one transaction; refusals become 404/409/422 answers."""
    try:
        async with runtime.engine.begin() as conn:
            return await execute(
                conn,
                runtime.store,
                principal.partnership_id,
                fund_id,
                decide,
                actor_of(principal),
                datetime.now(UTC),
            )
    except FundingError as error:
        raise refused(error) from error
    except ValidationError as error:
        raise unprocessable(error) from error
    except ConcurrencyError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from error
    except IntegrityError as error:  # two establishments of one fund id raced: the first won
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail=f"fund {fund_id!r} already exists"
        ) from error


async def readable_fund(runtime: ServiceRuntime, principal: Principal, fund_id: str) -> Fund:
    """The fund, if the caller may read it: oversight roles, or a partner paying into the pool."""
    async with runtime.engine.connect() as conn:
        try:
            fund = await load_fund(conn, runtime.store, principal.partnership_id, fund_id)
        except NotFoundError as error:
            raise refused(error) from error
    member = fund is not None and (
        principal.role in OVERSIGHT
        or (principal.role is Role.PARTNER and principal.organisation_id in fund.contributors)
    )
    if fund is None or not member:
        # A fund the caller may not see is reported as unknown: its id must not leak.
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"no fund {fund_id!r} you may read in partnership {principal.partnership_id!r}",
        )
    return fund
