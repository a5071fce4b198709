"""The applications service's sign-in guard: partnership, role, and the user registry."""

# No `from __future__ import annotations` here: FastAPI must see `member`, a local, at once.
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, status

from services.applications.domain.users import token_refusal
from services.applications.queries import registered_user
from shared.api import RuntimeDep, partnership_member
from shared.auth import Principal, Role


def registered_member(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency: a member of the path's partnership in one of `roles` (else 403), whose
    token agrees with the user registry when the user is registered (docs/adr/0020)."""
    member = partnership_member(*roles)

    async def check(
        runtime: RuntimeDep, principal: Annotated[Principal, Depends(member)]
    ) -> Principal:
        async with runtime.engine.connect() as conn:
            user = await registered_user(conn, principal.partnership_id, principal.user_id)
        if refusal := token_refusal(user, principal):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=refusal)
        return principal

    return check
