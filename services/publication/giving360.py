"""360Giving 1.4.3: one grant per award, as a JSON package and a flat CSV. Pure."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from services.publication.formats import json_amount, timestamp
from services.publication.register import AwardRecord, Register

SCHEMA_VERSION = "1.4"


def grant_id(prefix: str, award_id: str) -> str:
    """`360G-<publisher prefix>-<internal id>` (360Giving identifier guidance)."""
    return f"360G-{prefix}-{award_id}"


def _organisation(org: dict[str, Any]) -> dict[str, str]:
    return {"id": str(org["id"]), "name": str(org["name"])}


def grant(award: AwardRecord, prefix: str) -> dict[str, Any]:
    """One award as a 360Giving grant."""
    data = award.data
    # A pooled budget names every contributor; otherwise the commissioner's office awarded it.
    funders = [_organisation(share) for share in data.get("funded_by") or ()]
    funders = funders or [_organisation(data["awarded_by"])]
    recipient = data["recipient"]
    grant: dict[str, Any] = {
        "id": grant_id(prefix, award.award_id),
        "title": data["title"],
        "description": data["description"],
        "currency": data["currency"],
        "amountAwarded": json_amount(data["amount"]),
        "awardDate": data["award_date"],
        "plannedDates": [{"startDate": data["start_date"], "endDate": data["end_date"]}],
        "fundingOrganization": funders,
        "dateModified": timestamp(award.last_modified),
    }
    if recipient["id"] == "individual":
        # No personal data: the individual is neither named nor identified.
        grant["recipientIndividual"] = {
            "id": f"360G-{prefix}-IND-{award.award_id}",
            "name": "Individual",
        }
    else:
        grant["recipientOrganization"] = [_organisation(recipient)]
    if data.get("beneficiary_location"):
        grant["beneficiaryLocation"] = [{"name": data["beneficiary_location"], "countryCode": "GB"}]
    if award.fund_id:
        grant["grantProgramme"] = [{"code": award.fund_id, "title": award.fund_id}]
    return grant


def package(register: Register, prefix: str, published: datetime) -> dict[str, Any]:
    """The grant package: every grant award in the register."""
    return {
        "version": SCHEMA_VERSION,
        "title": "Grants awarded through the joint commissioning platform",
        "issued": timestamp(published),
        "grants": [grant(award, prefix) for award in register.grants()],
    }


CSV_COLUMNS = (
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Beneficiary Location:Name",
    "Grant Programme:Code",
    "Last Modified",
)


def csv_text(register: Register, prefix: str) -> str:
    """The same grants in the 360Giving flat CSV layout, one funder column pair per funder."""
    grants = [(award, grant(award, prefix)) for award in register.grants()]
    width = max((len(g["fundingOrganization"]) for _, g in grants), default=1)
    funder_columns = [
        column
        for n in range(width)
        for column in (f"Funding Org:{n}:Identifier", f"Funding Org:{n}:Name")
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *funder_columns])
    for award, g in grants:
        recipient = (g.get("recipientOrganization") or [{"id": "", "name": "Individual"}])[0]
        funders = [value for f in g["fundingOrganization"] for value in (f["id"], f["name"])]
        writer.writerow(
            [
                g["id"],
                g["title"],
                g["description"],
                g["currency"],
                award.data["amount"],
                g["awardDate"],
                award.data["start_date"],
                award.data["end_date"],
                recipient["id"],
                recipient["name"],
                award.data.get("beneficiary_location") or "",
                award.fund_id or "",
                g["dateModified"],
                *funders,
                *[""] * (len(funder_columns) - len(funders)),
            ]
        )
    return out.getvalue()
