"""The partnership's registry: plan priorities, organisations, and accredited providers (AQP)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.applications.domain.errors import ConflictError, NotFoundError, RuleViolationError
from services.applications.domain.orgids import org_id_problem
from shared.contracts.applications import (
    OrganisationKind,
    OrganisationRegistered,
    PlanPrioritiesSet,
    ProviderAccreditationRevoked,
    ProviderAccredited,
)
from shared.contracts.base import DomainEvent

# Kinds that are public bodies unless the registration says otherwise (DESIGN.md §1).
PUBLIC_KINDS = frozenset(
    {
        OrganisationKind.OPCC,
        OrganisationKind.POLICE_FORCE,
        OrganisationKind.LOCAL_AUTHORITY,
        OrganisationKind.HEALTH_BOARD,
        OrganisationKind.COMMUNITY_SAFETY_PARTNERSHIP,
        OrganisationKind.FIRE_AND_RESCUE,
        OrganisationKind.PROBATION_YOUTH_OFFENDING,
    }
)


def plan_priorities(events: Iterable[DomainEvent]) -> tuple[str, ...]:
    """The partnership's current plan priorities (the latest `PlanPrioritiesSet`)."""
    current: tuple[str, ...] = ()
    for event in events:
        if isinstance(event, PlanPrioritiesSet):
            current = event.priorities
    return current


def set_plan_priorities(priorities: Sequence[str]) -> PlanPrioritiesSet:
    """Record the Police and Crime Plan priorities, trimmed and without repeats."""
    cleaned = tuple(dict.fromkeys(p.strip() for p in priorities if p.strip()))
    if not cleaned:
        raise RuleViolationError.single("priorities", "a plan needs at least one priority")
    return PlanPrioritiesSet(priorities=cleaned)


def organisation(events: Iterable[DomainEvent]) -> OrganisationRegistered | None:
    """The organisation as registered, if it is."""
    return next((e for e in events if isinstance(e, OrganisationRegistered)), None)


def register_organisation(
    existing: OrganisationRegistered | None,
    organisation_id: str,
    name: str,
    kind: OrganisationKind,
    is_public_body: bool | None,
) -> OrganisationRegistered:
    """Register an organisation under a valid org-id, once per partnership."""
    if existing is not None:
        raise ConflictError(f"organisation {organisation_id} is already registered")
    if problem := org_id_problem(organisation_id):
        raise RuleViolationError.single("organisation_id", problem)
    public = kind in PUBLIC_KINDS if is_public_body is None else is_public_body
    return OrganisationRegistered(
        organisation_id=organisation_id, name=name, kind=kind, is_public_body=public
    )


@dataclass(frozen=True)
class Accreditation:
    """A provider's standing for one service category."""

    active: bool
    unit_price: Decimal


def accreditation(events: Iterable[DomainEvent]) -> Accreditation | None:
    """The provider's accreditation for the category, if it was ever accredited."""
    state: Accreditation | None = None
    for event in events:
        if isinstance(event, ProviderAccredited):
            state = Accreditation(active=True, unit_price=event.unit_price)
        elif isinstance(event, ProviderAccreditationRevoked) and state is not None:
            state = Accreditation(active=False, unit_price=state.unit_price)
    return state


def accredit_provider(
    current: Accreditation | None,
    provider: OrganisationRegistered | None,
    organisation_id: str,
    service_category: str,
    unit_price: Decimal,
    today: date,
) -> ProviderAccredited:
    """Accredit a registered organisation to deliver a service category at a unit price."""
    if provider is None:
        raise NotFoundError(f"organisation {organisation_id} is not registered in the partnership")
    if current is not None and current.active:
        raise ConflictError(
            f"{organisation_id} is already accredited for {service_category!r} "
            f"at £{current.unit_price:,.2f} a unit; revoke it first to change the price"
        )
    return ProviderAccredited(
        organisation_id=organisation_id,
        organisation_name=provider.name,
        service_category=service_category,
        unit_price=unit_price,
        accredited_on=today,
    )


def revoke_accreditation(
    current: Accreditation | None,
    organisation_id: str,
    service_category: str,
    reason: str,
    today: date,
) -> ProviderAccreditationRevoked:
    """End an active accreditation."""
    if current is None or not current.active:
        raise ConflictError(f"{organisation_id} is not accredited for {service_category!r}")
    return ProviderAccreditationRevoked(
        organisation_id=organisation_id,
        service_category=service_category,
        reason=reason,
        revoked_on=today,
    )
