"""Commands that set up a fund's money, and the decisions on them. Pure: no I/O, no clock."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.funding.arithmetic import crimes_per_thousand, split_pro_rata
from services.funding.domain import Fund, FundingError, HeadroomError
from shared.contracts.base import DomainEvent, Money
from shared.contracts.funding import (
    AreaAllocation,
    BudgetAllocated,
    ContributionPledged,
    ContributionReceived,
    FinancialYear,
    FormulaAllocationMade,
    FundEstablished,
    FundSource,
    RingFenceCreated,
)

Slug = str  # ids chosen by the commissioner: readable in URLs and in the published feed
SLUG = r"^[a-z0-9][a-z0-9-]{0,99}$"
ORG_ID = r"^[A-Z]{2}-[A-Z0-9]+-\S+$"  # org-id.guide form, as the principal's organisation


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CreateRingFence(Command):
    """Reserve part of a fund for eligible spend categories only."""

    pot_id: Slug = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    amount: Money = Field(gt=0)
    eligible_categories: tuple[str, ...] = Field(min_length=1)


class EstablishFund(Command):
    """Set up a fund for a financial year, with its first budget and pots."""

    fund_id: Slug = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    financial_year: FinancialYear
    source: FundSource
    eligible_categories: tuple[str, ...] = ()
    budget: Money | None = Field(default=None, gt=0)
    budget_reference: str = "initial allocation"
    ring_fences: tuple[CreateRingFence, ...] = ()


class AllocateBudget(Command):
    """Add money to a fund's budget."""

    amount: Money = Field(gt=0)
    reference: str = Field(min_length=1)


class Contribution(Command):
    """A partner's pledge to, or payment into, a pooled budget."""

    contributor_organisation_id: str = Field(pattern=ORG_ID)
    contributor_name: str = Field(min_length=1)
    amount: Money = Field(gt=0)


class AreaInput(Command):
    """One area's recorded formula inputs."""

    area_id: str = Field(min_length=1)
    area_name: str = Field(min_length=1)
    crimes: int = Field(ge=0)
    population: int = Field(gt=0)


class MakeFormulaAllocation(Command):
    """Split an amount of a fund between areas by crimes per 1,000 population."""

    allocation_id: Slug = Field(pattern=SLUG)
    amount: Money = Field(gt=0)
    areas: tuple[AreaInput, ...] = Field(min_length=1)


def establish_fund(fund: Fund | None, command: EstablishFund) -> list[DomainEvent]:
    """A new fund, its budget and its ring-fenced pots."""
    if fund is not None:
        raise FundingError(f"fund {command.fund_id!r} already exists")
    events: list[DomainEvent] = [
        FundEstablished(
            fund_id=command.fund_id,
            name=command.name,
            financial_year=command.financial_year,
            source=command.source,
            eligible_categories=command.eligible_categories,
        )
    ]
    if command.budget is not None:
        if command.source is FundSource.PARTNER_POOL:
            raise FundingError("a pooled budget's budget is what partners pay in, not allocated")
        events.append(
            BudgetAllocated(
                fund_id=command.fund_id, amount=command.budget, reference=command.budget_reference
            )
        )
    headroom = command.budget or Decimal(0)
    for pot in command.ring_fences:
        events.append(_ring_fence(command.fund_id, pot, headroom))
        headroom -= pot.amount
    return events


def allocate_budget(fund: Fund, command: AllocateBudget) -> list[DomainEvent]:
    if fund.pooled:
        raise FundingError("a pooled budget grows by partners' contributions, not allocations")
    return [BudgetAllocated(fund_id=fund.fund_id, **command.model_dump())]


def create_ring_fence(fund: Fund, command: CreateRingFence) -> list[DomainEvent]:
    if fund.pooled:
        # Each partner's money is accounted for in the pool as a whole (ADR 0030); partners who
        # want money kept for one purpose pool it separately.
        raise FundingError("a pooled budget is not ring-fenced: pool the ring-fenced money apart")
    if command.pot_id in fund.pots:
        raise FundingError(f"fund {fund.fund_id!r} already has a pot {command.pot_id!r}")
    return [_ring_fence(fund.fund_id, command, fund.available)]


def _ring_fence(fund_id: str, command: CreateRingFence, available: Decimal) -> RingFenceCreated:
    if command.amount > available:
        raise HeadroomError(
            f"cannot ring-fence £{command.amount:,.2f} for {command.name!r}: the fund has "
            f"£{available:,.2f} uncommitted outside its pots",
            available,
        )
    return RingFenceCreated(fund_id=fund_id, **command.model_dump())


def pledge_contribution(fund: Fund, command: Contribution) -> list[DomainEvent]:
    _require_pool(fund)
    return [ContributionPledged(fund_id=fund.fund_id, **command.model_dump())]


def receive_contribution(fund: Fund, command: Contribution) -> list[DomainEvent]:
    _require_pool(fund)
    return [ContributionReceived(fund_id=fund.fund_id, **command.model_dump())]


def _require_pool(fund: Fund) -> None:
    if not fund.pooled:
        raise FundingError(f"fund {fund.fund_id!r} is not a pooled budget ({fund.source})")


def make_formula_allocation(fund: Fund, command: MakeFormulaAllocation) -> list[DomainEvent]:
    """Commit the amount to the areas in proportion to crimes per 1,000 population."""
    if fund.pooled:
        raise FundingError(
            "a pooled budget's money is awarded, not allocated to areas by formula (ADR 0030)"
        )
    if command.allocation_id in fund.allocations:
        raise FundingError(f"allocation {command.allocation_id!r} was already made")
    if command.amount > fund.available:
        raise HeadroomError(
            f"cannot allocate £{command.amount:,.2f}: fund {fund.fund_id!r} has "
            f"£{fund.available:,.2f} available",
            fund.available,
        )
    if len({a.area_id for a in command.areas}) != len(command.areas):
        raise FundingError("each area may appear once in an allocation")
    weights = {a.area_id: crimes_per_thousand(a.crimes, a.population) for a in command.areas}
    if not any(weights.values()):
        raise FundingError("no area has any crimes recorded: the formula gives no proportions")
    amounts = split_pro_rata(command.amount, weights)
    return [
        FormulaAllocationMade(
            fund_id=fund.fund_id,
            allocation_id=command.allocation_id,
            amount=command.amount,
            areas=tuple(
                AreaAllocation(**a.model_dump(), amount=amounts[a.area_id]) for a in command.areas
            ),
        )
    ]
