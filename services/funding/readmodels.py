"""Funding's own lookup tables, written in the same transaction as the events they follow."""

from __future__ import annotations

from sqlalchemy import Column, Date, MetaData, Numeric, String, Table

SCHEMA = "funding"
metadata = MetaData(schema=SCHEMA)

# Which partnership a fund belongs to, for listings without folding every stream.
funds = Table(
    "funds",
    metadata,
    Column("fund_id", String(200), primary_key=True),
    Column("partnership_id", String(100), nullable=False, index=True),
    Column("name", String(300), nullable=False),
    Column("financial_year", String(7), nullable=False),
    Column("source", String(40), nullable=False),
)
# Which fund's stream holds an award: monitoring's events name only the award.
awards = Table(
    "awards",
    metadata,
    Column("award_id", String(200), primary_key=True),
    Column("fund_id", String(200), nullable=False),
    Column("partnership_id", String(100), nullable=False, index=True),
    Column("recipient_organisation_id", String(100), nullable=False, index=True),
    Column("recipient_name", String(300), nullable=False),
    Column("title", String(500), nullable=False),
    Column("mechanism", String(40), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("award_date", Date, nullable=False),
)
# KPI returns monitoring accepted: payment by results releases an instalment only after one.
kpi_returns = Table(
    "kpi_returns",
    metadata,
    Column("return_id", String(200), primary_key=True),
    Column("award_id", String(200), nullable=False, index=True),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
)
