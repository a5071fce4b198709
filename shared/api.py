"""Pieces every service's API uses: the running service, partnership guards, 422s, paging."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from shared.auth import Principal, Role, require_partnership, require_roles
from shared.runtime import ServiceRuntime

MAX_PAGE = 200


def get_runtime(request: Request) -> ServiceRuntime:
    """The engine, broker and store the service's lifespan started."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


def partnership_member(*roles: Role) -> Callable[[str, Principal], Awaitable[Principal]]:
    """A dependency: the caller holds one of `roles` in the partnership the path names, else 403."""
    has_role = require_roles(*roles)

    # No `from __future__ import annotations` here: FastAPI must see `has_role`, a local, at once.
    async def member(
        partnership_id: str, principal: Annotated[Principal, Depends(has_role)]
    ) -> Principal:
        require_partnership(principal, partnership_id)
        return principal

    return member


def unprocessable(error: ValidationError) -> RequestValidationError:
    """Turn a rule the request body breaks deeper down into the same 422 as a malformed body."""
    errors = error.errors(include_url=False, include_context=False, include_input=False)
    return RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors])


class Page(BaseModel):
    """Limit and offset of a listing."""

    limit: int
    offset: int


def page(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="items per page")] = 50,
    offset: Annotated[int, Query(ge=0, description="items to skip")] = 0,
) -> Page:
    """Paging parameters, bounded so no request can ask for a whole table."""
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(page)]
