"""Tables of the applications read model; schema-less, mapped onto `proj_applications`.

Every row follows from the service's own events alone, so `commissioning rebuild applications`
replays the store into a fresh schema and gets the same rows (docs/adr/0021).
"""

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
)
from sqlalchemy.dialects.postgresql import ARRAY

metadata = MetaData()

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

# The user registry: who may act for which organisation, in which roles (docs/adr/0020).
users = Table(
    "users",
    metadata,
    Column("partnership_id", String(100), nullable=False),
    Column("user_id", String(200), nullable=False),
    Column("organisation_id", String(100), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("roles", ARRAY(String(30)), nullable=False),
    Column("active", Boolean, nullable=False),
    PrimaryKeyConstraint("partnership_id", "user_id"),
)

schemes = Table(
    "schemes",
    metadata,
    Column("partnership_id", String(100), nullable=False),
    Column("scheme_id", String(100), nullable=False),
    Column("name", String(300), nullable=False),
    Column("mechanism", String(50), nullable=False),
    Column("fund_id", String(100), nullable=False),
    Column("pot_id", String(100)),
    Column("decision_mode", String(30), nullable=False),
    PrimaryKeyConstraint("partnership_id", "scheme_id"),
)

# A round with its scheme's mechanism and fund copied in, so rounds filter without a join.
rounds = Table(
    "rounds",
    metadata,
    Column("round_id", String(100), primary_key=True),
    Column("partnership_id", String(100), nullable=False, index=True),
    Column("scheme_id", String(100), nullable=False),
    Column("name", String(300), nullable=False),
    Column("mechanism", String(50), nullable=False),
    Column("fund_id", String(100), nullable=False),
    Column("decision_mode", String(30), nullable=False),
    Column("opens_on", Date, nullable=False),
    Column("closes_on", Date, nullable=False),
    Column("closed_on", Date),
    # NULL: no assessors assigned yet, so nobody may assess the round (docs/adr/0022).
    Column("assessor_ids", ARRAY(String(200))),
)

# Drafts not yet submitted; a submission moves the draft into `applications`.
drafts = Table(
    "drafts",
    metadata,
    Column("application_id", String(100), primary_key=True),
    Column("partnership_id", String(100), nullable=False),
    Column("round_id", String(100), nullable=False, index=True),
    Column("organisation_id", String(100), nullable=False),
    Column("title", String(500), nullable=False),
    Column("amount", Numeric(14, 2)),
    Column("saved_at", DateTime(timezone=True), nullable=False),
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
    Column("decision_mode", String(30), nullable=False),
    Column("status", String(30), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("mean_score", Numeric(5, 2)),
    Column("conflicted_assessors", ARRAY(String(200)), nullable=False),
    Column("blocked_reason", Text),
)

application_scores = Table(
    "application_scores",
    metadata,
    Column("application_id", String(100), nullable=False),
    Column("assessor_id", String(200), nullable=False),
    Column("weighted_total", Numeric(5, 2), nullable=False),
    PrimaryKeyConstraint("application_id", "assessor_id"),
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
