"""Eligibility: every rule of a scheme checked against an application, each failure named."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shared.contracts.applications import FailedRule, OrganisationKind, SchemeLaunched
from shared.contracts.funding import Mechanism

# Refused at submission already (issue 3): the rest are found and named at screening.
SUBMISSION_RULES = frozenset({"max_amount", "organisation_kind", "public_body", "dates"})


@dataclass(frozen=True)
class Proposal:
    """What eligibility looks at: who applies, for how much, for how long, serving what."""

    organisation_kind: OrganisationKind
    is_public_body: bool
    amount: Decimal
    start_date: date
    end_date: date
    plan_priorities: tuple[str, ...]


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def pounds(amount: Decimal) -> str:
    """£1,234.50"""
    return f"£{amount:,.2f}"


def eligibility_failures(
    launched: SchemeLaunched, proposal: Proposal, partnership_priorities: tuple[str, ...]
) -> list[FailedRule]:
    """Every rule of the scheme the proposal breaks (empty when it is eligible)."""
    rules, failures = launched.rules, []

    def fail(rule: str, reason: str) -> None:
        failures.append(FailedRule(rule=rule, reason=reason))

    if rules.min_amount is not None and proposal.amount < rules.min_amount:
        fail(
            "min_amount",
            f"{pounds(proposal.amount)} is below the scheme minimum of {pounds(rules.min_amount)}",
        )
    if rules.max_amount is not None and proposal.amount > rules.max_amount:
        fail(
            "max_amount",
            f"{pounds(proposal.amount)} is above the scheme maximum of {pounds(rules.max_amount)}",
        )
    if rules.eligible_kinds and proposal.organisation_kind not in rules.eligible_kinds:
        allowed = ", ".join(rules.eligible_kinds)
        fail(
            "organisation_kind",
            f"a {proposal.organisation_kind} may not apply; the scheme is for: {allowed}",
        )
    if (
        rules.public_bodies_only or launched.mechanism is Mechanism.PARTNERSHIP_AGREEMENT
    ) and not proposal.is_public_body:
        fail("public_body", "the scheme is for public bodies only")
    if proposal.end_date < proposal.start_date:
        fail("dates", f"the project ends ({proposal.end_date}) before it starts")
    elif rules.max_duration_months is not None:
        latest_end = add_months(proposal.start_date, rules.max_duration_months) - timedelta(days=1)
        if proposal.end_date > latest_end:
            fail(
                "max_duration",
                f"the project runs to {proposal.end_date}, beyond the scheme's maximum of "
                f"{rules.max_duration_months} months (to {latest_end})",
            )
    if rules.requires_plan_priority:
        unknown = [p for p in proposal.plan_priorities if p not in partnership_priorities]
        if not proposal.plan_priorities:
            fail("plan_priority", "the application names no Police and Crime Plan priority")
        elif unknown:
            fail(
                "plan_priority",
                f"not priorities of the partnership's plan: {', '.join(unknown)}",
            )
    return failures
