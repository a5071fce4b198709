"""Awards and their payments: the decisions, checked against the fund. Pure: no I/O, no clock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field, model_validator

from services.funding.arithmetic import periods, quarterly_in_advance, split_pro_rata
from services.funding.attribution import award_shares
from services.funding.commands import ORG_ID, Command
from services.funding.domain import Fund, FundingError, HeadroomError, NotFoundError
from shared.contracts.base import DomainEvent, Money
from shared.contracts.funding import (
    ContractAwarded,
    GrantAwarded,
    Instalment,
    Mechanism,
    PaymentScheduled,
    ScheduledInstalment,
)


class AwardFunding(Command):
    """Commit money from a fund (or one of its pots) to a recipient."""

    application_id: str | None = None
    scheme_id: str | None = None
    fund_id: str = Field(min_length=1)
    pot_id: str | None = None
    mechanism: Mechanism
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    recipient_organisation_id: str = Field(pattern=ORG_ID)
    recipient_name: str = Field(min_length=1)
    recipient_is_public_body: bool = False
    amount: Money = Field(gt=0)
    currency: str = Field(default="GBP", pattern=r"^[A-Z]{3}$")  # ISO 4217
    award_date: date
    start_date: date
    end_date: date
    spend_category: str | None = None
    conditions: tuple[str, ...] = ()
    # Empty: quarterly in advance over the award's dates (North Wales and Dorset grant terms).
    payment_schedule: tuple[Instalment, ...] = ()
    payment_by_results: bool = False  # each instalment waits for the KPI return of its period
    beneficiary_location: str | None = None
    contract_reference: str | None = None
    unit_price: Money | None = None

    @model_validator(mode="after")
    def _consistent(self) -> AwardFunding:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        scheduled = sum((i.amount for i in self.payment_schedule), start=Decimal(0))
        if self.payment_schedule and scheduled != self.amount:
            raise ValueError(f"payment schedule totals {scheduled}, award is {self.amount}")
        return self


def check_headroom(fund: Fund, command: AwardFunding) -> None:
    """Refuse what the fund's rules forbid: mechanism, ring-fence eligibility, headroom."""
    if (
        command.mechanism is Mechanism.PARTNERSHIP_AGREEMENT
        and not command.recipient_is_public_body
    ):
        raise FundingError(
            f"partnership agreements are for public bodies only; {command.recipient_name} "
            f"({command.recipient_organisation_id}) is not one"
        )
    if command.pot_id is not None:
        pot = fund.pots.get(command.pot_id)
        if pot is None:
            raise NotFoundError(f"fund {fund.fund_id!r} has no pot {command.pot_id!r}")
        if command.spend_category not in pot.eligible_categories:
            raise HeadroomError(
                f"ring-fenced pot {pot.name!r} only funds {', '.join(pot.eligible_categories)}; "
                f"spend category is {command.spend_category or 'not given'}"
            )
        where, available = f"ring-fenced pot {pot.name!r}", pot.available
    else:
        if fund.eligible_categories and command.spend_category not in fund.eligible_categories:
            raise HeadroomError(
                f"fund {fund.name!r} only funds {', '.join(fund.eligible_categories)}; "
                f"spend category is {command.spend_category or 'not given'}"
            )
        where, available = f"fund {fund.name!r}", fund.available
    if command.amount > available:
        raise HeadroomError(
            f"{where} has £{available:,.2f} available, the award needs £{command.amount:,.2f}",
            available,
        )


def award(fund: Fund, command: AwardFunding, award_id: str) -> list[DomainEvent]:
    """The award event and its payment schedule, if the fund can bear it."""
    if award_id in fund.awards:
        raise FundingError(f"award {award_id!r} was already made")
    check_headroom(fund, command)
    schedule = schedule_instalments(command)
    details = command.model_dump(
        exclude={
            "recipient_is_public_body",
            "payment_by_results",
            "contract_reference",
            "unit_price",
            "payment_schedule",
        }
    )
    details.update(
        award_id=award_id,
        payment_schedule=[Instalment(due_date=i.due_date, amount=i.amount) for i in schedule],
        funded_by=award_shares(fund, command.amount),
    )
    made: DomainEvent
    if command.mechanism is Mechanism.GRANT:
        made = GrantAwarded(**details)
    else:
        made = ContractAwarded(
            **details, contract_reference=command.contract_reference, unit_price=command.unit_price
        )
    return [
        made,
        PaymentScheduled(
            fund_id=fund.fund_id, award_id=award_id, pot_id=command.pot_id, instalments=schedule
        ),
    ]


def schedule_instalments(command: AwardFunding) -> tuple[ScheduledInstalment, ...]:
    """The instalments: as given, or quarterly in advance in equal parts (pence to the first)."""
    if command.payment_schedule:
        given = sorted(command.payment_schedule, key=lambda i: i.due_date)
        dues, amounts = [i.due_date for i in given], [i.amount for i in given]
    else:
        dues = quarterly_in_advance(command.start_date, command.end_date)
        equal = split_pro_rata(command.amount, {f"{n:04d}": 1 for n in range(len(dues))})
        amounts = [equal[f"{n:04d}"] for n in range(len(dues))]
    return tuple(
        ScheduledInstalment(
            number=n,
            due_date=due,
            amount=amount,
            period_start=start,
            period_end=end,
            requires_kpi_return=command.payment_by_results,
        )
        for n, (due, amount, (start, end)) in enumerate(
            zip(dues, amounts, periods(dues, command.end_date), strict=True), start=1
        )
        if amount > 0
    )
