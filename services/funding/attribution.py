"""Which partners' money a pooled budget's movements are: exact shares. Pure: no I/O, no clock.

Every movement that touches a pooled award is split between the contributors with
`split_pro_rata` (whole pence, largest remainder, ties to the smallest organisation id: ADR
0011), weighted by what each contributor has *left* in the thing being moved (ADR 0030):

- an award, by each partner's uncommitted money in the pool;
- a payment or a released commitment, by each partner's unpaid part of the award;
- a clawback, by what each partner's money paid and has not yet been clawed back;
- a repayment, by what each partner is still owed of the clawbacks.

Because no share can exceed its weight, no partner is ever over-committed, paid beyond its
part or repaid more than it is owed, and the last movement takes exactly what is left.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from services.funding.arithmetic import split_pro_rata
from services.funding.domain import Award, Fund, FundingError, Share
from shared.contracts.funding import FundingShare


def _shares(
    amount: Decimal, left: Mapping[str, Decimal], names: Mapping[str, str], what: str
) -> tuple[FundingShare, ...]:
    weights = {org: value for org, value in left.items() if value > 0}
    if not weights:
        return ()
    if amount > sum(weights.values()):
        raise FundingError(
            f"cannot attribute £{amount:,.2f} of {what}: the contributors have only "
            f"£{sum(weights.values()):,.2f} left in it"
        )
    parts = split_pro_rata(amount, weights)
    return tuple(
        FundingShare(organisation_id=org, organisation_name=names[org], amount=parts[org])
        for org in sorted(parts)
        if parts[org] > 0
    )


def award_shares(fund: Fund, amount: Decimal) -> tuple[FundingShare, ...]:
    """A pooled award's shares: pro rata to each partner's uncommitted money (none for a fund)."""
    if not fund.pooled:
        return ()
    left = {org: c.available for org, c in fund.contributors.items()}
    names = {org: c.name for org, c in fund.contributors.items()}
    return _shares(amount, left, names, f"pool {fund.fund_id!r}")


def _of_award(
    award: Award, amount: Decimal, left: Callable[[Share], Decimal], what: str
) -> tuple[FundingShare, ...]:
    return _shares(
        amount,
        {org: left(s) for org, s in award.shares.items()},
        {org: s.name for org, s in award.shares.items()},
        f"{what} of award {award.award_id!r}",
    )


def unpaid_shares(award: Award, amount: Decimal) -> tuple[FundingShare, ...]:
    """A payment's or a released commitment's shares: pro rata to each unpaid part."""
    return _of_award(award, amount, lambda s: s.unpaid, "the unpaid commitment")


def clawback_shares(award: Award, amount: Decimal) -> tuple[FundingShare, ...]:
    """A clawback's shares: pro rata to what each partner's money paid, not yet clawed back."""
    return _of_award(award, amount, lambda s: s.paid - s.clawed_back, "the payments")


def repayment_shares(award: Award, amount: Decimal) -> tuple[FundingShare, ...]:
    """A repayment's shares: pro rata to what each partner is still owed of the clawbacks."""
    return _of_award(award, amount, lambda s: s.clawed_back - s.repaid, "the clawbacks")
