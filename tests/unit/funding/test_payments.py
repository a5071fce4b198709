"""Instalments: release, suspension and resumption, payment by results, clawback, decommission."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.funding.awards import award
from services.funding.domain import FundingError
from services.funding.payments import (
    decommission,
    raise_clawback,
    record_kpi_return,
    release_payment,
    resume_payments,
    suspend_payments,
)
from shared.contracts.base import DomainEvent
from shared.contracts.funding import (
    CommitmentReleased,
    KPIReturnRecorded,
    PaymentReleased,
    PaymentResumed,
)
from tests.unit.funding.support import assert_balanced, award_request, given, north_wales_moj_2017

JUNE, SEPT = date(2017, 6, 1), date(2017, 9, 1)


def awarded(**changes: object) -> list[DomainEvent]:
    history = north_wales_moj_2017()
    return history + award(given(history), award_request(**changes), "a")


def test_a_due_instalment_is_released_once() -> None:
    history = awarded()
    with pytest.raises(FundingError, match="not due until 2017-06-01"):
        release_payment(given(history), "a", 1, date(2017, 5, 31))
    [paid] = release_payment(given(history), "a", 1, JUNE)
    assert paid == PaymentReleased(
        fund_id="moj-victims-2017-18",
        award_id="a",
        instalment=1,
        amount=Decimal("10000.00"),
        released_on=JUNE,
    )
    with pytest.raises(FundingError, match="already paid"):
        release_payment(given(history, [paid]), "a", 1, JUNE)
    assert_balanced([*history, paid])


def test_payments_stop_while_a_formal_concern_is_open_and_resume_when_all_are_resolved() -> None:
    history = awarded()
    history += suspend_payments(given(history), "a", "c-1", "late returns", JUNE)
    history += suspend_payments(given(history), "a", "c-2", "safeguarding", JUNE)
    assert suspend_payments(given(history), "a", "c-1", "again", JUNE) == []
    with pytest.raises(FundingError, match="suspended while formal concern"):
        release_payment(given(history), "a", 1, JUNE)
    [first] = resume_payments(given(history), "a", "c-1", SEPT)
    assert isinstance(first, PaymentResumed) and first.still_suspended
    history.append(first)
    with pytest.raises(FundingError, match="c-2 are open"):
        release_payment(given(history), "a", 1, SEPT)
    history += resume_payments(given(history), "a", "c-2", SEPT)
    assert release_payment(given(history), "a", 1, SEPT)
    assert resume_payments(given(history), "a", "c-unknown", SEPT) == []


def test_payment_by_results_waits_for_the_kpi_return_of_the_instalments_period() -> None:
    history = awarded(payment_by_results=True)
    history += record_kpi_return(given(history), "a", "r-0", (date(2017, 3, 1), date(2017, 5, 31)))
    with pytest.raises(FundingError, match="no KPI return covering 2017-08-31"):
        release_payment(given(history), "a", 1, SEPT)
    [noted] = record_kpi_return(given(history), "a", "r-1", (JUNE, date(2017, 8, 31)))
    assert isinstance(noted, KPIReturnRecorded)
    history.append(noted)
    assert record_kpi_return(given(history), "a", "r-1", (JUNE, date(2017, 8, 31))) == []
    assert release_payment(given(history), "a", 1, SEPT)


def test_kpi_returns_of_awards_not_paid_by_results_are_not_recorded() -> None:
    history = awarded()
    assert record_kpi_return(given(history), "a", "r-1", (JUNE, date(2017, 8, 31))) == []


def test_decommissioning_cancels_future_instalments_and_gives_their_money_back() -> None:
    history = awarded()
    history += release_payment(given(history), "a", 1, JUNE)
    before = given(history).available
    [released] = decommission(given(history), "a", date(2017, 12, 1), "service no longer needed")
    assert isinstance(released, CommitmentReleased)
    assert (released.cancelled_instalments, released.amount) == ((3, 4), Decimal("20000.00"))
    history.append(released)
    fund = given(history)
    assert fund.available == before + Decimal("20000.00")
    assert fund.awards["a"].outstanding == Decimal("10000.00")  # instalment 2, due before
    with pytest.raises(FundingError, match="was cancelled"):
        release_payment(fund, "a", 3, date(2018, 1, 1))
    assert decommission(fund, "a", date(2017, 12, 1), "again") == []
    assert_balanced(history)


def test_clawback_is_limited_to_what_was_paid() -> None:
    history = awarded()
    history += release_payment(given(history), "a", 1, JUNE)
    with pytest.raises(FundingError, match=r"£10,000.00 is not yet clawed back"):
        raise_clawback(given(history), "a", Decimal("10000.01"), "unspent", SEPT)
    history += raise_clawback(given(history), "a", Decimal("2500"), "unspent grant", SEPT)
    assert given(history).awards["a"].clawed_back == Decimal("2500")
    assert_balanced(history)
