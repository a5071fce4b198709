"""Plain objects for the applications domain tests: seed schemes, rounds, organisations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from services.applications.domain.applications import Application, Draft, application, submit
from services.applications.domain.schemes import LaunchScheme, Round, launch_scheme, open_round
from services.applications.seed_schemes import DORSET_COMMUNITY_GRANTS
from shared.contracts.applications import (
    ApplicationScreened,
    ConflictOfInterestDeclared,
    OrganisationKind,
    OrganisationRegistered,
    SchemeLaunched,
)
from shared.contracts.base import DomainEvent

NOW = datetime(2019, 6, 10, 9, 30, tzinfo=UTC)
PRIORITIES = ("protect the most vulnerable", "support victims and witnesses")
BOXING_CLUB = OrganisationRegistered(
    organisation_id="GB-CHC-1234567",
    name="Weymouth Boxing Club",
    kind=OrganisationKind.CHARITY,
    is_public_body=False,
)
COUNCIL = OrganisationRegistered(
    organisation_id="GB-LAE-DOR",
    name="Dorset Council",
    kind=OrganisationKind.LOCAL_AUTHORITY,
    is_public_body=True,
)


def launched(command: LaunchScheme = DORSET_COMMUNITY_GRANTS) -> SchemeLaunched:
    return launch_scheme(None, command)


def a_round(
    scheme: SchemeLaunched, opens: date = date(2019, 6, 1), closes: date = date(2019, 6, 30)
) -> Round:
    return Round(opened=open_round(scheme, "round-1", "Summer 2019", opens, closes))


def draft(amount: str = "2500.00", **changes: object) -> Draft:
    values: dict[str, object] = {
        "title": "Youth diversion boxing",
        "description": "Weekly sessions for young people at risk of offending",
        "amount": Decimal(amount),
        "start_date": date(2019, 7, 1),
        "end_date": date(2020, 6, 30),
        "plan_priorities": (PRIORITIES[0],),
    }
    return Draft(**{**values, **changes})  # type: ignore[arg-type]


def submitted(
    scheme: SchemeLaunched | None = None,
    applicant: OrganisationRegistered = BOXING_CLUB,
    amount: str = "2500.00",
) -> list[DomainEvent]:
    scheme = scheme or launched()
    event = submit("app-1", a_round(scheme), scheme, applicant, draft(amount), PRIORITIES, NOW)
    return [event]


def in_assessment(
    scheme: SchemeLaunched | None = None, *declarations: tuple[str, bool]
) -> list[DomainEvent]:
    events = submitted(scheme)
    events.append(ApplicationScreened(application_id="app-1", eligible=True))
    events += [
        ConflictOfInterestDeclared(
            application_id="app-1", assessor_id=a, has_conflict=c, details="x"
        )
        for a, c in declarations
    ]
    return events


def fold(events: list[DomainEvent]) -> Application:
    state = application(events)
    assert state is not None
    return state
