"""Steps of the year about who is in the partnership and where the money comes from."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from shared.demo_year import data
from shared.demo_year.context import Year
from shared.demo_year.platform import Caller, eventually, pounds


def register_partnership(year: Year) -> None:
    """The North Wales OPCC, a health board and two councils, in org-id form; plan priorities."""
    nw = year.commissioner()
    nw.put("applications", "/partnerships/{p}/plan-priorities", {"priorities": data.PRIORITIES})
    for org, name, kind in (data.OPCC, *data.PARTNERS):
        body = {"organisation_id": org, "name": name, "kind": kind}
        nw.post("applications", "/partnerships/{p}/organisations", body)
    year.story.step(
        f"North Wales forms a commissioning partnership ({year.north_wales}): the OPCC, "
        f"{', '.join(name for _, name, _ in data.PARTNERS)} register in applications."
    )
    for org, name, _ in (data.OPCC, *data.PARTNERS):
        year.story.detail(f"{org:<20} {name}")


def _fund(year: Year, fund_id: str, name: str, source: str, **more: Any) -> dict[str, Any]:
    return {
        "fund_id": fund_id,
        "name": name,
        "financial_year": year.financial_year,
        "source": source,
        **more,
    }


def pooled_budget(year: Year) -> None:
    """Partners pledge to and pay into a pooled budget; an award from it is shared pro rata."""
    nw, fund = year.commissioner(), f"/partnerships/{{p}}/funds/{data.POOL_ID}"
    nw.post(
        "funding",
        "/partnerships/{p}/funds",
        _fund(year, data.POOL_ID, "North Wales joint community safety pool", "partner_pool"),
    )
    names = {org: name for org, name, _ in (data.OPCC, *data.PARTNERS)}
    for org, amount in data.POOL_PLEDGES.items():
        body = {
            "contributor_organisation_id": org,
            "contributor_name": names[org],
            "amount": amount,
        }
        nw.post("funding", f"{fund}/pledges", body)
        nw.post("funding", f"{fund}/contributions", body)
    total = sum((Decimal(a) for a in data.POOL_PLEDGES.values()), start=Decimal(0))
    year.story.step(
        f"The partners pledge and pay {pounds(total)} into a pooled budget ({data.POOL_ID}):"
    )
    for org, amount in data.POOL_PLEDGES.items():
        year.story.detail(f"{names[org]:<50} {pounds(amount):>12}")
    title, amount = data.POOL_AWARD
    made = nw.post(
        "funding",
        "/partnerships/{p}/awards",
        _award(
            year,
            data.POOL_ID,
            "contracted_service",
            title,
            "GB-CHC-1190003",
            "Conwy Street Triage (demo organisation)",
            amount,
        ),
    )
    health = data.PARTNERS[0][0]
    statement = eventually(
        "the health board's statement in the ledger",
        lambda: _attributed(year.partner(health), f"{fund}/statements/{health}"),
    )
    year.story.detail(
        f"awarded {pounds(amount)} from the pool for {title!r}; the health board's statement "
        f"(read with its own partner token) attributes {pounds(statement['attributed'])} of it "
        f"to its contribution ({made['award_id']})."
    )


def _attributed(partner: Caller, path: str) -> dict[str, Any] | None:
    """A partner's statement once the ledger (a projection, just behind) has the award."""
    answer = partner.call("GET", "funding", path, ok=(404,))
    if answer.status_code == 404 or Decimal(answer.json()["attributed"]) == 0:
        return None
    found: dict[str, Any] = answer.json()
    return found


def _award(
    year: Year,
    fund_id: str,
    mechanism: str,
    title: str,
    org: str,
    name: str,
    amount: str,
    **more: Any,
) -> dict[str, Any]:
    return {
        "fund_id": fund_id,
        "mechanism": mechanism,
        "title": title,
        "description": f"{title}, commissioned by the partnership.",
        "recipient_organisation_id": org,
        "recipient_name": name,
        "amount": amount,
        "award_date": year.today.isoformat(),
        "start_date": year.today.isoformat(),
        "end_date": (year.today + timedelta(days=364)).isoformat(),
        **more,
    }


