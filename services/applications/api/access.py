"""Who may see which application: 404 for anything the caller may not see, 403 for an assessor
not assigned to the application's round."""

from fastapi import HTTPException, status

from services.applications.api.common import store_of
from services.applications.domain.applications import ASSESSMENT, Application, application
from services.applications.domain.schemes import assessor_refusal
from services.applications.handlers.streams import load_round
from shared.auth import Principal, Role
from shared.contracts.applications import ApplicationDrafted, ApplicationDraftUpdated
from shared.eventstore.envelope import Envelope
from shared.runtime import ServiceRuntime

DRAFT_EVENTS = frozenset({ApplicationDrafted.event_type, ApplicationDraftUpdated.event_type})


def may_see(principal: Principal, state: Application, for_command: bool = False) -> bool:
    """Applicants see their own; assessors what they may score (conflicted ones, to be told
    why, when they try a command); commissioners and auditors all of their partnership."""
    if principal.role is Role.APPLICANT:
        return state.submitted.organisation_id == principal.organisation_id
    if principal.role is Role.ASSESSOR:
        if for_command:
            return state.status in ASSESSMENT
        return state.may_be_scored_by(principal.user_id)
    return principal.role in (Role.COMMISSIONER, Role.AUDITOR)


async def visible_application(
    runtime: ServiceRuntime, principal: Principal, application_id: str, for_command: bool = False
) -> tuple[Application, list[Envelope]]:
    """The application and its events, if the caller may see it; else 404, as if absent.

    Only the applicant's organisation sees how the application was drafted: the draft events
    are left out of the history everyone else reads.
    """
    store = store_of(runtime)
    async with runtime.engine.connect() as conn:
        envelopes = await store.read_stream(conn, application_id)
        mine = [e for e in envelopes if e.partnership_id == principal.partnership_id]
        state = application(e.event() for e in mine) if len(mine) == len(envelopes) else None
        if state is not None and principal.role is Role.ASSESSOR:
            round_id = state.submitted.round_id
            current = await load_round(conn, store, principal.partnership_id, round_id)
            if refusal := assessor_refusal(current, principal.user_id):
                raise HTTPException(status.HTTP_403_FORBIDDEN, detail=refusal)
    if state is None or not may_see(principal, state, for_command):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"no application {application_id!r} in partnership "
            f"{principal.partnership_id!r} that this {principal.role} may see",
        )
    if principal.role is not Role.APPLICANT:  # applicants see only their own, drafts included
        envelopes = [e for e in envelopes if e.event_type not in DRAFT_EVENTS]
    return state, envelopes
