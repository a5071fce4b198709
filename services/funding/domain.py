"""The fund aggregate: everything that moves a fund's money, folded from the fund's stream.

A fund's stream is the consistency boundary of its money: every commitment (award, formula
allocation), payment and release is appended there with the version the decision was made on,
so two concurrent decisions can never both spend the same headroom. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from shared.contracts.base import DomainEvent
from shared.contracts.funding import (
    AwardMade,
    BudgetAllocated,
    ClawbackRaised,
    ClawbackRepaid,
    CommitmentReleased,
    ContributionPledged,
    ContributionReceived,
    FormulaAllocationMade,
    FundEstablished,
    FundingShare,
    FundSource,
    KPIReturnRecorded,
    PaymentReleased,
    PaymentResumed,
    PaymentScheduled,
    PaymentSuspended,
    RingFenceCreated,
    ScheduledInstalment,
)

GENERAL = "general"  # the scope of a fund's money outside its ring-fenced pots
ZERO = Decimal("0.00")


class FundingError(Exception):
    """A command the fund's rules refuse; the message says which rule and why."""


class NotFoundError(FundingError):
    """The fund, pot or award does not exist (in this partnership)."""


class HeadroomError(FundingError):
    """An award or allocation would over-commit a fund or pot, or break a ring-fence."""

    def __init__(self, reason: str, available: Decimal | None = None) -> None:
        super().__init__(reason)
        self.reason, self.available = reason, available


@dataclass
class Pot:
    """A ring-fenced part of a fund."""

    pot_id: str
    name: str
    amount: Decimal
    eligible_categories: tuple[str, ...]
    spent: Decimal = ZERO  # commitments net of releases: paid money stays spent

    @property
    def available(self) -> Decimal:
        return self.amount - self.spent


@dataclass
class Contributor:
    """A partner paying into a pooled budget."""

    organisation_id: str
    name: str
    pledged: Decimal = ZERO
    received: Decimal = ZERO
    spent: Decimal = ZERO  # attributed commitments net of releases and repayments

    @property
    def available(self) -> Decimal:
        """What this partner's money in the pool can still fund."""
        return self.received - self.spent


@dataclass
class Share:
    """One contributor's part of a pooled award, and what happened to it."""

    organisation_id: str
    name: str
    committed: Decimal
    paid: Decimal = ZERO
    released: Decimal = ZERO  # commitment given back to the pool
    clawed_back: Decimal = ZERO
    repaid: Decimal = ZERO

    @property
    def unpaid(self) -> Decimal:
        return self.committed - self.paid - self.released


@dataclass
class Award:
    """An award's money: its instalments and what happened to them."""

    award_id: str
    pot_id: str | None
    recipient_organisation_id: str
    amount: Decimal
    instalments: dict[int, ScheduledInstalment] = field(default_factory=dict)
    released: set[int] = field(default_factory=set)
    cancelled: set[int] = field(default_factory=set)
    open_concerns: set[str] = field(default_factory=set)
    paid: Decimal = ZERO
    clawed_back: Decimal = ZERO
    repaid: Decimal = ZERO  # of the clawbacks
    given_back: Decimal = ZERO  # commitment released to the fund
    shares: dict[str, Share] = field(default_factory=dict)  # a pooled award's contributors
    kpi_returns: dict[str, tuple[date, date]] = field(default_factory=dict)  # id → period

    @property
    def by_results(self) -> bool:
        return any(i.requires_kpi_return for i in self.instalments.values())

    @property
    def suspended(self) -> bool:
        return bool(self.open_concerns)

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid - self.given_back

    @property
    def clawback_outstanding(self) -> Decimal:
        """Clawed back but not yet repaid."""
        return self.clawed_back - self.repaid


