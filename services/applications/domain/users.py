"""The user registry: who may act for which organisation of the partnership (docs/adr/0020)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.applications.domain.errors import ConflictError, NotFoundError, RuleViolationError
from shared.auth import Principal, Role
from shared.contracts.applications import (
    OrganisationRegistered,
    UserDeactivated,
    UserRegistered,
)
from shared.contracts.base import DomainEvent


@dataclass(frozen=True)
class User:
    """A registered user: organisation, roles, and whether they may still act."""

    user_id: str
    organisation_id: str
    roles: tuple[Role, ...]
    active: bool


def user_of(events: Iterable[DomainEvent]) -> User | None:
    """Fold a user's stream; None when never registered."""
    state: User | None = None
    for event in events:
        if isinstance(event, UserRegistered):
            state = User(event.user_id, event.organisation_id, event.roles, active=True)
        elif isinstance(event, UserDeactivated) and state is not None:
            state = User(state.user_id, state.organisation_id, state.roles, active=False)
    return state


def register_user(
    existing: User | None,
    organisation: OrganisationRegistered | None,
    user_id: str,
    display_name: str,
    organisation_id: str,
    roles: Sequence[Role],
) -> UserRegistered:
    """Register a user of a registered organisation; a deactivated user may be registered anew."""
    if existing is not None and existing.active:
        raise ConflictError(
            f"user {user_id} is already registered for {existing.organisation_id}; "
            "deactivate them first to register them again"
        )
    if organisation is None:
        raise RuleViolationError.single(
            "organisation_id",
            f"organisation {organisation_id} is not registered in the partnership: register it "
            "before its users",
        )
    unique = tuple(dict.fromkeys(roles))
    if not unique:
        raise RuleViolationError.single("roles", "a user needs at least one role")
    if not display_name.strip():
        raise RuleViolationError.single("display_name", "a user needs a display name")
    return UserRegistered(
        user_id=user_id,
        display_name=display_name.strip(),
        organisation_id=organisation_id,
        roles=unique,
    )


def deactivate_user(existing: User | None, user_id: str, reason: str) -> UserDeactivated:
    """Stop a registered user acting in the partnership."""
    if existing is None:
        raise NotFoundError(f"no registered user {user_id!r} in the partnership")
    if not existing.active:
        raise ConflictError(f"user {user_id} is already deactivated")
    return UserDeactivated(user_id=user_id, organisation_id=existing.organisation_id, reason=reason)


def token_refusal(user: User | None, principal: Principal) -> str | None:
    """Why the registry refuses a token, or None; unregistered users pass (docs/adr/0020)."""
    if user is None:
        return None
    who = f"user {principal.user_id}"
    if not user.active:
        return f"{who} was deactivated in partnership {principal.partnership_id}"
    if user.organisation_id != principal.organisation_id:
        return (
            f"the token names organisation {principal.organisation_id}, but {who} is "
            f"registered for {user.organisation_id}"
        )
    if principal.role not in user.roles:
        registered = ", ".join(user.roles)
        return f"the token's role {principal.role} is not one of {who}'s roles: {registered}"
    return None
