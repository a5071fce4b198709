"""What monitoring's routers share: callers by role, the clock, and errors as HTTP answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, status

from services.monitoring.domain import (
    ConflictError,
    InvalidCommandError,
    MonitoredService,
    MonitoringError,
    NotProviderError,
)
from services.monitoring.handlers import BusyError, UnknownServiceError
from shared.api import partnership_member
from shared.auth import Principal, Role

Commissioner = Annotated[Principal, Depends(partnership_member(Role.COMMISSIONER))]
Provider = Annotated[Principal, Depends(partnership_member(Role.APPLICANT))]
Reader = Annotated[
    Principal,
    Depends(partnership_member(Role.COMMISSIONER, Role.AUDITOR, Role.PARTNER, Role.APPLICANT)),
]


def clock() -> datetime:
    """Now; the tests replace it (app.dependency_overrides) to control overdue and due dates."""
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(clock)]


def may_read(service: MonitoredService, principal: Principal) -> bool:
    """Providers their own services, partners those they co-fund, the OPCC and auditors all."""
    if principal.role is Role.APPLICANT:
        return principal.organisation_id == service.plan.provider_organisation_id
    if principal.role is Role.PARTNER:
        return principal.organisation_id in service.plan.funders
    return True


def unseen(service_id: str, partnership_id: str) -> HTTPException:
    """The 404 for a service that does not exist or that the caller may not see."""
    return HTTPException(
        status.HTTP_404_NOT_FOUND,
        detail=f"no monitored service {service_id!r} in partnership {partnership_id!r}",
    )


def http_error(error: MonitoringError) -> HTTPException:
    """The HTTP answer to a refused command; the message says what is wrong."""
    if isinstance(error, UnknownServiceError):
        return HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error))
    if isinstance(error, NotProviderError):
        return HTTPException(status.HTTP_403_FORBIDDEN, detail=str(error))
    if isinstance(error, InvalidCommandError):
        # The shape of FastAPI's own 422s, one entry per problem, so clients read both alike.
        problems = [{"loc": ["body"], "msg": p, "type": "value_error"} for p in error.problems]
        return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=problems)
    if isinstance(error, ConflictError | BusyError):
        return HTTPException(status.HTTP_409_CONFLICT, detail=str(error))
    return HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(error))
