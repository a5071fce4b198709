"""The applications read model: an inline projection of the service's own events.

Command handlers append through `ProjectedStore` (handlers/base.py), which applies the new events
here in the append's transaction, so a command's answer and the next query agree. The same
`apply` replays the store from event 0 in `commissioning rebuild applications`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from services.applications.projections import rules
from services.applications.projections.tables import (
    accreditations,
    application_scores,
    applications,
    ballot_voters,
    ballots,
    drafts,
    metadata,
    organisations,
    rounds,
    schemes,
    users,
)
from shared.eventstore.envelope import Envelope

NAME = "applications"
SCHEMA = f"proj_{NAME}"  # ProjectionRunner's live schema for this projection

__all__ = [
    "NAME",
    "PROJECTION",
    "SCHEMA",
    "ApplicationsReadModel",
    "accreditations",
    "application_scores",
    "applications",
    "ballot_voters",
    "ballots",
    "drafts",
    "mapped",
    "metadata",
    "organisations",
    "rounds",
    "schemes",
    "users",
]


class ApplicationsReadModel:
    """Organisations, users, schemes, rounds, drafts, applications, ballots, providers."""

    name = NAME
    metadata = metadata

    async def apply(self, conn: AsyncConnection, events: Sequence[Envelope]) -> None:
        """Apply each event the read model reflects; the others change nothing."""
        for envelope in events:
            rule = rules.RULES.get(envelope.event_type)
            if rule is not None:
                await rule(conn, envelope.partnership_id, envelope.event())


PROJECTION = ApplicationsReadModel()


async def mapped(conn: AsyncConnection) -> AsyncConnection:
    """The connection with the read model's tables mapped onto its live schema."""
    return await conn.execution_options(schema_translate_map={None: SCHEMA})
