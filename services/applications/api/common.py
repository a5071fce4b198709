"""What every applications route shares: role aliases, error mapping, recorded-event answers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import Depends, HTTPException, status
from pydantic import BaseModel
from sqlalchemy.engine import RowMapping

from services.applications.api.guards import registered_member
from services.applications.domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    RuleViolationError,
)
from services.applications.handlers.base import Context, ProjectedStore
from services.applications.projections import NAME
from shared.api import Page
from shared.auth import Principal, Role
from shared.eventstore.envelope import Envelope
from shared.projection import ProjectionRunner
from shared.runtime import ServiceRuntime

Commissioner = Annotated[Principal, Depends(registered_member(Role.COMMISSIONER))]
Member = Annotated[Principal, Depends(registered_member(*Role))]
Reader = Annotated[Principal, Depends(registered_member(Role.COMMISSIONER, Role.AUDITOR))]
Assessor = Annotated[Principal, Depends(registered_member(Role.ASSESSOR))]
Applicant = Annotated[Principal, Depends(registered_member(Role.APPLICANT))]
CaseReader = Annotated[
    Principal,
    Depends(registered_member(Role.COMMISSIONER, Role.AUDITOR, Role.ASSESSOR, Role.APPLICANT)),
]

ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "no valid bearer token"},
    403: {
        "description": "the caller's role or partnership may not do this, or the token "
        "disagrees with the user registry (organisation, role, deactivated)"
    },
    404: {"description": "no such thing in this partnership (or not visible to the caller)"},
    409: {"description": "the thing's state does not allow this, or it already exists"},
    422: {"description": "the request breaks a rule; each broken rule is named"},
}


class RecordedEvent(BaseModel):
    """One recorded event."""

    event_type: str
    event_id: UUID
    stream_id: str
    stream_version: int
    position: int


class Recorded(BaseModel):
    """The events a command recorded, in order: ids and where they sit in the store."""

    id: str
    events: list[RecordedEvent]


def recorded(id_: str, envelopes: list[Envelope]) -> Recorded:
    """The answer to a command."""
    return Recorded(
        id=id_,
        events=[
            RecordedEvent(
                event_type=e.event_type,
                event_id=e.event_id,
                stream_id=e.stream_id,
                stream_version=e.stream_version,
                position=e.position,
            )
            for e in envelopes
        ],
    )


@lru_cache(maxsize=8)
def _projected(runner: ProjectionRunner) -> ProjectedStore:
    return ProjectedStore(runner)


def store_of(runtime: ServiceRuntime) -> ProjectedStore:
    """The running service's store, appending through the inline read model."""
    return _projected(runtime.projections[NAME])


def context(principal: Principal) -> Context:
    """The command context of a signed-in caller, now."""
    return Context.of(principal, datetime.now(UTC))


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn the domain's refusals into HTTP answers that say what is wrong."""
    try:
        yield
    except RuleViolationError as error:
        detail = [{"type": f.rule, "loc": ["body"], "msg": f.reason} for f in error.failures]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, detail=detail) from error
    except NotFoundError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from error
    except ForbiddenError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=str(error)) from error
    except ConflictError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from error
    except DomainError as error:  # a kind not mapped above is still the caller's problem
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(error)) from error


class Paged(BaseModel):
    """Paging of a listing."""

    total: int
    limit: int
    offset: int


P = TypeVar("P", bound=Paged)


def page_of(
    listing: type[P], item: type[BaseModel], found: tuple[int, Sequence[RowMapping]], page: Page
) -> P:
    """One page of a listing from a query's (total, rows)."""
    total, rows = found
    items = [item.model_validate(dict(r)) for r in rows]
    return listing(items=items, total=total, limit=page.limit, offset=page.offset)
