"""Funding as a process over HTTP: funds, ring-fences, awards, payments, the ledger, access."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from shared.auth import Role
from shared.infra.databases import create_databases, drop_databases
from shared.infra.processes import ServiceProcess, stop_all, wait_until_healthy
from tests.support.services import TEST_SECRET, free_base_port, token

PARTNERSHIP = f"north-wales-{uuid.uuid4().hex[:8]}"
BASE = f"/partnerships/{PARTNERSHIP}"
COMMISSIONER = token(PARTNERSHIP, Role.COMMISSIONER, org="GB-PLA-NWALES-OPCC")
PROVIDER = "GB-CHC-1000001"
FUND = {
    "fund_id": "moj-victims-2017-18",
    "name": "MoJ victims' services 2017/18",
    "financial_year": "2017/18",
    "source": "ministry_of_justice",
    "budget": "814076.00",
    "ring_fences": [
        {
            "pot_id": "csa",
            "name": "Child sexual abuse services",
            "amount": "56442.00",
            "eligible_categories": ["child-sexual-abuse"],
        }
    ],
}


def award(**changes: Any) -> dict[str, Any]:
    body = {
        "fund_id": "moj-victims-2017-18",
        "pot_id": "csa",
        "spend_category": "child-sexual-abuse",
        "mechanism": "grant",
        "title": "CSA counselling",
        "description": "Therapeutic support for survivors of child sexual abuse",
        "recipient_organisation_id": PROVIDER,
        "recipient_name": "RASASC North Wales",
        "amount": "40000.00",
        "award_date": "2017-05-01",
        "start_date": "2017-06-01",
        "end_date": "2018-05-31",
    }
    return {**body, **changes}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def funding(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    """The funding service as a process with a database of its own, and a commissioner client."""
    name = f"e2e_{uuid.uuid4().hex[:8]}_funding"
    urls = await create_databases(database_url, [name])
    logs: Path = tmp_path_factory.mktemp("funding-logs")
    env = {
        "DATABASE_URL": urls[name],
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "COMMISSIONING_JWT_SECRET": TEST_SECRET,
    }
    service = ServiceProcess("funding", free_base_port(1), env, logs / "funding.log").start()
    try:
        wait_until_healthy([service], timeout=60)
        async with httpx.AsyncClient(base_url=service.url, headers=COMMISSIONER) as client:
            yield client
    finally:
        stop_all([service])
        await drop_databases(database_url, [name])


async def test_a_fund_with_a_ring_fence_awards_pays_and_balances(
    funding: httpx.AsyncClient,
) -> None:
    assert (await funding.post(f"{BASE}/funds", json=FUND)).status_code == 201
    again = await funding.post(f"{BASE}/funds", json=FUND)
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "fund 'moj-victims-2017-18' already exists",
    )
    fund = (await funding.get(f"{BASE}/funds/moj-victims-2017-18")).json()
    assert (fund["available"], fund["pots"][0]["available"]) == ("757634.00", "56442.00")

    made = await funding.post(f"{BASE}/awards", json=award())
    assert made.status_code == 201, made.text
    award_id = made.json()["award_id"]
    over = await funding.post(f"{BASE}/awards", json=award(amount="16442.01"))
    assert over.status_code == 409
    assert "'Child sexual abuse services' has £16,442.00 available" in over.json()["detail"]
    wrong = await funding.post(f"{BASE}/awards", json=award(spend_category="dv"))
    assert "only funds child-sexual-abuse" in wrong.json()["detail"]

    paid = await funding.post(f"{BASE}/awards/{award_id}/instalments/1/release", json={})
    assert paid.status_code == 201, paid.text
    twice = await funding.post(f"{BASE}/awards/{award_id}/instalments/1/release", json={})
    assert twice.status_code == 409 and "already paid" in twice.json()["detail"]
    shown = (await funding.get(f"{BASE}/awards/{award_id}")).json()
    assert [i["status"] for i in shown["instalments"]] == [
        "paid",
        "scheduled",
        "scheduled",
        "scheduled",
    ]
    assert shown["paid"] == "10000.00"

    position: dict[str, Any] = {}
    for _ in range(200):  # the ledger follows the funding topic
        position = (await funding.get(f"{BASE}/funds/moj-victims-2017-18/position")).json()
        if position["total"]["paid"] == "10000.00":
            break
        await asyncio.sleep(0.05)
    pot = next(s for s in position["scopes"] if s["scope"] == "pot:csa")
    assert (pot["budget"], pot["committed"], pot["paid"], pot["available"]) == (
        "56442.00",
        "30000.00",
        "10000.00",
        "16442.00",
    )
    before = await funding.get(
        f"{BASE}/funds/moj-victims-2017-18/position", params={"as_of": "2000-01-01"}
    )
    assert before.json()["total"]["budget"] == "0.00"
    journal = (await funding.get(f"{BASE}/funds/moj-victims-2017-18/journal")).json()
    assert journal["total"] == 8  # budget, ring-fence, commitment, payment: two lines each
    check = (await funding.get(f"{BASE}/ledger/check")).json()
    assert check == {"balanced": True, "entries": 4, "problems": []}


async def test_recipients_see_their_own_awards_and_nothing_crosses_partnerships(
    funding: httpx.AsyncClient,
) -> None:
    provider = token(PARTNERSHIP, Role.APPLICANT, org=PROVIDER)
    other = token(PARTNERSHIP, Role.APPLICANT, org="GB-CHC-9999999")
    mine = (await funding.get(f"{BASE}/awards", headers=provider)).json()
    assert mine["total"] >= 1
    assert {a["recipient_organisation_id"] for a in mine["items"]} == {PROVIDER}
    assert (await funding.get(f"{BASE}/awards", headers=other)).json()["total"] == 0
    award_id = mine["items"][0]["award_id"]
    assert (await funding.get(f"{BASE}/awards/{award_id}", headers=other)).status_code == 404
    partner = token(PARTNERSHIP, Role.PARTNER, org="GB-LAE-CONWY")
    assert (
        await funding.get(f"{BASE}/funds/moj-victims-2017-18", headers=partner)
    ).status_code == 404
    outsider = token("gwent", Role.COMMISSIONER)
    assert (
        await funding.get(f"{BASE}/funds/moj-victims-2017-18", headers=outsider)
    ).status_code == 403
    gwent = await funding.get("/partnerships/gwent/awards/" + award_id, headers=outsider)
    assert gwent.status_code == 404
    refused = await funding.post(f"{BASE}/awards", json=award(), headers=provider)
    assert refused.status_code == 403


async def test_a_pooled_budget_attributes_awards_and_partners_see_their_statement(
    funding: httpx.AsyncClient,
) -> None:
    pool = {
        "fund_id": "victims-pool",
        "name": "Victims pool",
        "financial_year": "2019/20",
        "source": "partner_pool",
    }
    assert (await funding.post(f"{BASE}/funds", json=pool)).status_code == 201
    for org, amount in (("GB-LAE-CONWY", "30000.00"), ("GB-LAE-GWYNEDD", "10000.00")):
        paid = await funding.post(
            f"{BASE}/funds/victims-pool/contributions",
            json={"contributor_organisation_id": org, "contributor_name": org, "amount": amount},
        )
        assert paid.status_code == 201, paid.text
    made = await funding.post(
        f"{BASE}/awards",
        json=award(fund_id="victims-pool", pot_id=None, spend_category=None, amount="1000.03"),
    )
    assert made.status_code == 201, made.text
    partner = token(PARTNERSHIP, Role.PARTNER, org="GB-LAE-GWYNEDD")
    url = f"{BASE}/funds/victims-pool/statements/GB-LAE-GWYNEDD"
    statement: dict[str, Any] = {}
    for _ in range(200):
        answer = await funding.get(url, headers=partner)
        if answer.status_code == 200 and answer.json()["funded"]:
            statement = answer.json()
            break
        await asyncio.sleep(0.05)
    assert (statement["received"], statement["attributed"]) == ("10000.00", "250.01")
    conwy = await funding.get(f"{BASE}/funds/victims-pool/statements/GB-LAE-CONWY", headers=partner)
    assert conwy.status_code == 403


async def settled(funding: httpx.AsyncClient, url: str, done: Any, **kwargs: Any) -> Any:
    """An answer of the ledger once it has caught up (it follows the funding topic)."""
    answer: Any = None
    for _ in range(200):
        response = await funding.get(url, **kwargs)
        answer = response.json()
        if response.status_code == 200 and done(answer):
            return answer
        await asyncio.sleep(0.05)
    raise AssertionError(f"the ledger never caught up: {answer}")


async def test_a_partners_statement_follows_its_money_through_payment_clawback_and_repayment(
    funding: httpx.AsyncClient,
) -> None:
    pool = {
        "fund_id": "repaid-pool",
        "name": "Repaid pool",
        "financial_year": "2017/18",
        "source": "partner_pool",
    }
    assert (await funding.post(f"{BASE}/funds", json=pool)).status_code == 201
    for org, amount in (("GB-LAE-CONWY", "30000.00"), ("GB-LAE-GWYNEDD", "10000.00")):
        body = {"contributor_organisation_id": org, "contributor_name": org, "amount": amount}
        assert (await funding.post(f"{BASE}/funds/repaid-pool/contributions", json=body)).is_success
    fence = {"pot_id": "p", "name": "p", "amount": "1.00", "eligible_categories": ["x"]}
    refused = await funding.post(f"{BASE}/funds/repaid-pool/ring-fences", json=fence)
    assert refused.status_code == 409 and "not ring-fenced" in refused.json()["detail"]
    made = await funding.post(
        f"{BASE}/awards",
        json=award(fund_id="repaid-pool", pot_id=None, spend_category=None, amount="1000.03"),
    )
    award_id = made.json()["award_id"]
    awards = f"{BASE}/awards/{award_id}"
    assert (await funding.post(f"{awards}/instalments/1/release", json={})).status_code == 201
    claw = {"amount": "100.00", "reason": "unspent", "raised_on": "2017-12-01"}
    assert (await funding.post(f"{awards}/clawbacks", json=claw)).status_code == 201
    too_much = await funding.post(
        f"{awards}/repayments", json={"amount": "100.01", "reference": "BACS 1"}
    )
    assert (too_much.status_code, too_much.json()["detail"]) == (
        409,
        f"cannot record a repayment of £100.01: award {award_id!r} owes £100.00 "
        "(clawed back £100.00, repaid £0.00)",
    )
    assert (
        await funding.post(f"{awards}/repayments", json={"amount": "0", "reference": "x"})
    ).status_code == 422
    repaid = await funding.post(
        f"{awards}/repayments",
        json={"amount": "40.00", "reference": "BACS 1", "repaid_on": "2018-01-15"},
    )
    assert repaid.status_code == 201, repaid.text
    shown = (await funding.get(awards)).json()
    assert (shown["clawed_back"], shown["repaid"], shown["clawback_outstanding"]) == (
        "100.00",
        "40.00",
        "60.00",
    )
    assert [(p["organisation_id"], p["paid"], p["repaid"]) for p in shown["funded_by"]] == [
        ("GB-LAE-CONWY", "187.51", "30.00"),
        ("GB-LAE-GWYNEDD", "62.50", "10.00"),
    ]

    partner = token(PARTNERSHIP, Role.PARTNER, org="GB-LAE-GWYNEDD")
    statement = await settled(
        funding,
        f"{BASE}/funds/repaid-pool/statements/GB-LAE-GWYNEDD",
        lambda s: s["repaid"] != "0.00",
        headers=partner,
    )
    # Award 1000.03 split 3:1 (ADR 0011); instalment 1 (250.01) by unpaid parts; the clawback
    # by what each partner's money paid; the repayment by what each one is owed.
    [funded] = statement["funded"]
    assert {k: funded[k] for k in ("amount", "paid", "unpaid", "clawed_back", "repaid")} == {
        "amount": "250.01",
        "paid": "62.50",
        "unpaid": "187.51",
        "clawed_back": "25.00",
        "repaid": "10.00",
    }
    assert (statement["available"], statement["clawback_due"]) == ("9759.99", "15.00")
    position = (await funding.get(f"{BASE}/funds/repaid-pool/position")).json()
    partners = {p["organisation_id"]: p for p in position["contributors"]}
    for figure in ("budget", "committed", "paid", "repaid", "available", "clawback_due"):
        parts = sum(Decimal(p[figure]) for p in partners.values())
        assert parts == Decimal(position["total"][figure]), figure
    assert position["total"]["available"] == "39039.97"  # 40,000 − 1,000.03 awarded + 40 repaid
    lines = (await funding.get(f"{BASE}/funds/repaid-pool/journal", params={"limit": 100})).json()
    assert {line["contributor"] for line in lines["items"]} == {
        None,
        "GB-LAE-CONWY",
        "GB-LAE-GWYNEDD",
    }
    check = (await funding.get(f"{BASE}/ledger/check")).json()
    assert check["balanced"], check["problems"]
