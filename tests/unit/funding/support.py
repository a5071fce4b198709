"""Given-when-then helpers for the funding domain: funds from the seeds, events folded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from services.funding.awards import AwardFunding
from services.funding.books import check
from services.funding.commands import CreateRingFence, EstablishFund, establish_fund
from services.funding.domain import Fund, fold
from services.funding.journal import Line, lines_of, postings
from shared.contracts.base import DomainEvent
from shared.contracts.funding import FundSource

PARTNERSHIP = "north-wales"


def north_wales_moj_2017() -> list[DomainEvent]:
    """North Wales 2017/18: MoJ victims' funding £814,076, £56,442 ring-fenced for CSA services."""
    return establish_fund(
        None,
        EstablishFund(
            fund_id="moj-victims-2017-18",
            name="MoJ victims' services 2017/18",
            financial_year="2017/18",
            source=FundSource.MINISTRY_OF_JUSTICE,
            budget=Decimal("814076"),
            budget_reference="MoJ allocation letter 2017/18",
            ring_fences=(
                CreateRingFence(
                    pot_id="csa",
                    name="Child sexual abuse services",
                    amount=Decimal("56442"),
                    eligible_categories=("child-sexual-abuse",),
                ),
            ),
        ),
    )


def pool() -> list[DomainEvent]:
    """A pooled budget with no money yet: partners' contributions are its budget."""
    return establish_fund(
        None,
        EstablishFund(
            fund_id="victims-pool-2019-20",
            name="Joint victims' services pool",
            financial_year="2019/20",
            source=FundSource.PARTNER_POOL,
        ),
    )


def given(*histories: Sequence[DomainEvent]) -> Fund:
    fund = fold(PARTNERSHIP, [e for history in histories for e in history])
    assert fund is not None
    return fund


def award_request(**changes: Any) -> AwardFunding:
    body: dict[str, Any] = {
        "fund_id": "moj-victims-2017-18",
        "mechanism": "grant",
        "title": "Independent sexual violence advisers",
        "description": "Advocacy for victims of sexual violence",
        "recipient_organisation_id": "GB-CHC-1000001",
        "recipient_name": "RASASC North Wales",
        "amount": "40000.00",
        "award_date": date(2017, 5, 1),
        "start_date": date(2017, 6, 1),
        "end_date": date(2018, 5, 31),
    }
    return AwardFunding.model_validate({**body, **changes})


def books(events: Sequence[DomainEvent]) -> list[Line]:
    """The journal lines the events post, as the ledger projection stores them."""
    return [
        line
        for n, event in enumerate(events)
        for m, entry in enumerate(postings(event))
        for line in lines_of(f"{n}.{m}", entry)
    ]


def assert_balanced(events: Sequence[DomainEvent]) -> None:
    report = check(books(events))
    assert report.balanced, report.problems
