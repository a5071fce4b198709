"""Small-number suppression with secondary suppression (ADR 0013)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.publication.privacy import suppress_count, suppress_table

THRESHOLD = 10


def test_counts_of_ten_or_more_and_zero_are_shown_the_rest_hidden() -> None:
    assert [suppress_count(n) for n in (0, 1, 9, 10, 250)] == [0, None, None, 10, 250]


def test_a_single_small_cell_takes_the_next_smallest_with_it() -> None:
    table = suppress_table({"female": 30, "male": 12, "other": 3})
    assert table.total == 45
    assert table.cells == {"female": 30, "male": None, "other": None}


def test_hidden_cells_that_add_up_to_a_small_number_hide_another() -> None:
    table = suppress_table({"a": 40, "b": 25, "c": 4, "d": 3})
    # 4 + 3 = 7 would be readable as "the hidden two are 7 people": 25 goes too.
    assert table.cells == {"a": 40, "b": None, "c": None, "d": None}


def test_a_table_with_nothing_small_is_published_whole() -> None:
    table = suppress_table({"a": 10, "b": 11, "c": 0})
    assert table.cells == {"a": 10, "b": 11, "c": 0} and table.total == 21


def test_a_small_group_publishes_nothing() -> None:
    table = suppress_table({"a": 5, "b": 4})
    assert table.total is None and table.hidden == ["a", "b"]


def _possible_values(published: dict[str, int | None], total: int, name: str) -> set[int]:
    """The values a reader knowing the total and the visible cells could believe `name` holds."""
    hidden = [n for n, count in published.items() if count is None]
    rest = total - sum(c for c in published.values() if c is not None)
    others = len(hidden) - 1
    # With at least one other hidden cell, any split of `rest` is consistent with what is shown.
    return set(range(rest + 1)) if others else {rest}


@given(st.dictionaries(st.sampled_from("abcde"), st.integers(0, 40), min_size=1, max_size=5))
def test_no_hidden_cell_can_be_derived_and_no_small_count_is_shown(counts: dict[str, int]) -> None:
    table = suppress_table(counts, THRESHOLD)
    shown = [c for c in table.cells.values() if c is not None]
    assert all(c == 0 or c >= THRESHOLD for c in shown)
    assert all(table.cells[n] in (None, c) for n, c in counts.items())
    if table.total is None:
        return  # nothing about this group was published
    assert table.total == sum(counts.values())
    # A reader knowing the total and the visible cells must not pin down any hidden cell.
    for name in table.hidden:
        assert len(_possible_values(table.cells, table.total, name)) > 1, (counts, table)
    hidden_sum = sum(counts[name] for name in table.hidden)
    assert not table.hidden or hidden_sum >= THRESHOLD  # "the hidden ones are a handful": no
