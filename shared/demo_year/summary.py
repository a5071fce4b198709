"""The year's end: funding's ledger (positions and the books' check) and the public feed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared.demo_year import data
from shared.demo_year.context import Year
from shared.demo_year.platform import Caller, eventually, pounds

LEDGER_FUNDS = (data.POOL_ID, data.CSF_ID, data.MOJ_ID, data.YCYC_ID)
FEED_SHOWN = 12


def ledger_summary(year: Year) -> None:
    """Every fund's position from the ledger projection, and the check that the books balance."""
    nw, dorset = year.auditor(year.north_wales), year.auditor(year.dorset)
    year.story.step("The funding ledger (double entry, from funding's ledger projection):")
    year.story.detail(
        f"{'fund':<42}{'budget':>15}{'committed':>15}{'paid':>14}{'released':>13}{'available':>15}"
    )
    rows = [(nw, fund) for fund in LEDGER_FUNDS] + [(dorset, data.DORSET_FUND_ID)]
    for caller, fund in rows:
        total = _position(caller, fund)["total"]
        year.story.detail(
            f"{fund:<42}{pounds(total['budget']):>15}{pounds(total['committed']):>15}"
            f"{pounds(total['paid']):>14}{pounds(total['released']):>13}"
            f"{pounds(total['available']):>15}"
        )
    for caller in (nw, dorset):
        check = caller.get("funding", "/partnerships/{p}/ledger/check")
        state = "BALANCED" if check["balanced"] else f"NOT BALANCED: {check['problems']}"
        year.story.detail(
            f"ledger check {caller.partnership}: {state} over {check['entries']} entries"
        )


def _position(caller: Caller, fund: str) -> dict[str, Any]:
    """The position once the ledger (a projection, tens of ms behind) has caught up."""
    return caller.get("funding", f"/partnerships/{{p}}/funds/{fund}/position")


def settled_ledger(year: Year) -> None:
    """Wait until the ledger has posted the decommissioning's release."""
    nw = year.auditor(year.north_wales)
    eventually(
        "the ledger's posting of the released commitment",
        lambda: True if Decimal(_position(nw, data.MOJ_ID)["total"]["released"]) > 0 else None,
    )


def latest_feed(year: Year) -> None:
    """The transparency feed's newest entries, once the decommissioning notice is there."""
    public = year.platform.public(year.north_wales)
    query = f"/feed?partnership={year.north_wales}&entry_type=decommissioning_notice"
    eventually(
        "the decommissioning notice on the public feed",
        lambda: True if public.get("publication", query)["total"] else None,
    )
    total = int(public.get("publication", "/feed?limit=1")["total"])
    page = public.get(
        "publication", f"/feed?limit={FEED_SHOWN}&offset={max(0, total - FEED_SHOWN)}"
    )
    year.story.step(f"The public transparency feed holds {total} entries; the latest:")
    for entry in page["items"]:
        year.story.detail(f"#{entry['number']:<4} {entry['entry_type']:<22} {entry['title'][:80]}")
