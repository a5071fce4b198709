"""Registry routes: plan priorities, organisations, Any Qualified Provider accreditation."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

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
from services.applications.domain.registry import plan_priorities
from services.applications.handlers import registry
from services.applications.handlers.base import history
from services.applications.handlers.streams import partnership_stream
from services.applications.queries import list_accreditations, list_organisations
from shared.api import PageDep, RuntimeDep
from shared.auth import Principal, Role
from shared.contracts.applications import OrganisationKind
from shared.contracts.base import Money

router = APIRouter(prefix="/partnerships/{partnership_id}", tags=["registry"], responses=ERRORS)
Registrar = Annotated[
    Principal,
    Depends(registered_member(Role.COMMISSIONER, Role.APPLICANT)),
]


class Priorities(BaseModel):
    """The partnership's Police and Crime Plan priorities."""

    priorities: list[str] = Field(min_length=1)


@router.put("/plan-priorities", response_model=Recorded)
async def put_priorities(
    partnership_id: str, body: Priorities, principal: Commissioner, runtime: RuntimeDep
) -> Recorded:
    """Set the Police and Crime Plan priorities applications must serve."""
    with domain_errors():
        stored = await registry.set_priorities(
            runtime.engine, store_of(runtime), context(principal), body.priorities
        )
    return recorded(partnership_id, stored)


@router.get("/plan-priorities", response_model=Priorities)
async def get_priorities(partnership_id: str, principal: Member, runtime: RuntimeDep) -> Priorities:
    """The partnership's current plan priorities."""
    async with runtime.engine.connect() as conn:
        past = await history(
            conn, store_of(runtime), partnership_id, partnership_stream(partnership_id)[1]
        )
    current = plan_priorities(past)
    if not current:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{partnership_id} has set no priorities")
    return Priorities(priorities=list(current))


class RegisterOrganisation(BaseModel):
    """An organisation to register; public-body defaults from its kind."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: str = Field(min_length=1, examples=["GB-CHC-1234567"])
    name: str = Field(min_length=1)
    kind: OrganisationKind
    is_public_body: bool | None = None


class OrganisationView(BaseModel):
    """An organisation in the registry."""

    organisation_id: str
    name: str
    kind: OrganisationKind
    is_public_body: bool


class Organisations(Paged):
    """One page of the registry."""

    items: list[OrganisationView]


@router.post("/organisations", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def post_organisation(
    partnership_id: str, body: RegisterOrganisation, principal: Registrar, runtime: RuntimeDep
) -> Recorded:
    """Register an organisation (an applicant may register only its own)."""
    if principal.role is Role.APPLICANT and body.organisation_id != principal.organisation_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"an applicant of {principal.organisation_id} may not register {body.organisation_id}",
        )
    with domain_errors():
        stored = await registry.register_organisation(
            runtime.engine,
            store_of(runtime),
            context(principal),
            body.organisation_id,
            body.name,
            body.kind,
            body.is_public_body,
        )
    return recorded(body.organisation_id, stored)


@router.get("/organisations", response_model=Organisations)
async def get_organisations(
    partnership_id: str,
    principal: Member,
    runtime: RuntimeDep,
    page: PageDep,
    kind: OrganisationKind | None = None,
) -> Organisations:
    """The partnership's registered organisations, by name."""
    async with runtime.engine.connect() as conn:
        found = await list_organisations(
            conn, partnership_id, kind.value if kind else None, page.limit, page.offset
        )
    return page_of(Organisations, OrganisationView, found, page)


class Accredit(BaseModel):
    """Accredit a provider for a service category at a unit price."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: str
    service_category: str = Field(min_length=1)
    unit_price: Money = Field(gt=0)


class Revoke(BaseModel):
    """Revoke a provider's accreditation for a service category."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: str
    service_category: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class AccreditationView(BaseModel):
    """An accredited (or formerly accredited) provider."""

    organisation_id: str
    organisation_name: str
    service_category: str
    unit_price: Money
    active: bool


class Accreditations(Paged):
    """One page of providers."""

    items: list[AccreditationView]


@router.post("/accreditations", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def post_accreditation(
    partnership_id: str, body: Accredit, principal: Commissioner, runtime: RuntimeDep
) -> Recorded:
    """Accredit a registered provider for a service category (Any Qualified Provider)."""
    with domain_errors():
        stored = await registry.accredit(
            runtime.engine,
            store_of(runtime),
            context(principal),
            body.organisation_id,
            body.service_category,
            body.unit_price,
        )
    return recorded(body.organisation_id, stored)


@router.post("/accreditations/revocations", response_model=Recorded)
async def post_revocation(
    partnership_id: str, body: Revoke, principal: Commissioner, runtime: RuntimeDep
) -> Recorded:
    """Revoke a provider's accreditation for a service category."""
    with domain_errors():
        stored = await registry.revoke(
            runtime.engine,
            store_of(runtime),
            context(principal),
            body.organisation_id,
            body.service_category,
            body.reason,
        )
    return recorded(body.organisation_id, stored)


@router.get("/accreditations", response_model=Accreditations)
async def get_accreditations(
    partnership_id: str,
    principal: Member,
    runtime: RuntimeDep,
    page: PageDep,
    service_category: str | None = None,
    active: Annotated[bool, Query(description="only current accreditations")] = True,
) -> Accreditations:
    """Accredited providers, by service category and unit price."""
    async with runtime.engine.connect() as conn:
        found = await list_accreditations(
            conn, partnership_id, service_category, active, page.limit, page.offset
        )
    return page_of(Accreditations, AccreditationView, found, page)
