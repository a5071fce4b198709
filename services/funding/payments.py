"""Payments of an award: release, suspension, resumption, clawback, decommissioning. Pure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.funding.attribution import clawback_shares, repayment_shares, unpaid_shares
from services.funding.domain import Fund, FundingError, NotFoundError
from shared.contracts.base import DomainEvent
from shared.contracts.funding import (
    ClawbackRaised,
    ClawbackRepaid,
    CommitmentReleased,
    KPIReturnRecorded,
    PaymentReleased,
    PaymentResumed,
    PaymentSuspended,
)

Period = tuple[date, date]  # a KPI return's period, first and last day


def record_kpi_return(
    fund: Fund, award_id: str, return_id: str, period: Period
) -> list[DomainEvent]:
    """Note an accepted KPI return on a payment-by-results award (others need none)."""
    award = fund.award(award_id)
    if not award.by_results or return_id in award.kpi_returns:
        return []
    start, end = period
    return [
        KPIReturnRecorded(
            fund_id=fund.fund_id,
            award_id=award_id,
            return_id=return_id,
            period_start=start,
            period_end=end,
        )
    ]


def release_payment(fund: Fund, award_id: str, number: int, today: date) -> list[DomainEvent]:
    """Pay one instalment, if it is due, not suspended and (payment by results) reported on."""
    award = fund.award(award_id)
    kpi_returns = award.kpi_returns.values()
    instalment = award.instalments.get(number)
    if instalment is None:
        raise NotFoundError(f"award {award_id!r} has no instalment {number}")
    if number in award.released:
        raise FundingError(f"instalment {number} of award {award_id!r} was already paid")
    if number in award.cancelled:
        raise FundingError(f"instalment {number} of award {award_id!r} was cancelled")
    if award.suspended:
        raise FundingError(
            f"payments of award {award_id!r} are suspended while formal concern(s) "
            f"{', '.join(sorted(award.open_concerns))} are open"
        )
    if instalment.due_date > today:
        raise FundingError(f"instalment {number} is not due until {instalment.due_date}")
    if instalment.requires_kpi_return and not any(
        start <= instalment.period_end <= end for start, end in kpi_returns
    ):
        raise FundingError(
            f"instalment {number} is paid by results: no KPI return covering "
            f"{instalment.period_end} has been submitted"
        )
    return [
        PaymentReleased(
            fund_id=fund.fund_id,
            award_id=award_id,
            pot_id=award.pot_id,
            instalment=number,
            amount=instalment.amount,
            released_on=today,
            funded_by=unpaid_shares(award, instalment.amount),
        )
    ]


def suspend_payments(
    fund: Fund, award_id: str, concern_id: str, reason: str, on: date
) -> list[DomainEvent]:
    """Stop payments while a formal concern is open (nothing new if it already stopped them)."""
    award = fund.award(award_id)
    if concern_id in award.open_concerns or award.outstanding == 0:
        return []
    return [
        PaymentSuspended(
            fund_id=fund.fund_id,
            award_id=award_id,
            concern_id=concern_id,
            reason=reason,
            suspended_on=on,
        )
    ]


def resume_payments(fund: Fund, award_id: str, concern_id: str, on: date) -> list[DomainEvent]:
    """Lift the suspension a resolved concern caused; others may still hold payments."""
    award = fund.award(award_id)
    if concern_id not in award.open_concerns:
        return []
    return [
        PaymentResumed(
            fund_id=fund.fund_id,
            award_id=award_id,
            concern_id=concern_id,
            resumed_on=on,
            still_suspended=len(award.open_concerns) > 1,
        )
    ]


def raise_clawback(
    fund: Fund, award_id: str, amount: Decimal, reason: str, on: date
) -> list[DomainEvent]:
    """Ask the recipient to repay money it was paid (never more than it was paid)."""
    award = fund.award(award_id)
    repayable = award.paid - award.clawed_back
    if amount > repayable:
        raise FundingError(
            f"cannot claw back £{amount:,.2f}: award {award_id!r} has been paid "
            f"£{award.paid:,.2f}, of which £{repayable:,.2f} is not yet clawed back"
        )
    return [
        ClawbackRaised(
            fund_id=fund.fund_id,
            award_id=award_id,
            pot_id=award.pot_id,
            amount=amount,
            reason=reason,
            raised_on=on,
            funded_by=clawback_shares(award, amount),
        )
    ]


def repay_clawback(
    fund: Fund, award_id: str, amount: Decimal, reference: str, on: date
) -> list[DomainEvent]:
    """Record money the recipient paid back; it is the fund's (and its partners') again."""
    award = fund.award(award_id)
    owed = award.clawback_outstanding
    if owed == 0:
        raise FundingError(f"award {award_id!r} has no clawback outstanding to repay")
    if amount > owed:
        raise FundingError(
            f"cannot record a repayment of £{amount:,.2f}: award {award_id!r} owes "
            f"£{owed:,.2f} (clawed back £{award.clawed_back:,.2f}, repaid "
            f"£{award.repaid:,.2f})"
        )
    return [
        ClawbackRepaid(
            fund_id=fund.fund_id,
            award_id=award_id,
            pot_id=award.pot_id,
            amount=amount,
            reference=reference,
            repaid_on=on,
            funded_by=repayment_shares(award, amount),
        )
    ]


def decommission(fund: Fund, award_id: str, effective: date, reason: str) -> list[DomainEvent]:
    """Cancel instalments due from the effective date on and give their money back to the fund."""
    award = fund.award(award_id)
    future = sorted(
        n
        for n, i in award.instalments.items()
        if i.due_date >= effective and n not in award.released and n not in award.cancelled
    )
    amount = sum((award.instalments[n].amount for n in future), start=Decimal("0.00"))
    if not future:
        return []
    return [
        CommitmentReleased(
            fund_id=fund.fund_id,
            award_id=award_id,
            pot_id=award.pot_id,
            amount=amount,
            cancelled_instalments=tuple(future),
            reason=reason,
            effective_date=effective,
            funded_by=unpaid_shares(award, amount),
        )
    ]
