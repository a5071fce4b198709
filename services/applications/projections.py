"""Read models of applications, written in the same transaction as the events they reflect."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.applications.domain.applications import Application
from services.applications.domain.decisions import mean_score
from shared.contracts.applications import (
    BallotOpened,
    OrganisationRegistered,
    ProviderAccreditationRevoked,
    ProviderAccredited,
)

SCHEMA = "applications"
metadata = MetaData(schema=SCHEMA)

organisations = Table(
    "organisations",
    metadata,
    Column("partnership_id", String(100), nullable=False),
    Column("organisation_id", String(100), nullable=False),
    Column("name", String(300), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("is_public_body", Boolean, nullable=False),
    PrimaryKeyConstraint("partnership_id", "organisation_id"),
)

# One row per application: the listing, filtering, sorting and ranking of a round.
applications = Table(
    "applications",
    metadata,
    Column("application_id", String(100), primary_key=True),
    Column("partnership_id", String(100), nullable=False, index=True),
    Column("round_id", String(100), nullable=False, index=True),
    Column("organisation_id", String(100), nullable=False),
    Column("organisation_name", String(300), nullable=False),
    Column("title", String(500), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("status", String(30), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("mean_score", Numeric(5, 2)),
    Column("conflicted_assessors", ARRAY(String(200)), nullable=False),
    Column("blocked_reason", Text),
)

# The ballot's state, locked by each vote (FOR SHARE) and by the close (FOR UPDATE), so no vote
# can slip in after the count; and the voters, whose primary key is the one-vote-per-voter rule.
ballots = Table(
    "ballots",
    metadata,
    Column("round_id", String(100), primary_key=True),
    Column("partnership_id", String(100), nullable=False),
    Column("closed", Boolean, nullable=False),
    Column("candidates", Text, nullable=False),  # space-separated application ids
)
ballot_voters = Table(
    "ballot_voters",
    metadata,
    Column("round_id", String(100), nullable=False),
    Column("voter_hash", String(64), nullable=False),
    PrimaryKeyConstraint("round_id", "voter_hash"),
)

accreditations = Table(
    "accreditations",
    metadata,
    Column("partnership_id", String(100), nullable=False),
    Column("organisation_id", String(100), nullable=False),
    Column("service_category", String(200), nullable=False),
    Column("organisation_name", String(300), nullable=False),
    Column("unit_price", Numeric(14, 2), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("accredited_on", Date, nullable=False),
    Column("revoked_on", Date),
    PrimaryKeyConstraint("partnership_id", "organisation_id", "service_category"),
)


async def save_organisation(
    conn: AsyncConnection, partnership_id: str, event: OrganisationRegistered
) -> None:
    """Add a registered organisation to the registry listing."""
    await conn.execute(
        insert(organisations).values(
            partnership_id=partnership_id,
            organisation_id=event.organisation_id,
            name=event.name,
            kind=event.kind.value,
            is_public_body=event.is_public_body,
        )
    )


async def save_application(conn: AsyncConnection, partnership_id: str, state: Application) -> None:
    """Upsert an application's row from its folded state."""
    s = state.submitted
    values = {
        "status": state.status.value,
        "mean_score": mean_score(state),
        "conflicted_assessors": sorted(a for a, c in state.conflicts.items() if c),
        "blocked_reason": state.blocked_reason,
    }
    statement = insert(applications).values(
        application_id=s.application_id,
        partnership_id=partnership_id,
        round_id=s.round_id,
        organisation_id=s.organisation_id,
        organisation_name=s.organisation_name,
        title=s.title,
        amount=s.amount,
        submitted_at=s.submitted_at,
        **values,
    )
    await conn.execute(
        statement.on_conflict_do_update(index_elements=[applications.c.application_id], set_=values)
    )


async def save_ballot(
    conn: AsyncConnection, partnership_id: str, opened: BallotOpened, closed: bool
) -> None:
    """Record that a round's ballot is open, or closed."""
    statement = insert(ballots).values(
        round_id=opened.round_id,
        partnership_id=partnership_id,
        closed=closed,
        candidates=" ".join(c.application_id for c in opened.candidates),
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[ballots.c.round_id], set_={"closed": closed}
        )
    )


async def save_accreditation(
    conn: AsyncConnection,
    partnership_id: str,
    event: ProviderAccredited | ProviderAccreditationRevoked,
) -> None:
    """Keep the provider list of a service category current."""
    if isinstance(event, ProviderAccreditationRevoked):
        await conn.execute(
            update(accreditations)
            .where(
                accreditations.c.partnership_id == partnership_id,
                accreditations.c.organisation_id == event.organisation_id,
                accreditations.c.service_category == event.service_category,
            )
            .values(active=False, revoked_on=event.revoked_on)
        )
        return
    values = {
        "organisation_name": event.organisation_name,
        "unit_price": event.unit_price,
        "active": True,
        "accredited_on": event.accredited_on,
        "revoked_on": None,
    }
    statement = insert(accreditations).values(
        partnership_id=partnership_id,
        organisation_id=event.organisation_id,
        service_category=event.service_category,
        **values,
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[
                accreditations.c.partnership_id,
                accreditations.c.organisation_id,
                accreditations.c.service_category,
            ],
            set_=values,
        )
    )
