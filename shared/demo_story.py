"""The story `commissioning demo` tells: a Dorset community grant going from funding to monitoring.

The award is drawn from the Dorset PCC's commissioning overview (2019): the Safer Dorset Fund's
Community Grant Scheme gives voluntary and community groups £100 to £3,000 from Police Property Act
money for projects meeting a Police and Crime Plan priority, monitored through KPIs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx

from shared.auth import Principal, Role

PARTNERSHIP = "dorset"
COMMISSIONER = Principal(
    user_id="demo-commissioner",
    organisation_id="GB-PLA-DORSET-OPCC",
    partnership_id=PARTNERSHIP,
    role=Role.COMMISSIONER,
)
ARRIVAL_TIMEOUT = 30.0


class StoryError(RuntimeError):
    """A step of the story did not happen; the message says which and where to look."""


FUND_ID = "safer-dorset-fund-community-grant-scheme-2019-20"


def demo_fund() -> dict[str, Any]:
    """The fund the grant draws on: Police Property Act money, estimated £12,000 a year."""
    return {
        "fund_id": FUND_ID,
        "name": "Safer Dorset Fund - Community Grant Scheme",
        "financial_year": "2019/20",
        "source": "police_property_act",
        "budget": "12000.00",
        "budget_reference": "Police Property Act receipts, estimated £12,000 per annum",
    }


def demo_award() -> dict[str, Any]:
    """The body of the demo's award request: £2,500 from the Community Grant Scheme, 2019/20."""
    return {
        "fund_id": FUND_ID,
        "mechanism": "grant",
        "title": "Portland youth diversion evenings",
        "description": "Friday-evening sport and mentoring sessions for young people at risk of "
        "anti-social behaviour, meeting the Police and Crime Plan priority of reducing "
        "reoffending. Funded from Police Property Act money.",
        "recipient_organisation_id": "GB-CHC-1234567",
        "recipient_name": "Portland Youth Diversion Project (demo organisation)",
        "amount": "2500.00",
        "award_date": "2019-10-01",
        "start_date": "2019-10-01",
        "end_date": "2020-09-30",  # one year only, as the scheme's grants are
        "conditions": [
            "Quarterly KPI returns with the minimum data set: beneficiaries, client "
            "details, intervention type and referrals"
        ],
        "payment_schedule": [
            {"due_date": "2019-10-01", "amount": "1250.00"},
            {"due_date": "2020-04-01", "amount": "1250.00"},
        ],
        "beneficiary_location": "Portland, Dorset",
    }


def pounds(amount: str) -> str:
    return f"£{Decimal(amount):,.2f}"


def tell(funding_url: str, monitoring_url: str, token: str, say: Callable[[str], None]) -> None:
    """Award the demo grant at funding, then wait until monitoring has it; narrate with timings."""
    award = demo_award()
    headers = {"Authorization": f"Bearer {token}"}
    say(
        f"1. A commissioner of the Dorset OPCC establishes the Safer Dorset Fund (Community Grant "
        f"Scheme, {pounds(demo_fund()['budget'])} for 2019/20) and awards "
        f"{pounds(award['amount'])} from it to {award['recipient_name']} "
        f'({award["recipient_organisation_id"]}) for "{award["title"]}".'
    )
    with httpx.Client(timeout=10.0, headers=headers) as client:
        fund = client.post(f"{funding_url}/partnerships/{PARTNERSHIP}/funds", json=demo_fund())
        if fund.status_code != 201:
            raise StoryError(f"funding refused the fund: {fund.status_code} {fund.text}")
        began = time.perf_counter()
        answer = client.post(f"{funding_url}/partnerships/{PARTNERSHIP}/awards", json=award)
        if answer.status_code != 201:
            raise StoryError(f"funding refused the award: {answer.status_code} {answer.text}")
        recorded, sent = answer.json(), time.perf_counter()
        say(
            f"2. funding recorded GrantAwarded at position {recorded['position']} of its event "
            f"store in {(sent - began) * 1000:.0f} ms (award {recorded['award_id']}, "
            f"event {recorded['event_id']}); its outbox relay publishes it on "
            "commissioning.funding.v1."
        )
        url = f"{monitoring_url}/partnerships/{PARTNERSHIP}/services/{recorded['award_id']}"
        while (seen := client.get(url)).status_code == 404:
            if time.perf_counter() - sent > ARRIVAL_TIMEOUT:
                raise StoryError(
                    f"monitoring did not receive award {recorded['award_id']} "
                    f"within {ARRIVAL_TIMEOUT:.0f} s: see the funding log (relay) "
                    "and the monitoring log (consumer)"
                )
            time.sleep(0.02)
        arrived = time.perf_counter()
        if seen.status_code != 200:
            raise StoryError(f"monitoring answered {seen.status_code}: {seen.text}")
        service = seen.json()
    same = "the same event" if service["event_id"] == recorded["event_id"] else "a DIFFERENT event"
    say(
        f"3. monitoring received it over Kafka after {(arrived - sent) * 1000:.0f} ms ({same}, "
        f'{service["event_id"]}) and now monitors "{service["title"]}": '
        f"{pounds(service['amount'])}, {service['start_date']} to {service['end_date']}."
    )
