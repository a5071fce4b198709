"""Funding schemes and their rounds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from services.applications.domain.errors import ConflictError, RuleViolationError
from services.applications.domain.users import User
from shared.auth import Role
from shared.contracts.applications import (
    AssessorsAssigned,
    Criterion,
    DecisionMode,
    EligibilityRules,
    FailedRule,
    RoundClosed,
    RoundOpened,
    SchemeLaunched,
)
from shared.contracts.base import DomainEvent, Money
from shared.contracts.funding import Mechanism


class LaunchScheme(BaseModel):
    """A scheme as data: the Dorset, Wiltshire and North Wales schemes are instances of it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scheme_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,80}$")
    name: str = Field(min_length=1)
    mechanism: Mechanism
    fund_id: str = Field(min_length=1)
    pot_id: str | None = None
    spend_category: str | None = None
    rules: EligibilityRules = EligibilityRules()
    decision_mode: DecisionMode = DecisionMode.PANEL
    criteria: tuple[Criterion, ...] = ()
    budget: Money | None = Field(default=None, gt=0)
    max_projects: PositiveInt | None = None


def scheme(events: Iterable[DomainEvent]) -> SchemeLaunched | None:
    """The scheme as launched, if it was."""
    return next((e for e in events if isinstance(e, SchemeLaunched)), None)


def launch_scheme(existing: SchemeLaunched | None, command: LaunchScheme) -> SchemeLaunched:
    """Launch a scheme whose decision mode, criteria and rules fit together."""
    if existing is not None:
        raise ConflictError(f"scheme {command.scheme_id} is already launched")
    failures = []
    names = [c.name for c in command.criteria]
    if command.decision_mode is DecisionMode.PANEL and not names:
        failures.append(FailedRule(rule="criteria", reason="a panel scheme needs criteria"))
    if len(set(names)) != len(names):
        failures.append(FailedRule(rule="criteria", reason="criterion names must be unique"))
    if command.decision_mode is DecisionMode.PUBLIC_VOTE:
        if names:
            failures.append(FailedRule(rule="criteria", reason="a public vote has no criteria"))
        if command.budget is None or command.max_projects is None:
            failures.append(
                FailedRule(
                    rule="budget",
                    reason="a public vote needs a budget and a maximum number of projects",
                )
            )
    # Partnership agreements are between public bodies only (DESIGN.md §2).
    if (
        command.mechanism is Mechanism.PARTNERSHIP_AGREEMENT
        and not command.rules.public_bodies_only
    ):
        failures.append(
            FailedRule(
                rule="public_bodies_only",
                reason="a partnership agreement scheme must be for public bodies only",
            )
        )
    if failures:
        raise RuleViolationError(failures)
    return SchemeLaunched(**command.model_dump())


@dataclass(frozen=True)
class Round:
    """A round of a scheme, whether it was closed, and its assessors (None: none assigned)."""

    opened: RoundOpened
    closed_on: date | None = None
    assessor_ids: tuple[str, ...] | None = None


def round_of(events: Iterable[DomainEvent]) -> Round | None:
    """The round, if it was opened."""
    state: Round | None = None
    for event in events:
        if isinstance(event, RoundOpened):
            state = Round(opened=event)
        elif state is None:
            continue
        elif isinstance(event, RoundClosed):
            state = replace(state, closed_on=event.closed_on)
        elif isinstance(event, AssessorsAssigned):
            state = replace(state, assessor_ids=event.assessor_ids)
    return state


def assign_assessors(
    current: Round,
    assessor_ids: Sequence[str],
    registered: Mapping[str, User | None],
    assigned_by: str,
) -> AssessorsAssigned:
    """Name the round's assessors: registered, active users with the assessor role."""
    chosen = tuple(dict.fromkeys(assessor_ids))
    failures = []
    for assessor_id in chosen:
        user = registered.get(assessor_id)
        if user is None:
            reason = f"{assessor_id} is not a registered user of the partnership"
        elif not user.active:
            reason = f"{assessor_id} was deactivated"
        elif Role.ASSESSOR not in user.roles:
            reason = f"{assessor_id} does not have the assessor role"
        else:
            continue
        failures.append(FailedRule(rule="assessor_ids", reason=reason))
    if failures:
        raise RuleViolationError(failures)
    return AssessorsAssigned(
        round_id=current.opened.round_id, assessor_ids=chosen, assigned_by=assigned_by
    )


def assessor_refusal(current: Round, assessor_id: str) -> str | None:
    """Why the assessor may not assess the round's applications, or None (docs/adr/0022)."""
    name = f"round {current.opened.round_id}"
    if current.assessor_ids is None:
        return (
            f"no assessors are assigned to {name} yet: a commissioner assigns them with "
            "PUT .../rounds/{round_id}/assessors"
        )
    if assessor_id not in current.assessor_ids:
        return f"assessor {assessor_id} is not assigned to {name}"
    return None


def open_round(
    launched: SchemeLaunched, round_id: str, name: str, opens_on: date, closes_on: date
) -> RoundOpened:
    """Open a round of a launched scheme for the dates given."""
    if closes_on < opens_on:
        raise RuleViolationError.single(
            "dates", f"the round closes ({closes_on}) before it opens ({opens_on})"
        )
    return RoundOpened(
        round_id=round_id,
        scheme_id=launched.scheme_id,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
    )


def close_round(current: Round, today: date) -> RoundClosed:
    """Stop a round accepting applications."""
    if current.closed_on is not None:
        raise ConflictError(
            f"round {current.opened.round_id} was already closed on {current.closed_on}"
        )
    return RoundClosed(
        round_id=current.opened.round_id, scheme_id=current.opened.scheme_id, closed_on=today
    )


def not_accepting(current: Round, today: date) -> FailedRule | None:
    """Why the round refuses applications today, or None if it accepts them."""
    opened = current.opened
    if current.closed_on is not None:
        reason = f"round {opened.name!r} was closed on {current.closed_on}"
    elif today < opened.opens_on:
        reason = f"round {opened.name!r} opens on {opened.opens_on}; today is {today}"
    elif today > opened.closes_on:
        reason = f"round {opened.name!r} closed on {opened.closes_on}; today is {today}"
    else:
        return None
    return FailedRule(rule="round_dates", reason=reason)
