"""Steps of the year in monitoring: a contracted victims' service, its returns and its end.

The contract began eleven months ago (the services stamp today's date on what they record, so
the year's monitoring history is laid out backwards from today): two quarterly returns came in,
the third did not, the concern went up the ladder and the service was decommissioned.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from shared.demo_year import data
from shared.demo_year.context import Year
from shared.demo_year.platform import Caller, StoryError, eventually, pounds

BREAKDOWNS = {  # the Dorset minimum data set, each a partition of the beneficiaries
    "gender": ("female", "male", "not_known"),
    "age_band": ("18_24", "25_34", "35_44", "45_54", "65_plus"),
    "learning_difficulties": ("no", "yes", "not_known"),
    "ethnicity": ("white", "asian", "mixed", "not_known"),
    "vulnerability": ("domestic_abuse", "repeat_victim", "older_person", "none"),
    "intervention_type": ("advocacy", "practical_support", "counselling"),
}


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def contract_start(today: date) -> date:
    """The first of the month eleven months ago: three quarters have ended, the third 2+ months
    ago (overdue after due date and grace), the fourth not long enough ago to be overdue."""
    return add_months(today.replace(day=1), -11)


def _split(total: int, codes: tuple[str, ...]) -> dict[str, int]:
    """`total` over `codes`, halving as it goes: a plausible partition that adds up."""
    cells, left = {}, total
    for code in codes[:-1]:
        cells[code] = left // 2
        left -= cells[code]
    cells[codes[-1]] = left
    return cells


def _figures(start: date, beneficiaries: int, contacted: int) -> dict[str, Any]:
    return {
        "period_start": start.isoformat(),
        "period_end": (add_months(start, 3) - timedelta(days=1)).isoformat(),
        "beneficiaries": beneficiaries,
        "breakdowns": {name: _split(beneficiaries, codes) for name, codes in BREAKDOWNS.items()},
        "referrals_in": beneficiaries * 3 // 4,
        "referrals_out": beneficiaries // 5,
        "kpi_values": {"contacted_within_48h_pct": str(contacted)},
    }


def contract_victims_service(year: Year) -> None:
    """Award the contract from the MoJ fund; monitoring gives it a quarterly plan."""
    nw, start = year.commissioner(), contract_start(year.today)
    end = add_months(start, 3 * data.VICTIMS_QUARTERS) - timedelta(days=1)
    body = {
        "fund_id": data.MOJ_ID,
        "mechanism": "contracted_service",
        "title": data.VICTIMS_TITLE,
        "description": "Needs-led support for victims of crime referred by North Wales "
        "Police: assessment, advocacy and practical help (North Wales framework 2017, 7.3).",
        "recipient_organisation_id": data.VICTIMS_PROVIDER[0],
        "recipient_name": data.VICTIMS_PROVIDER[1],
        "amount": data.VICTIMS_AMOUNT,
        "award_date": start.isoformat(),
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "spend_category": "victims services",
        "contract_reference": f"NWPCC-VS-{start.year}-01",
        "beneficiary_location": "North Wales",
    }
    award_id = str(nw.post("funding", "/partnerships/{p}/awards", body)["award_id"])
    year.outcome.victims_award = award_id
    service = f"/partnerships/{{p}}/services/{award_id}"
    eventually(
        "monitoring's plan for the victims' service",
        lambda: (
            None if nw.call("GET", "monitoring", service, ok=(404,)).status_code == 404 else True
        ),
    )
    nw.put(
        "monitoring",
        f"/partnerships/{{p}}/monitoring/services/{award_id}/kpis",
        {"kpis": list(data.KPIS)},
    )
    year.story.step(
        f"A contracted victims' service: {pounds(data.VICTIMS_AMOUNT)} from the MoJ fund to "
        f"{data.VICTIMS_PROVIDER[1]}, {start} to {end}, paid quarterly in advance; monitoring "
        f"has its plan (quarterly returns, minimum KPI set, contact within 48 h >= 90%)."
    )


def quarterly_returns(year: Year) -> str:
    """The provider reports two quarters; the commissioner pays what has fallen due."""
    award_id, start = year.outcome.victims_award, contract_start(year.today)
    provider = year.applicant(year.north_wales, data.VICTIMS_PROVIDER[0], 90)
    path = f"/partnerships/{{p}}/monitoring/services/{award_id}/returns"
    last = ""
    year.story.step("The provider submits its quarterly KPI returns:")
    for quarter, (people, contacted) in enumerate(data.QUARTER_RETURNS):
        figures = _figures(add_months(start, 3 * quarter), people, contacted)
        rated = provider.post("monitoring", path, figures)
        last = str(rated["return_id"])
        year.story.detail(
            f"Q{quarter + 1} {figures['period_start']} to {figures['period_end']}: "
            f"{people} victims supported, {contacted}% contacted within 48 h -> "
            f"{rated['rating'].upper()}"
        )
    nw, paid = year.commissioner(), Decimal(0)
    award = nw.get("funding", f"/partnerships/{{p}}/awards/{award_id}")
    for instalment in award["instalments"]:
        if date.fromisoformat(instalment["due_date"]) <= year.today:
            nw.post(
                "funding",
                f"/partnerships/{{p}}/awards/{award_id}/instalments/{instalment['number']}/release",
            )
            paid += Decimal(instalment["amount"])
    year.story.detail(f"funding releases the instalments due so far: {pounds(paid)} paid")
    return last


def late_return_and_escalation(year: Year) -> None:
    """Q3's return never comes: overdue, a concern, a formal notice (payments stop), the PCC."""
    nw, award_id = year.commissioner(), year.outcome.victims_award
    found = nw.post(
        "monitoring",
        "/partnerships/{p}/monitoring/overdue-check",
        {"as_of": year.today.isoformat()},
    )
    late = [o for o in found["overdue"] if o["award_id"] == award_id]
    if not late:
        raise StoryError(f"the overdue check found no late return of {award_id}: {found}")
    year.story.step(
        f"The overdue check (as of {year.today}) finds the Q3 return "
        f"({late[0]['period_start']} to {late[0]['period_end']}, due "
        f"{late[0]['due']}) missing."
    )
    ladder = f"/partnerships/{{p}}/monitoring/services/{award_id}/concerns"
    raised = nw.post("monitoring", ladder, {"reason": "Q3 KPI return is overdue"})
    concern = raised["events"][0]["payload"]["concern_id"]
    nw.post(
        "monitoring",
        f"{ladder}/{concern}/formal-notice",
        {"reason": "No Q3 return after an informal reminder"},
    )
    award_path = f"/partnerships/{{p}}/awards/{award_id}"
    eventually(
        "the suspension of payments in funding",
        lambda: True if nw.get("funding", award_path)["suspended"] else None,
    )
    refused = _try_next_payment(nw, award_id)
    year.story.detail(
        f"informal concern, then a formal notice: funding suspends payments "
        f"(next instalment refused: {refused})"
    )
    nw.post(
        "monitoring",
        f"{ladder}/{concern}/escalation",
        {"reason": "Formal notice unanswered: for the Commissioner's decision"},
    )
    year.story.detail("escalated to the Police and Crime Commissioner")


