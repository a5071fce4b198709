"""Exact splits of money: pro rata, by formula, into instalments. Pure: no I/O, no clock.

Every split works in whole pence and hands out the pence that rounding down leaves over by the
largest remainder, ties going to the smallest key (docs/adr/0011), so parts always add up to
the total and the same inputs always give the same parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

PENNY = Decimal("0.01")


def split_pro_rata(
    total: Decimal, weights: Mapping[str, Fraction | int | Decimal]
) -> dict[str, Decimal]:
    """Split `total` pounds between keys in proportion to their weights, exact to the penny."""
    if total < 0:
        raise ValueError(f"cannot split a negative amount {total}")
    exact = {key: Fraction(weight) for key, weight in weights.items()}
    if any(w < 0 for w in exact.values()):
        raise ValueError("weights must not be negative")
    whole = sum(exact.values(), start=Fraction(0))
    if whole == 0:
        raise ValueError("weights must not all be zero")
    pence = int(total / PENNY)
    shares = {key: pence * weight / whole for key, weight in exact.items()}
    floors = {key: share.numerator // share.denominator for key, share in shares.items()}
    left = pence - sum(floors.values())
    # Largest remainder first; among equal remainders, the smallest key: reproducible.
    order = sorted(shares, key=lambda key: (-(shares[key] - floors[key]), key))
    for key in order[:left]:
        floors[key] += 1
    return {key: Decimal(floors[key]) * PENNY for key in weights}


def crimes_per_thousand(crimes: int, population: int) -> Fraction:
    """The Home Office Community Safety Fund weight of an area (Kent paper, 2.4), exactly."""
    return Fraction(crimes * 1000, population)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def quarterly_in_advance(start: date, end: date) -> list[date]:
    """Due dates of quarterly instalments paid in advance: the start of each quarter of service."""
    if end < start:
        raise ValueError("end is before start")
    due, quarter = [], 0
    while (day := add_months(start, 3 * quarter)) <= end:
        due.append(day)
        quarter += 1
    return due


def periods(due_dates: list[date], end: date) -> list[tuple[date, date]]:
    """The service period each instalment pays for: from its due date to the day before the next."""
    bounds = [*due_dates[1:]]
    return [
        (day, (bounds[i] - timedelta(days=1)) if i < len(bounds) else max(end, day))
        for i, day in enumerate(due_dates)
    ]
