"""Organisation registry, org-ids, plan priorities and Any Qualified Provider accreditation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.applications.domain import registry
from services.applications.domain.errors import (
    ConflictError,
    NotFoundError,
    RuleViolationError,
)
from services.applications.domain.orgids import org_id_problem
from shared.contracts.applications import OrganisationKind
from tests.unit.applications.builders import BOXING_CLUB

TODAY = date(2019, 6, 10)


@pytest.mark.parametrize(
    "identifier",
    [
        "GB-CHC-1234567",
        "GB-CHC-123456",
        "GB-COH-01234567",
        "GB-COH-SC123456",
        "GB-LAE-DOR",
        "GB-LAS-EDI",
        "GB-GOR-PB123",
        "GB-NHS-RX1",
        "GB-SC-SC012345",
        "GB-PLA-DORSET-OPCC",
    ],
)
def test_org_ids_of_known_lists_in_their_format_are_accepted(identifier: str) -> None:
    assert org_id_problem(identifier) is None


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ("GB-CHC-12AB", "not a valid GB-CHC identifier"),
        ("GB-COH-123", "Companies House identifier must match"),
        ("GB-LAE-dorset", "not a valid GB-LAE identifier"),
        ("1234567", "does not start with a known org-id list prefix"),
        ("XX-FOO-1", "does not start with a known org-id list prefix"),
    ],
)
def test_malformed_org_ids_are_refused_saying_why(identifier: str, message: str) -> None:
    problem = org_id_problem(identifier)
    assert problem is not None and message in problem


def test_an_organisation_registers_once_with_a_valid_org_id() -> None:
    event = registry.register_organisation(
        None, "GB-LAE-DOR", "Dorset Council", OrganisationKind.LOCAL_AUTHORITY, None
    )
    assert event.is_public_body  # a local authority is a public body unless said otherwise
    with pytest.raises(ConflictError, match="GB-LAE-DOR is already registered"):
        registry.register_organisation(
            event, "GB-LAE-DOR", "Dorset Council", OrganisationKind.LOCAL_AUTHORITY, None
        )
    with pytest.raises(RuleViolationError, match="organisation_id: 'GB-CHC-x' is not a valid"):
        registry.register_organisation(None, "GB-CHC-x", "Club", OrganisationKind.CHARITY, None)


def test_a_charity_is_not_a_public_body_by_default_but_the_flag_can_say_so() -> None:
    charity = registry.register_organisation(
        None, "GB-CHC-1234567", "Club", OrganisationKind.CHARITY, None
    )
    company = registry.register_organisation(
        None, "GB-COH-01234567", "Council-owned Ltd", OrganisationKind.COMPANY, True
    )
    assert (charity.is_public_body, company.is_public_body) == (False, True)


def test_plan_priorities_are_trimmed_deduplicated_and_never_empty() -> None:
    event = registry.set_plan_priorities([" victims ", "victims", "vulnerable"])
    assert event.priorities == ("victims", "vulnerable")
    assert registry.plan_priorities([event]) == ("victims", "vulnerable")
    with pytest.raises(RuleViolationError, match="at least one priority"):
        registry.set_plan_priorities(["  "])


def test_a_provider_is_accredited_once_per_category_until_revoked() -> None:
    price = Decimal("42.50")
    accredited = registry.accredit_provider(
        None, BOXING_CLUB, "GB-CHC-1234567", "restorative justice", price, TODAY
    )
    assert (accredited.organisation_name, accredited.unit_price) == ("Weymouth Boxing Club", price)
    state = registry.accreditation([accredited])
    with pytest.raises(ConflictError, match=r"already accredited .* at £42.50 a unit"):
        registry.accredit_provider(
            state, BOXING_CLUB, "GB-CHC-1234567", "restorative justice", price, TODAY
        )
    revoked = registry.revoke_accreditation(
        state, "GB-CHC-1234567", "restorative justice", "quality concerns", TODAY
    )
    after = registry.accreditation([accredited, revoked])
    assert after is not None and not after.active
    with pytest.raises(ConflictError, match="is not accredited"):
        registry.revoke_accreditation(after, "GB-CHC-1234567", "restorative justice", "x", TODAY)
    again = registry.accredit_provider(
        after, BOXING_CLUB, "GB-CHC-1234567", "restorative justice", Decimal("40.00"), TODAY
    )
    assert again.unit_price == Decimal("40.00")


def test_only_registered_organisations_can_be_accredited() -> None:
    with pytest.raises(NotFoundError, match="GB-CHC-7654321 is not registered"):
        registry.accredit_provider(
            None, None, "GB-CHC-7654321", "restorative justice", Decimal(10), TODAY
        )
