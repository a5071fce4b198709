"""The user registry against tokens, and the assessors assigned to a round."""

from __future__ import annotations

import pytest

from services.applications.domain.errors import ConflictError, NotFoundError, RuleViolationError
from services.applications.domain.schemes import Round, assessor_refusal, assign_assessors, round_of
from services.applications.domain.users import (
    User,
    deactivate_user,
    register_user,
    token_refusal,
    user_of,
)
from shared.auth import Principal, Role
from shared.contracts.base import DomainEvent
from tests.unit.applications.builders import BOXING_CLUB, a_round, launched

CLUB = BOXING_CLUB.organisation_id


def registered(*roles: Role) -> list[DomainEvent]:
    return [register_user(None, BOXING_CLUB, "u-7", " Sam Smith ", CLUB, roles)]


def token(org: str = CLUB, role: Role = Role.APPLICANT, user: str = "u-7") -> Principal:
    return Principal(user_id=user, organisation_id=org, partnership_id="dorset", role=role)


def test_a_user_is_registered_for_a_registered_organisation_with_roles() -> None:
    [event] = registered(Role.APPLICANT, Role.APPLICANT)
    state = user_of([event])
    assert state == User("u-7", CLUB, (Role.APPLICANT,), active=True)
    with pytest.raises(RuleViolationError, match="GB-CHC-7654321 is not registered"):
        register_user(None, None, "u-8", "Kim", "GB-CHC-7654321", [Role.APPLICANT])
    with pytest.raises(RuleViolationError, match="at least one role"):
        register_user(None, BOXING_CLUB, "u-8", "Kim", CLUB, [])


def test_a_registered_user_cannot_be_registered_twice_unless_deactivated_first() -> None:
    events = registered(Role.APPLICANT)
    state = user_of(events)
    with pytest.raises(ConflictError, match="already registered"):
        register_user(state, BOXING_CLUB, "u-7", "Sam", CLUB, [Role.APPLICANT])
    events.append(deactivate_user(state, "u-7", "left"))
    gone = user_of(events)
    assert gone is not None and not gone.active
    with pytest.raises(ConflictError, match="already deactivated"):
        deactivate_user(gone, "u-7", "again")
    again = register_user(gone, BOXING_CLUB, "u-7", "Sam", CLUB, [Role.APPLICANT])
    back = user_of([*events, again])
    assert back is not None and back.active
    with pytest.raises(NotFoundError):
        deactivate_user(None, "u-9", "never registered")


def test_tokens_must_agree_with_the_registry_once_a_user_is_registered() -> None:
    user = User("u-7", CLUB, (Role.APPLICANT,), active=True)
    assert token_refusal(None, token()) is None  # unregistered: allowed (docs/adr/0020)
    assert token_refusal(user, token()) is None
    other_org = token_refusal(user, token(org="GB-CHC-7654321"))
    assert other_org is not None and "registered for GB-CHC-1234567" in other_org
    wrong_role = token_refusal(user, token(role=Role.COMMISSIONER))
    assert wrong_role is not None and "not one of user u-7's roles: applicant" in wrong_role
    gone = token_refusal(User("u-7", CLUB, (Role.APPLICANT,), active=False), token())
    assert gone is not None and "deactivated" in gone


def panel_round() -> Round:
    return a_round(launched())


def test_assessors_must_be_active_registered_users_with_the_assessor_role() -> None:
    users = {
        "a-1": User("a-1", "GB-PLA-DORSET-OPCC", (Role.ASSESSOR,), active=True),
        "a-2": User("a-2", "GB-PLA-DORSET-OPCC", (Role.ASSESSOR,), active=False),
        "c-1": User("c-1", "GB-PLA-DORSET-OPCC", (Role.COMMISSIONER,), active=True),
        "x-1": None,
    }
    with pytest.raises(RuleViolationError) as refused:
        assign_assessors(panel_round(), ["a-1", "a-2", "c-1", "x-1"], users, "c-1")
    assert [f.reason for f in refused.value.failures] == [
        "a-2 was deactivated",
        "c-1 does not have the assessor role",
        "x-1 is not a registered user of the partnership",
    ]
    event = assign_assessors(panel_round(), ["a-1", "a-1"], users, "c-1")
    assert (event.assessor_ids, event.assigned_by) == (("a-1",), "c-1")


def test_nobody_assesses_a_round_until_assessors_are_assigned_and_then_only_they() -> None:
    current = panel_round()
    refusal = assessor_refusal(current, "a-1")
    assert refusal is not None and "no assessors are assigned to round round-1 yet" in refusal
    users = {"a-1": User("a-1", "GB-PLA-DORSET-OPCC", (Role.ASSESSOR,), active=True)}
    assigned = assign_assessors(current, ["a-1"], users, "c-1")
    folded = round_of([current.opened, assigned])
    assert folded is not None and folded.assessor_ids == ("a-1",)
    assert assessor_refusal(folded, "a-1") is None
    other = assessor_refusal(folded, "a-2")
    assert other is not None and "assessor a-2 is not assigned to round round-1" in other
    # A later assignment replaces the list.
    replaced = assign_assessors(folded, [], users, "c-1")
    emptied = round_of([current.opened, assigned, replaced])
    assert emptied is not None and assessor_refusal(emptied, "a-1") is not None
