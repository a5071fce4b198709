"""What a mapper hands the domain: candidate entries of public facts, and how to name bodies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.publication.privacy import is_organisation
from shared.contracts.publication import EntryType
from shared.eventstore.envelope import Envelope

INDIVIDUAL = {"id": "individual", "name": "Individual recipient (not published)"}


@dataclass(frozen=True)
class Policy:
    """The publication rules that are settings: the small-number threshold."""

    threshold: int


@dataclass(frozen=True)
class Candidate:
    """An entry a fact asks for, before the domain numbers it or finds it is a correction."""

    entry_type: EntryType
    subject: str
    title: str
    data: dict[str, Any]
    fund_id: str | None = None
    decision_reference: str | None = None  # set on decisions; the domain gives the number
    refers_to_subject: str | None = None


Mapper = Callable[[Any, Envelope, Policy], list[Candidate]]


def organisation(identifier: str, name: str) -> dict[str, str]:
    """An organisation as published; a person (no org-id) is never named."""
    return {"id": identifier, "name": name} if is_organisation(identifier) else dict(INDIVIDUAL)


def awarding_body(envelope: Envelope) -> dict[str, str]:
    """The commissioner's office that made an award: the actor's organisation, never the user."""
    name = f"Office of the Police and Crime Commissioner ({envelope.partnership_id})"
    if is_organisation(envelope.actor.organisation_id):
        return {"id": envelope.actor.organisation_id, "name": name}
    # An automatic award (actor `system`) names no office: the partnership stands for it.
    return {"id": f"partnership:{envelope.partnership_id}", "name": name}