@dataclass
class Fund:
    """A fund for one financial year, as its stream tells it."""

    fund_id: str
    partnership_id: str
    name: str
    financial_year: str
    source: FundSource
    eligible_categories: tuple[str, ...]
    version: int = 0
    budget: Decimal = ZERO  # everything allocated or contributed, pots included
    spent: Decimal = ZERO  # general-scope commitments net of releases
    pots: dict[str, Pot] = field(default_factory=dict)
    contributors: dict[str, Contributor] = field(default_factory=dict)
    awards: dict[str, Award] = field(default_factory=dict)
    allocations: set[str] = field(default_factory=set)

    @property
    def pooled(self) -> bool:
        return self.source is FundSource.PARTNER_POOL

    @property
    def ring_fenced(self) -> Decimal:
        return sum((p.amount for p in self.pots.values()), start=ZERO)

    @property
    def available(self) -> Decimal:
        """Headroom outside the pots: budget − ring-fenced − committed."""
        return self.budget - self.ring_fenced - self.spent

    def scope_available(self, pot_id: str | None) -> Decimal:
        return self.available if pot_id is None else self.pots[pot_id].available

    def award(self, award_id: str) -> Award:
        if award_id not in self.awards:
            raise NotFoundError(f"fund {self.fund_id!r} has no award {award_id!r}")
        return self.awards[award_id]

    def _spend(
        self,
        pot_id: str | None,
        amount: Decimal,
        shares: Iterable[FundingShare] = (),
        sign: int = 1,
    ) -> None:
        if pot_id is None:
            self.spent += amount
        else:
            self.pots[pot_id].spent += amount
        for s in shares:
            self.contributors[s.organisation_id].spent += sign * s.amount

    def apply(self, event: DomainEvent) -> None:
        """Change the state by one event of the fund's stream."""
        match event:
            case BudgetAllocated(amount=amount):
                self.budget += amount
            case RingFenceCreated():
                self.pots[event.pot_id] = Pot(
                    event.pot_id, event.name, event.amount, event.eligible_categories
                )
            case ContributionPledged() | ContributionReceived():
                org = event.contributor_organisation_id
                who = self.contributors.setdefault(org, Contributor(org, event.contributor_name))
                if isinstance(event, ContributionPledged):
                    who.pledged += event.amount
                else:
                    who.received += event.amount
                    self.budget += event.amount
            case FormulaAllocationMade():
                self.allocations.add(event.allocation_id)
                self.spent += event.amount
            case AwardMade():
                award = self.awards[event.award_id] = Award(
                    event.award_id, event.pot_id, event.recipient_organisation_id, event.amount
                )
                for s in event.funded_by:
                    award.shares[s.organisation_id] = Share(
                        s.organisation_id, s.organisation_name, s.amount
                    )
                self._spend(event.pot_id, event.amount, event.funded_by)
            case PaymentScheduled():
                self.awards[event.award_id].instalments = {i.number: i for i in event.instalments}
            case PaymentReleased():
                award = self.awards[event.award_id]
                award.released.add(event.instalment)
                award.paid += event.amount
                for s in event.funded_by:
                    award.shares[s.organisation_id].paid += s.amount
            case KPIReturnRecorded():
                self.awards[event.award_id].kpi_returns[event.return_id] = (
                    event.period_start,
                    event.period_end,
                )
            case PaymentSuspended():
                self.awards[event.award_id].open_concerns.add(event.concern_id)
            case PaymentResumed():
                self.awards[event.award_id].open_concerns.discard(event.concern_id)
            case ClawbackRaised():
                award = self.awards[event.award_id]
                award.clawed_back += event.amount
                for s in event.funded_by:
                    award.shares[s.organisation_id].clawed_back += s.amount
            case ClawbackRepaid():
                award = self.awards[event.award_id]
                award.repaid += event.amount
                for s in event.funded_by:
                    award.shares[s.organisation_id].repaid += s.amount
                # Repaid money is the fund's again: it can be committed anew.
                self._spend(award.pot_id, -event.amount, event.funded_by, -1)
            case CommitmentReleased():
                award = self.awards[event.award_id]
                award.cancelled.update(event.cancelled_instalments)
                award.given_back += event.amount
                for s in event.funded_by:
                    award.shares[s.organisation_id].released += s.amount
                self._spend(award.pot_id, -event.amount, event.funded_by, -1)


def fold(partnership_id: str, events: Iterable[DomainEvent]) -> Fund | None:
    """The fund its stream describes (None for an empty stream)."""
    fund: Fund | None = None
    for event in events:
        if isinstance(event, FundEstablished):
            fund = Fund(
                event.fund_id,
                partnership_id,
                event.name,
                event.financial_year,
                event.source,
                event.eligible_categories,
            )
        elif fund is None:
            raise ValueError(f"a fund stream must start with FundEstablished, not {event}")
        else:
            fund.apply(event)
        assert fund is not None
        fund.version += 1
    return fund


def financial_year_of(day: date) -> str:
    """The UK financial year (April to March) a day falls in, e.g. 2019-05-01 → '2019/20'."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"
