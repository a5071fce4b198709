"""User registry routes: commissioners register and deactivate users; organisations list theirs."""

from fastapi import APIRouter, HTTPException, status
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
from services.applications.handlers import users as commands
from services.applications.queries import list_users
from shared.api import PageDep, RuntimeDep
from shared.auth import Role

router = APIRouter(prefix="/partnerships/{partnership_id}", tags=["users"], responses=ERRORS)


class RegisterUser(BaseModel):
    """A user of one of the partnership's organisations; the display name stays internal."""

    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=200, description="the `sub` of their tokens")
    display_name: str = Field(min_length=1, max_length=200)
    organisation_id: str = Field(min_length=1, examples=["GB-CHC-1234567"])
    roles: list[Role] = Field(min_length=1)


class Deactivation(BaseModel):
    """Why the user may no longer act in the partnership."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1)


class UserView(BaseModel):
    """A registered user."""

    user_id: str
    display_name: str
    organisation_id: str
    roles: list[Role]
    active: bool


class UserList(Paged):
    """One page of an organisation's users."""

    items: list[UserView]


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def post_user(
    partnership_id: str, body: RegisterUser, principal: Commissioner, runtime: RuntimeDep
) -> Recorded:
    """Register a user of a registered organisation, with the roles their tokens may carry."""
    with domain_errors():
        stored = await commands.register_user(
            runtime.engine,
            store_of(runtime),
            context(principal),
            body.user_id,
            body.display_name,
            body.organisation_id,
            body.roles,
        )
    return recorded(body.user_id, stored)


@router.post("/users/{user_id}/deactivation", response_model=Recorded)
async def post_deactivation(
    partnership_id: str,
    user_id: str,
    body: Deactivation,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Deactivate a user: every token of theirs is refused (403) from now on."""
    with domain_errors():
        stored = await commands.deactivate_user(
            runtime.engine, store_of(runtime), context(principal), user_id, body.reason
        )
    return recorded(user_id, stored)


@router.get("/organisations/{organisation_id}/users", response_model=UserList)
async def get_users(
    partnership_id: str,
    organisation_id: str,
    principal: Member,
    runtime: RuntimeDep,
    page: PageDep,
) -> UserList:
    """An organisation's registered users: for commissioners, and for the organisation's own."""
    if principal.role is not Role.COMMISSIONER and principal.organisation_id != organisation_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"a {principal.role} of {principal.organisation_id} may not list the users "
            f"of {organisation_id}",
        )
    async with runtime.engine.connect() as conn:
        found = await list_users(conn, partnership_id, organisation_id, page.limit, page.offset)
    return page_of(UserList, UserView, found, page)
