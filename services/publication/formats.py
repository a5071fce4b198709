"""How the open-data files write money and time (shared by 360Giving and OCDS). Pure."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal


def json_amount(amount: str) -> int | float:
    """A pence-exact amount as the JSON number both standards want, converted at this edge only
    (ADR 0006): whole pounds as integers, otherwise the two-decimal value."""
    value = Decimal(amount)
    return int(value) if value == value.to_integral_value() else float(value)


def timestamp(moment: datetime) -> str:
    """An RFC 3339 date-time in UTC with a Z."""
    return moment.isoformat().replace("+00:00", "Z")
