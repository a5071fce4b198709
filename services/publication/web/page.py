"""The public portal page, rendered on the server from the registers. Pure."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from importlib.resources import files

from services.publication.register import AwardRecord, Register
from services.publication.web.charts import bar_chart, totals
from shared.contracts.publication import FeedEntryPublished

SCRIPT = files("services.publication.web").joinpath("live.js").read_text()
STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}"
    "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3rem;"
    "text-align:left}.num{text-align:right}li{margin:.2rem 0}.type{font-weight:600}"
)


def _entry(entry: FeedEntryPublished) -> str:
    decision = f" · {escape(entry.decision_number)}" if entry.decision_number else ""
    return (
        f'<li data-number="{entry.number}"><span class="type">{escape(entry.entry_type.value)}'
        f"</span> #{entry.number}{decision} · {escape(entry.title)} · "
        f"{entry.occurred_at.date().isoformat()}</li>"
    )


def award_row(award: AwardRecord) -> str:
    """One row of the grants register; `data-search` is what the search box matches."""
    data = award.data
    status = "decommissioned" if award.termination else "active"
    cells = [data["title"], data["recipient"]["name"], award.fund_id or "", data["award_date"]]
    search = " ".join([*cells, data.get("beneficiary_location") or ""]).lower()
    return (
        f'<tr data-award="{escape(award.award_id)}" data-search="{escape(search)}">'
        f"<td>{escape(cells[0])}</td><td>{escape(cells[1])}</td>"
        f'<td class="num">£{award.amount:,.2f}</td><td>{escape(cells[2])}</td>'
        f"<td>{escape(cells[3])}</td><td>{status}</td></tr>"
    )


def _charts(register: Register) -> str:
    awards = list(register.awards.values())
    by_fund = totals([(a.fund_id or "unassigned", a.amount) for a in awards])
    by_place = totals(
        [(a.data.get("beneficiary_location") or "not stated", a.amount) for a in awards]
    )
    recipients = totals([(str(a.data["recipient"]["name"]), a.amount) for a in awards])
    by_recipient = sorted(recipients, key=lambda row: -row[1])[:10]
    return (
        bar_chart("Awarded per funding stream", by_fund, "chart-funds")
        + bar_chart("Where the money went: beneficiary location", by_place, "chart-places")
        + bar_chart("Largest recipients", by_recipient, "chart-recipients")
    )


def render(
    register: Register, recent: list[FeedEntryPublished], latest: int, query: str, scope: str
) -> str:
    """The whole page; `latest` is where the live stream picks up."""
    needle = query.lower()
    awards = [a for a in register.awards.values() if needle in award_row(a).lower()]
    decisions = sorted(register.decisions.values(), key=lambda e: -e.number)
    total = sum((a.amount for a in register.awards.values()), start=Decimal("0.00"))
    reports = "".join(
        f'<li><a href="/reports/{escape(f)}.html">{escape(f)}</a></li>'
        for f in sorted({a.fund_id for a in register.awards.values() if a.fund_id})
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Commissioning transparency portal</title>
<style>{STYLE}</style></head>
<body data-latest="{latest}" data-scope="{escape(scope)}">
<h1>Commissioning transparency portal</h1>
<p>Every decision, grant, contract and decommissioning notice, as it is published.
<span id="total-awarded">£{total:,.2f}</span> awarded in
<span id="award-count">{len(register.awards)}</span> awards.
Open data: <a href="/360giving.json">360Giving JSON</a> · <a href="/360giving.csv">CSV</a>
· <a href="/ocds.json">OCDS</a> · <a href="/feed">feed API</a>.</p>
<section><h2>Live feed</h2><p id="live-status">connecting…</p>
<ol id="feed" reversed>{"".join(_entry(e) for e in recent)}</ol></section>
<section><h2>Grants and contracts register</h2>
<form method="get"><label>Search
<input id="search" name="q" type="search" value="{escape(query)}"></label></form>
<table id="register"><thead><tr><th>Project</th><th>Recipient</th><th class="num">Amount</th>
<th>Fund</th><th>Award date</th><th>Status</th></tr></thead>
<tbody>{"".join(award_row(a) for a in awards)}</tbody></table></section>
<section><h2>Decisions</h2><ul id="decisions">{"".join(_entry(e) for e in decisions)}</ul></section>
<section><h2>Where the money went</h2>{_charts(register)}</section>
<section><h2>Annual reports per funding stream</h2><ul>{reports}</ul></section>
<script>{SCRIPT}</script>
</body></html>"""
