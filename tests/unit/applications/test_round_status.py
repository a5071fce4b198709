"""A round's status on a day, as the round listings filter it."""

from __future__ import annotations

from datetime import date

import pytest

from services.applications.queries import RoundStatus, round_status

OPENS, CLOSES = date(2019, 6, 1), date(2019, 6, 30)


@pytest.mark.parametrize(
    ("today", "closed_on", "expected"),
    [
        (date(2019, 5, 31), None, RoundStatus.UPCOMING),
        (OPENS, None, RoundStatus.OPEN),
        (CLOSES, None, RoundStatus.OPEN),  # the closing day still accepts applications
        (date(2019, 7, 1), None, RoundStatus.CLOSED),
        (date(2019, 6, 10), date(2019, 6, 9), RoundStatus.CLOSED),  # closed early
        (date(2019, 5, 1), date(2019, 5, 1), RoundStatus.CLOSED),  # closed before it opened
    ],
)
def test_a_round_is_upcoming_open_or_closed(
    today: date, closed_on: date | None, expected: RoundStatus
) -> None:
    assert round_status(OPENS, CLOSES, closed_on, today) is expected
