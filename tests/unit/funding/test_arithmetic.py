"""Splits exact to the penny, by the largest remainder, reproducibly (ADR 0011)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.funding.arithmetic import (
    crimes_per_thousand,
    periods,
    quarterly_in_advance,
    split_pro_rata,
)


def test_a_penny_left_over_goes_to_the_largest_remainder_then_the_smallest_id() -> None:
    assert split_pro_rata(Decimal("100.00"), {"b": 1, "a": 1, "c": 1}) == {
        "b": Decimal("33.33"),
        "a": Decimal("33.34"),  # equal remainders: the smallest id gets the penny
        "c": Decimal("33.33"),
    }
    assert split_pro_rata(Decimal("10.00"), {"x": 2, "y": 1}) == {
        "x": Decimal("6.67"),  # 6.666… has the larger remainder
        "y": Decimal("3.33"),
    }


def test_kent_community_safety_fund_split_by_crimes_per_thousand_adds_up_to_the_penny() -> None:
    # Kent 2012: £506,882 to the district CSPs by the Home Office formula (crimes per 1,000
    # population). The paper gives only the total and the average (£38,198 over 13 districts
    # is £496,574: the paper's own rounding); district inputs here are illustrative.
    inputs = {
        f"district-{n:02d}": crimes_per_thousand(4000 + 371 * n, 100_000 + 7919 * n)
        for n in range(13)
    }
    shares = split_pro_rata(Decimal("506882.00"), inputs)
    assert sum(shares.values()) == Decimal("506882.00")
    assert shares == split_pro_rata(Decimal("506882.00"), dict(reversed(list(inputs.items()))))
    assert all(s == s.quantize(Decimal("0.01")) for s in shares.values())


@given(
    st.integers(min_value=0, max_value=10**9),
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 10**6), min_size=1),
)
def test_any_split_adds_up_and_each_part_is_within_a_penny_of_its_exact_share(
    pence: int, weights: dict[str, int]
) -> None:
    if not any(weights.values()):
        with pytest.raises(ValueError, match="all be zero"):
            split_pro_rata(Decimal(pence) / 100, weights)
        return
    total = Decimal(pence) / 100
    shares = split_pro_rata(total, weights)
    assert sum(shares.values()) == total
    whole = sum(weights.values())
    for key, share in shares.items():
        exact = total * weights[key] / whole
        assert abs(share - exact) < Decimal("0.01")


def test_quarterly_in_advance_pays_at_the_start_of_each_quarter_of_service() -> None:
    dues = quarterly_in_advance(date(2019, 10, 1), date(2020, 9, 30))
    assert dues == [date(2019, 10, 1), date(2020, 1, 1), date(2020, 4, 1), date(2020, 7, 1)]
    assert periods(dues, date(2020, 9, 30))[-1] == (date(2020, 7, 1), date(2020, 9, 30))
    assert periods(dues, date(2020, 9, 30))[0] == (date(2019, 10, 1), date(2019, 12, 31))
    assert quarterly_in_advance(date(2019, 1, 31), date(2019, 5, 1)) == [
        date(2019, 1, 31),
        date(2019, 4, 30),
    ]