def _try_next_payment(nw: Caller, award_id: str) -> str:
    award = nw.get("funding", f"/partnerships/{{p}}/awards/{award_id}")
    due = next(i for i in award["instalments"] if i["status"] == "scheduled")
    answer = nw.call(
        "POST",
        "funding",
        f"/partnerships/{{p}}/awards/{award_id}/instalments/{due['number']}/release",
        {},
        ok=(409,),
    )
    if answer.status_code != 409 or "suspended" not in answer.text:
        raise StoryError(f"instalment {due['number']} was not held back: {answer.text}")
    return f"instalment {due['number']}, {answer.status_code}: payments are suspended"


def decommission(year: Year, last_return: str) -> None:
    """The Commissioner decommissions, considering the last report; the commitment returns."""
    nw, award_id = year.commissioner(), year.outcome.victims_award
    nw.post(
        "monitoring",
        f"/partnerships/{{p}}/monitoring/services/{award_id}/decommissioning",
        {
            "reason": "Persistent failure to report on the service",
            "effective_date": year.today.isoformat(),
            "decision_reference": f"PCC-NW-{year.today.year}-041",
            "last_report_considered": last_return,
        },
    )
    award_path = f"/partnerships/{{p}}/awards/{award_id}"
    award = eventually(
        "the release of the commitment in funding",
        lambda: (
            (a := nw.get("funding", award_path))
            and (a if Decimal(a["released_to_fund"]) > 0 else None)
        ),
    )
    year.outcome.released = str(award["released_to_fund"])
    cancelled = [i["number"] for i in award["instalments"] if i["status"] == "cancelled"]
    year.story.step(
        f"The Commissioner decommissions the service (decision "
        f"PCC-NW-{year.today.year}-041, considering report {last_return}): funding "
        f"cancels instalments {cancelled} and releases "
        f"{pounds(award['released_to_fund'])} back to the MoJ fund."
    )
