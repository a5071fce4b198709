"""Funding streams, allocations, payments, ballot results and amended returns on the feed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from services.publication.mapping import MAPPERS
from services.publication.register import fold
from services.publication.report import annual_report, report_csv
from shared.contracts.applications import BallotClosed, Tally, VoteCast
from shared.contracts.funding import (
    AreaAllocation,
    BudgetAllocated,
    FormulaAllocationMade,
    FundEstablished,
    FundSource,
    PaymentReleased,
)
from shared.contracts.monitoring import KPIReturnAmended
from shared.contracts.publication import EntryType
from tests.unit.publication.builders import envelope, grant, kpi_return, publish

FUND = "safer-dorset-2019-20"


def test_a_funding_stream_its_budget_and_a_formula_allocation_are_published() -> None:
    entries, _ = publish(
        [
            envelope(
                FundEstablished(
                    fund_id=FUND,
                    name="Community Safety Fund",
                    financial_year="2019/20",
                    source=FundSource.HOME_OFFICE,
                )
            ),
            envelope(BudgetAllocated(fund_id=FUND, amount=Decimal("42000.00"), reference="HO-1")),
            envelope(
                FormulaAllocationMade(
                    fund_id=FUND,
                    allocation_id="csf-2019",
                    amount=Decimal("1000.00"),
                    areas=(
                        AreaAllocation(
                            area_id="E07000048",
                            area_name="Christchurch",
                            crimes=600,
                            population=50000,
                            amount=Decimal("400.00"),
                        ),
                        AreaAllocation(
                            area_id="E07000049",
                            area_name="East Dorset",
                            crimes=900,
                            population=90000,
                            amount=Decimal("600.00"),
                        ),
                    ),
                )
            ),
        ]
    )
    stream, budget, allocation = entries
    assert stream.entry_type is EntryType.FUNDING_STREAM
    assert stream.title == "Funding stream Community Safety Fund (2019/20)"
    assert budget.entry_type is allocation.entry_type is EntryType.ALLOCATION
    assert [a["crimes"] for a in allocation.data["areas"]] == [600, 900]  # reproducible
    assert {e.fund_id for e in entries} == {FUND}


def test_a_ballot_result_is_a_numbered_decision_and_no_voter_is_published() -> None:
    vote = VoteCast(round_id="ycyc-2019", voter_hash="ab" * 32, application_id="app-1")
    result = BallotClosed(
        round_id="ycyc-2019",
        tallies=(Tally(application_id="app-1", votes=312), Tally(application_id="app-2", votes=97)),
        winners=("app-1",),
        allocated=Decimal("3000.00"),
        decision_reference="YCYC vote 2019",
    )
    assert VoteCast.event_type not in MAPPERS
    entries, _ = publish([envelope(vote), envelope(result)])
    [entry] = entries
    assert entry.entry_type is EntryType.BALLOT_RESULT
    assert entry.decision_number == "DORSET-2019-001"
    assert entry.data["tallies"][0] == {"application_id": "app-1", "votes": 312}
    assert "ab" * 32 not in entry.model_dump_json()


def test_an_amended_return_corrects_the_outcome_it_replaces() -> None:
    first = kpi_return("a1", {"gender": {"female": 14, "male": 11}})
    amended = KPIReturnAmended(
        **first.model_dump(exclude={"submitted_on", "beneficiaries", "breakdowns"}),
        beneficiaries=45,
        breakdowns={"gender": {"female": 24, "male": 21}},
        reason="twenty clients missed; ring 01305 123456",
        amendment=1,
        amended_on=date(2019, 10, 20),
    )
    entries, _ = publish([envelope(grant("a1")), envelope(first), envelope(amended)])
    _, outcome, correction = entries
    assert correction.corrects == outcome.number
    # Every figure moved by ten or more: nothing small can be had by subtraction, all is shown.
    assert correction.data["beneficiaries"] == 45
    assert correction.data["breakdowns"] == {"gender": {"female": 24, "male": 21}}
    assert correction.data["amendment_reason"] == "twenty clients missed; ring [contact removed]"


def test_payments_are_published_and_the_annual_report_totals_what_was_paid() -> None:
    paid = [
        PaymentReleased(
            fund_id=FUND, award_id="a1", instalment=n, amount=Decimal("1250.00"), released_on=day
        )
        for n, day in ((1, date(2019, 7, 1)), (2, date(2019, 10, 1)))
    ]
    when = datetime(2019, 10, 1, tzinfo=UTC)
    entries, _ = publish([envelope(grant("a1")), *(envelope(p, when) for p in paid)])
    assert [e.entry_type for e in entries] == [
        EntryType.GRANT,
        EntryType.PAYMENT,
        EntryType.PAYMENT,
    ]
    assert entries[1].refers_to == entries[0].number
    report = annual_report(fold(entries), FUND)
    assert report is not None and report.total_paid == Decimal("2500.00")
    assert report_csv(report).splitlines()[-1].startswith("TOTAL,1 projects,,2500.00,2500.00")