def funds(year: Year) -> None:
    """The Community Safety Fund, the MoJ victims' fund with its ring-fence, the YCYC fund."""
    nw, dorset = year.commissioner(), year.commissioner(dorset=True)
    nw.post(
        "funding",
        "/partnerships/{p}/funds",
        _fund(
            year,
            data.CSF_ID,
            "Commissioner's Community Safety Fund",
            "local_precept",
            budget=data.CSF_BUDGET,
            budget_reference="North Wales framework 2017, 5.4",
        ),
    )
    ring_fence = {
        "pot_id": data.CSA_POT,
        "name": "Child sexual abuse services",
        "amount": data.CSA_AMOUNT,
        "eligible_categories": [data.CSA_CATEGORY],
    }
    nw.post(
        "funding",
        "/partnerships/{p}/funds",
        _fund(
            year,
            data.MOJ_ID,
            "Victims' services (Ministry of Justice)",
            "ministry_of_justice",
            budget=data.MOJ_BUDGET,
            budget_reference="North Wales framework 2017, 7.4",
            ring_fences=[ring_fence],
        ),
    )
    nw.post(
        "funding",
        "/partnerships/{p}/funds",
        _fund(
            year,
            data.YCYC_ID,
            "Your Community, Your Choice",
            "local_precept",
            budget=data.YCYC_BUDGET,
            budget_reference="North Wales framework 2017, 6.2",
        ),
    )
    dorset.post(
        "funding",
        "/partnerships/{p}/funds",
        _fund(
            year,
            data.DORSET_FUND_ID,
            "Safer Dorset Fund - Community Grant Scheme",
            "police_property_act",
            budget=data.DORSET_BUDGET,
            budget_reference="Dorset commissioning overview 2019, 3.3",
        ),
    )
    year.story.step(f"Funding establishes the funds for {year.financial_year}:")
    for line in (
        f"Community Safety Fund                 {pounds(data.CSF_BUDGET):>14}",
        f"MoJ victims' services                 {pounds(data.MOJ_BUDGET):>14}  of which "
        f"{pounds(data.CSA_AMOUNT)} ring-fenced for child sexual abuse services",
        f"Your Community, Your Choice           {pounds(data.YCYC_BUDGET):>14}",
        f"Dorset Police Property Act fund       {pounds(data.DORSET_BUDGET):>14}  (Dorset)",
    ):
        year.story.detail(line)
    title, amount = data.CSA_AWARD
    nw.post(
        "funding",
        "/partnerships/{p}/awards",
        _award(
            year,
            data.MOJ_ID,
            "grant",
            title,
            *data.CSA_PROVIDER,
            amount,
            pot_id=data.CSA_POT,
            spend_category=data.CSA_CATEGORY,
        ),
    )
    year.story.detail(
        f"{pounds(amount)} granted from the ring-fenced pot to "
        f"{data.CSA_PROVIDER[1]} for {title.lower()}."
    )


def formula_allocation(year: Year) -> None:
    """Kent-style: part of the Community Safety Fund split by crimes per 1,000 population."""
    areas = [
        {"area_id": a, "area_name": n, "crimes": c, "population": p}
        for a, n, c, p in data.DISTRICTS
    ]
    body = {"allocation_id": data.FORMULA_ID, "amount": data.FORMULA_AMOUNT, "areas": areas}
    year.commissioner().post(
        "funding", f"/partnerships/{{p}}/funds/{data.CSF_ID}/formula-allocations", body
    )
    year.story.step(
        f"{pounds(data.FORMULA_AMOUNT)} of the Community Safety Fund goes to the "
        "six community safety partnerships by crimes per 1,000 population:"
    )
    rates = {a: c * 1000 / p for a, _, c, p in data.DISTRICTS}
    whole = sum(rates.values())
    for area, name, crimes, population in data.DISTRICTS:
        year.story.detail(
            f"{name:<18} {crimes:>6} crimes / {population:>7} people = "
            f"{rates[area]:6.2f} per 1,000 -> about {rates[area] / whole:6.1%}"
        )
