"""Who may see which application: 404 for anything the caller may not see."""

from fastapi import HTTPException, status

from services.applications.domain.applications import ASSESSMENT, Application, application
from shared.auth import Principal, Role
from shared.eventstore.envelope import Envelope
from shared.runtime import ServiceRuntime


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
    """The application and its events, if the caller may see it; else 404, as if absent."""
    async with runtime.engine.connect() as conn:
        envelopes = await runtime.store.read_stream(conn, application_id)
    mine = [e for e in envelopes if e.partnership_id == principal.partnership_id]
    state = application(e.event() for e in mine) if len(mine) == len(envelopes) else None
    if state is None or not may_see(principal, state, for_command):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"no application {application_id!r} in partnership "
            f"{principal.partnership_id!r} that this {principal.role} may see",
        )
    return state, envelopes
