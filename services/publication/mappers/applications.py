"""Applications' public facts: decisions to fund, ballot results (never a voter)."""

from __future__ import annotations

from services.publication.candidates import Candidate, Policy, organisation
from services.publication.privacy import scrub
from shared.contracts.applications import ApplicationApproved, BallotClosed
from shared.contracts.publication import EntryType
from shared.eventstore.envelope import Envelope


def on_application_approved(
    event: ApplicationApproved, envelope: Envelope, policy: Policy
) -> list[Candidate]:
    """The decision to fund an application, under its decision number."""
    data = {
        "decision": "approved",
        "application_id": event.application_id,
        "scheme_id": event.scheme_id,
        "round_id": event.round_id,
        "mechanism": event.mechanism.value,
        "applicant": organisation(event.applicant_organisation_id, event.applicant_name),
        "title": event.title,
        "amount": str(event.amount),
        "reason": scrub(event.reason),
        "plan_priorities": list(event.plan_priorities),
    }
    title = f"Decision to fund: {event.title}"
    subject = f"decision:application:{event.application_id}"
    return [
        Candidate(EntryType.DECISION, subject, title, data, event.fund_id, event.decision_reference)
    ]


def on_ballot_closed(event: BallotClosed, envelope: Envelope, policy: Policy) -> list[Candidate]:
    """The public's vote: votes per project and the winners; voters are never published."""
    data = {
        "round_id": event.round_id,
        "tallies": [{"application_id": t.application_id, "votes": t.votes} for t in event.tallies],
        "winners": list(event.winners),
        "allocated": str(event.allocated),
    }
    title = f"Ballot result of round {event.round_id}: {len(event.winners)} projects chosen"
    subject = f"ballot:{event.round_id}"
    return [
        Candidate(
            EntryType.BALLOT_RESULT,
            subject,
            title,
            data,
            decision_reference=event.decision_reference,
        )
    ]
