"""OCDS 1.1.5 release packages for contracts: award and contract, then termination. Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.publication.formats import json_amount, timestamp
from services.publication.register import AwardRecord, Register

OCDS_VERSION = "1.1"


def ocid(prefix: str, award_id: str) -> str:
    """The contracting process id: `ocds-<prefix>-<award id>`."""
    return f"ocds-{prefix}-{award_id}"


def _value(amount: str, currency: str) -> dict[str, Any]:
    return {"amount": json_amount(amount), "currency": currency}


def _parties(award: AwardRecord) -> list[dict[str, Any]]:
    data = award.data
    buyers = data.get("funded_by") or [data["awarded_by"]]
    parties = [{"id": b["id"], "name": b["name"], "roles": ["buyer", "payer"]} for b in buyers]
    supplier = data["recipient"]
    parties.append({"id": supplier["id"], "name": supplier["name"], "roles": ["supplier"]})
    return parties


def _base(award: AwardRecord, prefix: str, release_id: str, date: datetime) -> dict[str, Any]:
    buyer = (award.data.get("funded_by") or [award.data["awarded_by"]])[0]
    return {
        "ocid": ocid(prefix, award.award_id),
        "id": release_id,
        "date": timestamp(date),
        "language": "en",
        "initiationType": "tender",
        "parties": _parties(award),
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
    }


def releases(award: AwardRecord, prefix: str) -> list[dict[str, Any]]:
    """The releases of one contract: its award and contract, and its termination if ended."""
    data = award.data
    value = _value(data["amount"], data["currency"])
    supplier = {"id": data["recipient"]["id"], "name": data["recipient"]["name"]}
    period = {
        "startDate": f"{data['start_date']}T00:00:00Z",
        "endDate": f"{data['end_date']}T00:00:00Z",
    }
    contract = {
        "id": f"{award.award_id}-contract",
        "awardID": award.award_id,
        "title": data["title"],
        "description": data["description"],
        "status": "active",
        "value": value,
        "period": period,
        "dateSigned": f"{data['award_date']}T00:00:00Z",
    }
    awarded = {
        **_base(award, prefix, f"{award.award_id}-{award.number}", award.last_modified),
        "tag": ["award", "contract"],
        "awards": [
            {
                "id": award.award_id,
                "title": data["title"],
                "description": data["description"],
                "status": "active",
                "date": f"{data['award_date']}T00:00:00Z",
                "value": value,
                "suppliers": [supplier],
                "contractPeriod": period,
            }
        ],
        "contracts": [contract],
    }
    found = [awarded]
    ended = award.termination
    if ended is not None:
        end = f"{ended['effective_date']}T00:00:00Z"
        found.append(
            {
                **_base(award, prefix, f"{award.award_id}-termination", award.last_modified),
                "tag": ["contractTermination"],
                "contracts": [
                    {
                        **contract,
                        "status": "terminated",
                        "period": {**period, "endDate": end},
                        "description": f"Decommissioned ({ended['decision_reference']}): "
                        f"{ended['reason']}",
                    }
                ],
            }
        )
    return found


def release_package(
    register: Register, prefix: str, uri: str, published: datetime
) -> dict[str, Any]:
    """Every contract of the register as an OCDS release package."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": timestamp(published),
        "publisher": {"name": "Joint commissioning platform transparency service"},
        "releases": [r for award in register.contracts() for r in releases(award, prefix)],
    }
