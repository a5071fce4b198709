"""Drafts: an application before submission, private to the applicant's organisation.

A draft is the start of the application's own stream (ApplicationDrafted, ApplicationDraftUpdated…);
submitting it appends ApplicationSubmitted to the same stream with every submit-time rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.applications.domain.applications import Draft
from services.applications.domain.errors import ConflictError, ForbiddenError, RuleViolationError
from services.applications.domain.schemes import Round, not_accepting
from shared.contracts.applications import (
    ApplicationDrafted,
    ApplicationDraftUpdated,
    ApplicationSubmitted,
    DraftContent,
    FailedRule,
)
from shared.contracts.base import DomainEvent


@dataclass(frozen=True)
class DraftState:
    """A draft as it stands, and whether it has been submitted."""

    drafted: ApplicationDrafted
    content: DraftContent
    saved_at: datetime
    submitted: bool = False

    @property
    def application_id(self) -> str:
        return self.drafted.application_id


def draft_of(events: Iterable[DomainEvent]) -> DraftState | None:
    """Fold a stream's draft events; None when the application was never drafted."""
    state: DraftState | None = None
    for event in events:
        if isinstance(event, ApplicationDrafted):
            state = DraftState(drafted=event, content=event.content, saved_at=event.saved_at)
        elif state is None:
            continue
        elif isinstance(event, ApplicationDraftUpdated):
            state = DraftState(state.drafted, event.content, event.saved_at, state.submitted)
        elif isinstance(event, ApplicationSubmitted):
            state = DraftState(state.drafted, state.content, state.saved_at, submitted=True)
    return state


def _round_open(current: Round, now: datetime, doing: str) -> None:
    closed = not_accepting(current, now.date())
    if closed is not None:
        raise RuleViolationError.single(closed.rule, f"cannot {doing}: {closed.reason}")


def start_draft(
    past: list[DomainEvent],
    application_id: str,
    current: Round,
    organisation_id: str,
    content: DraftContent,
    now: datetime,
) -> ApplicationDrafted:
    """Save a first draft to a round while it is open."""
    if past:
        raise ConflictError(f"application {application_id} already exists")
    _round_open(current, now, "save a draft")
    return ApplicationDrafted(
        application_id=application_id,
        round_id=current.opened.round_id,
        scheme_id=current.opened.scheme_id,
        organisation_id=organisation_id,
        content=content,
        saved_at=now,
    )


def _own(state: DraftState, organisation_id: str) -> None:
    if state.drafted.organisation_id != organisation_id:
        raise ForbiddenError(
            f"draft {state.application_id} belongs to {state.drafted.organisation_id}, "
            f"not to {organisation_id}"
        )
    if state.submitted:
        raise ConflictError(f"draft {state.application_id} was already submitted")


def update_draft(
    state: DraftState, organisation_id: str, current: Round, content: DraftContent, now: datetime
) -> ApplicationDraftUpdated:
    """Replace an unsubmitted draft's content while its round is open."""
    _own(state, organisation_id)
    _round_open(current, now, "update the draft")
    return ApplicationDraftUpdated(
        application_id=state.application_id, content=content, saved_at=now
    )


REQUIRED = ("description", "amount", "start_date", "end_date")


def completed(state: DraftState, organisation_id: str) -> Draft:
    """The draft as a submission; refused naming every field still missing."""
    _own(state, organisation_id)
    content = state.content
    missing = [name for name in REQUIRED if getattr(content, name) is None]
    if missing:
        raise RuleViolationError(
            [
                FailedRule(rule=name, reason=f"the draft has no {name}: add it before submitting")
                for name in missing
            ]
        )
    assert content.description is not None and content.amount is not None
    assert content.start_date is not None and content.end_date is not None
    return Draft(
        title=content.title,
        description=content.description,
        amount=content.amount,
        start_date=content.start_date,
        end_date=content.end_date,
        plan_priorities=content.plan_priorities,
        beneficiary_location=content.beneficiary_location,
    )
