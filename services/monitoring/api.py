"""Monitoring's HTTP API: the services awarded in a partnership, as monitoring knows them."""

from datetime import date
from uuid import UUID

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict

from services.monitoring.api_support import Reader
from services.monitoring.queries import get_service, list_services, reading
from shared.api import PageDep, RuntimeDep
from shared.contracts.base import Money

router = APIRouter(prefix="/partnerships/{partnership_id}/services", tags=["services"])


class AwardedService(BaseModel):
    """A service monitoring learned of from a `GrantAwarded` or `ContractAwarded` event."""

    model_config = ConfigDict(from_attributes=True)

    award_id: str
    partnership_id: str
    recipient_organisation_id: str
    recipient_name: str
    title: str
    amount: Money
    start_date: date
    end_date: date
    event_id: UUID | None  # funding's award event (None if the plan did not record its cause)


class AwardedServices(BaseModel):
    """One page of awarded services."""

    items: list[AwardedService]
    total: int
    limit: int
    offset: int


@router.get("", response_model=AwardedServices)
async def get_services(
    partnership_id: str, principal: Reader, runtime: RuntimeDep, page: PageDep
) -> AwardedServices:
    """The awarded services the caller may see, by start date."""
    async with reading(runtime.engine) as conn:
        total, rows = await list_services(conn, principal, page.limit, page.offset)
    return AwardedServices(
        items=[AwardedService.model_validate(dict(r)) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/{award_id}",
    response_model=AwardedService,
    responses={404: {"description": "monitoring knows no such award (yet)"}},
)
async def get_awarded_service(
    partnership_id: str, award_id: str, principal: Reader, runtime: RuntimeDep
) -> AwardedService:
    """One awarded service; 404 until its award event has arrived (or if it is not yours)."""
    async with reading(runtime.engine) as conn:
        row = await get_service(conn, principal, award_id)
    if row is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"no awarded service {award_id!r} in partnership {partnership_id!r}",
        )
    return AwardedService.model_validate(dict(row))
