"""The annual report per funding stream (Wiltshire strategy), as data, CSV and HTML. Pure.

Outcomes are summed from the published (already suppressed) figures only, so the report can never
reveal a count the feed hid; periods with hidden figures are counted instead.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from services.publication.register import AwardRecord, Register


@dataclass(frozen=True)
class ProjectLine:
    """One funded project of the stream."""

    award_id: str
    title: str
    recipient: str
    amount: Decimal
    paid: Decimal
    award_date: str
    status: str
    beneficiaries: int  # sum of the published counts of its outcome periods
    suppressed_periods: int  # periods whose count was hidden


@dataclass(frozen=True)
class AnnualReport:
    """Totals of one funding stream as public on the report's date."""

    fund_id: str
    name: str  # the stream's name and financial year when its FundEstablished was published
    projects: tuple[ProjectLine, ...]

    @property
    def total_awarded(self) -> Decimal:
        return sum((p.amount for p in self.projects), start=Decimal("0.00"))

    @property
    def total_paid(self) -> Decimal:
        return sum((p.paid for p in self.projects), start=Decimal("0.00"))

    @property
    def beneficiaries(self) -> int:
        return sum(p.beneficiaries for p in self.projects)

    @property
    def suppressed_periods(self) -> int:
        return sum(p.suppressed_periods for p in self.projects)


def funds(register: Register) -> list[str]:
    """The funding streams awards were made from, sorted."""
    return sorted({a.fund_id for a in register.awards.values() if a.fund_id})


def _line(award: AwardRecord, register: Register) -> ProjectLine:
    counts = [
        o.data.get("beneficiaries")
        for o in register.outcomes.values()
        if o.data.get("award_id") == award.award_id
    ]
    ended = award.termination
    return ProjectLine(
        award.award_id,
        str(award.data["title"]),
        str(award.data["recipient"]["name"]),
        award.amount,
        register.paid(award.award_id),
        str(award.data["award_date"]),
        f"decommissioned from {ended['effective_date']}" if ended else "active",
        sum(c for c in counts if isinstance(c, int)),
        sum(1 for c in counts if c is None),
    )


def annual_report(register: Register, fund_id: str) -> AnnualReport | None:
    """The report of one stream; None when no award was made from it."""
    awards = [a for a in register.awards.values() if a.fund_id == fund_id]
    if not awards:
        return None
    stream = register.streams.get(fund_id)
    name = f"{stream['name']} ({stream['financial_year']})" if stream else fund_id
    return AnnualReport(fund_id, name, tuple(_line(a, register) for a in awards))


CSV_COLUMNS = (
    "award_id",
    "title",
    "recipient",
    "amount_awarded",
    "amount_paid",
    "award_date",
    "status",
    "beneficiaries_published",
    "periods_suppressed",
)


def report_csv(report: AnnualReport) -> str:
    """One row per project, then a TOTAL row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in report.projects:
        writer.writerow(
            [
                p.award_id,
                p.title,
                p.recipient,
                p.amount,
                p.paid,
                p.award_date,
                p.status,
                p.beneficiaries,
                p.suppressed_periods,
            ]
        )
    writer.writerow(
        [
            "TOTAL",
            f"{len(report.projects)} projects",
            "",
            report.total_awarded,
            report.total_paid,
            "",
            "",
            report.beneficiaries,
            report.suppressed_periods,
        ]
    )
    return out.getvalue()


def report_html(report: AnnualReport, as_of: str) -> str:
    """The report as a small standalone page."""
    rows = "".join(
        f"<tr><td>{escape(p.title)}</td><td>{escape(p.recipient)}</td>"
        f"<td class=num>£{p.amount:,.2f}</td><td class=num>£{p.paid:,.2f}</td>"
        f"<td>{escape(p.award_date)}</td>"
        f"<td>{escape(p.status)}</td><td class=num>{p.beneficiaries}</td>"
        f"<td class=num>{p.suppressed_periods}</td></tr>"
        for p in report.projects
    )
    fund, name = escape(report.fund_id), escape(report.name)
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Annual report: {name}</title></head><body>"
        f"<h1>Annual report of funding stream {name}</h1><p>As published on {escape(as_of)}.</p>"
        f"<dl><dt>Total awarded</dt><dd id=total>£{report.total_awarded:,.2f}</dd>"
        f"<dt>Total paid</dt><dd id=paid>£{report.total_paid:,.2f}</dd>"
        f"<dt>Projects</dt><dd id=projects>{len(report.projects)}</dd>"
        f"<dt>Beneficiaries (published counts)</dt><dd id=beneficiaries>{report.beneficiaries}</dd>"
        f"<dt>Reporting periods with counts under the threshold (suppressed)</dt>"
        f"<dd>{report.suppressed_periods}</dd></dl>"
        f"<table><thead><tr><th>Project</th><th>Recipient</th><th>Awarded</th><th>Paid</th>"
        f"<th>Award date</th>"
        f"<th>Status</th><th>Beneficiaries</th><th>Suppressed periods</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f'<p><a href="{fund}.csv">CSV</a> · <a href="/">Transparency portal</a></p></body></html>'
    )
