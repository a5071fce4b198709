"""Stream ids of the aggregates, and loading each one folded (404 when it is not there)."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncConnection

from services.applications.domain.applications import Application, application
from services.applications.domain.errors import NotFoundError, RuleViolationError
from services.applications.domain.registry import organisation, plan_priorities
from services.applications.domain.schemes import Round, round_of, scheme
from services.applications.domain.users import User, user_of
from services.applications.handlers.base import history
from shared.contracts.applications import OrganisationRegistered, SchemeLaunched
from shared.eventstore.store import EventStore

PARTNERSHIP, ORGANISATION, SCHEME, ROUND = "partnership", "organisation", "scheme", "round"
APPLICATION, BALLOT, ACCREDITATION = "application", "ballot", "accreditation"
USER = "user"


# Ids chosen by people (org-ids, scheme slugs) are scoped by partnership in the stream id, so
# two partnerships may each register the same charity; generated ids are unique anyway.
def partnership_stream(partnership_id: str) -> tuple[str, str]:
    return PARTNERSHIP, f"partnership:{partnership_id}"


def organisation_stream(partnership_id: str, organisation_id: str) -> tuple[str, str]:
    return ORGANISATION, f"organisation:{partnership_id}:{organisation_id}"


def user_stream(partnership_id: str, user_id: str) -> tuple[str, str]:
    return USER, f"user:{partnership_id}:{user_id}"


def scheme_stream(partnership_id: str, scheme_id: str) -> tuple[str, str]:
    return SCHEME, f"scheme:{partnership_id}:{scheme_id}"


def accreditation_stream(
    partnership_id: str, organisation_id: str, category: str
) -> tuple[str, str]:
    return ACCREDITATION, f"accreditation:{partnership_id}:{organisation_id}:{category}"


def ballot_stream(round_id: str) -> tuple[str, str]:
    return BALLOT, f"ballot:{round_id}"


def new_id(prefix: str) -> str:
    """A fresh id for a round or an application; it is also the stream id."""
    return f"{prefix}-{uuid4().hex}"


async def load_priorities(
    conn: AsyncConnection, store: EventStore, partnership_id: str
) -> tuple[str, ...]:
    return plan_priorities(
        await history(conn, store, partnership_id, partnership_stream(partnership_id)[1])
    )


async def load_organisation(
    conn: AsyncConnection, store: EventStore, partnership_id: str, organisation_id: str
) -> OrganisationRegistered | None:
    stream_id = organisation_stream(partnership_id, organisation_id)[1]
    return organisation(await history(conn, store, partnership_id, stream_id))


async def load_applicant(
    conn: AsyncConnection, store: EventStore, partnership_id: str, organisation_id: str
) -> OrganisationRegistered:
    """The applying organisation, which must be registered (422 otherwise)."""
    found = await load_organisation(conn, store, partnership_id, organisation_id)
    if found is None:
        raise RuleViolationError.single(
            "organisation",
            f"organisation {organisation_id} is not registered in partnership {partnership_id}: "
            "register it before applying",
        )
    return found


async def load_scheme(
    conn: AsyncConnection, store: EventStore, partnership_id: str, scheme_id: str
) -> SchemeLaunched:
    stream_id = scheme_stream(partnership_id, scheme_id)[1]
    found = scheme(await history(conn, store, partnership_id, stream_id))
    if found is None:
        raise NotFoundError(f"no scheme {scheme_id!r} in partnership {partnership_id!r}")
    return found


async def load_round(
    conn: AsyncConnection, store: EventStore, partnership_id: str, round_id: str
) -> Round:
    found = round_of(await history(conn, store, partnership_id, round_id))
    if found is None:
        raise NotFoundError(f"no round {round_id!r} in partnership {partnership_id!r}")
    return found


async def load_application(
    conn: AsyncConnection, store: EventStore, partnership_id: str, application_id: str
) -> Application:
    found = application(await history(conn, store, partnership_id, application_id))
    if found is None:
        raise NotFoundError(f"no application {application_id!r} in partnership {partnership_id!r}")
    return found


async def load_user(
    conn: AsyncConnection, store: EventStore, partnership_id: str, user_id: str
) -> User | None:
    stream_id = user_stream(partnership_id, user_id)[1]
    return user_of(await history(conn, store, partnership_id, stream_id))
