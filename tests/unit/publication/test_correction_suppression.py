"""Corrections give nothing small away by subtraction (ADR 0053).

A correction entry is published beside the entries it follows for the same period; a reader who
subtracts the earlier figures from the corrected ones must not learn a change of 1 to T-1 people
in any cell, single count, total or group of hidden cells.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.publication.mappers.monitoring import protect_outcome_correction
from services.publication.privacy import (
    SuppressedTable,
    known_total,
    protect_count,
    suppress_count,
    suppress_table,
)
from shared.contracts.monitoring import KPIReturnAmended
from tests.unit.publication.builders import envelope, grant, kpi_return, publish

T = 10


def standalone(counts: dict[str, int], referrals: int) -> dict[str, Any]:
    """An outcome's figures as the mapper publishes them on their own (ADR 0013)."""
    total = sum(counts.values())
    table = suppress_table(counts, T)
    return {
        "beneficiaries": suppress_count(total, T) if table.total is not None else None,
        "referrals_in": suppress_count(referrals, T),
        "referrals_out": 0,
        "breakdowns": {"gender": table.cells},
        "suppression_threshold": T,
    }


def published_chain(versions: list[tuple[dict[str, int], int]]) -> list[dict[str, Any]]:
    """What the feed publishes for one period: the first return, then each correction."""
    feed: list[dict[str, Any]] = []
    for counts, referrals in versions:
        data = protect_outcome_correction(standalone(counts, referrals), feed)
        if not feed or data != feed[-1]:  # the domain publishes nothing for the same figures
            feed.append(data)
    return feed


def small(change: int) -> bool:
    return 0 < abs(change) < T


def table_of(data: dict[str, Any]) -> SuppressedTable:
    return SuppressedTable(data["beneficiaries"], data["breakdowns"]["gender"])


def test_a_small_change_of_a_single_count_is_hidden_against_every_earlier_figure() -> None:
    assert protect_count(33, [30], T) is None  # 30 -> 33: three people added
    assert protect_count(45, [30], T) == 45
    assert protect_count(47, [30, 45], T) is None  # against the latest
    assert protect_count(32, [30, 42], T) is None  # and against every figure before it
    assert protect_count(40, [30, None], T) == 40  # a change of ten is not small
    assert protect_count(None, [30], T) is None


def test_two_women_added_are_not_given_away_by_the_correction() -> None:
    first = kpi_return("a1", {"gender": {"female": 20, "male": 25}})
    amended = KPIReturnAmended(
        **first.model_dump(exclude={"submitted_on", "beneficiaries", "breakdowns"}),
        beneficiaries=47,
        breakdowns={"gender": {"female": 22, "male": 25}},
        reason="two clients missed",
        amendment=1,
        amended_on=date(2019, 10, 20),
    )
    entries, _ = publish([envelope(grant("a1")), envelope(first), envelope(amended)])
    _, outcome, correction = entries
    assert outcome.data["beneficiaries"] == 45
    assert outcome.data["breakdowns"] == {"gender": {"female": 20, "male": 25}}
    assert correction.corrects == outcome.number
    # 22 - 20 and 47 - 45 would both say "two women were added": female and the total go. Male
    # may stay: with the total hidden, female cannot be had as total minus male.
    assert correction.data["beneficiaries"] is None
    assert correction.data["breakdowns"]["gender"]["female"] is None


def test_a_reclassification_hides_both_cells_and_keeps_the_unchanged_total() -> None:
    earlier = [standalone({"female": 20, "male": 25, "other": 15}, 12)]
    data = protect_outcome_correction(
        standalone({"female": 22, "male": 23, "other": 15}, 12), earlier
    )
    assert data["beneficiaries"] == 60
    assert data["breakdowns"]["gender"] == {"female": None, "male": None, "other": 15}


def test_a_cell_hidden_before_stays_hidden() -> None:
    # 30/12/3: male is hidden as secondary suppression of other's 3. Showing male later (say
    # unchanged, 12) would let a reader recover 3 from the first entry.
    earlier = [standalone({"female": 30, "male": 12, "other": 3}, 0)]
    assert earlier[0]["breakdowns"]["gender"]["male"] is None
    data = protect_outcome_correction(
        standalone({"female": 45, "male": 12, "other": 0}, 0), earlier
    )
    assert data["breakdowns"]["gender"]["male"] is None


def test_a_correction_that_changes_nothing_public_protects_nothing_more() -> None:
    earlier = [standalone({"female": 20, "male": 25}, 30)]
    assert (
        protect_outcome_correction(standalone({"female": 20, "male": 25}, 30), earlier)
        == (earlier[0])
    )


versions = st.tuples(
    st.dictionaries(st.sampled_from(["f", "m", "x", "u"]), st.integers(0, 45), min_size=1),
    st.integers(0, 40),
)


@settings(max_examples=400)
@given(st.lists(versions, min_size=2, max_size=4))
def test_no_published_pair_gives_away_a_small_change(
    chain: list[tuple[dict[str, int], int]],
) -> None:
    feed = published_chain(chain)
    raw = {}  # the raw version behind each published entry
    for counts, referrals in chain:
        data = protect_outcome_correction(standalone(counts, referrals), feed[: len(raw)])
        if not raw or data != feed[len(raw) - 1]:
            raw[len(raw)] = (counts, referrals)
    assert len(raw) == len(feed)
    for k, later in enumerate(feed):
        counts, referrals = raw[k]
        table = table_of(later)
        # Nothing published is false, and nothing small is shown (ADR 0013).
        assert later["beneficiaries"] in (None, sum(counts.values()))
        assert later["referrals_in"] in (None, referrals)
        for name, shown in table.cells.items():
            assert shown in (None, counts[name]) and not small(shown or 0)
        # Every hidden cell could take more than one value given everything published: with the
        # total known, two or more cells are hidden and they hold T or more people together.
        total = known_total(table)
        if total is not None and table.hidden:
            assert len(table.hidden) >= 2 and sum(counts[n] for n in table.hidden) >= T
        for before in feed[:k]:
            for key in ("beneficiaries", "referrals_in", "referrals_out"):
                if later[key] is not None and before[key] is not None:
                    assert not small(later[key] - before[key]), (key, feed)
            earlier = table_of(before)
            names = set(table.cells) | set(earlier.cells)

            def cell(t: SuppressedTable, n: str) -> int | None:
                return t.cells.get(n, 0)

            both = [n for n in names if cell(table, n) is not None and cell(earlier, n) is not None]
            for n in both:
                assert not small((cell(table, n) or 0) - (cell(earlier, n) or 0)), (n, feed)
            total_before = known_total(earlier)
            if total is not None and total_before is not None:
                change = total - total_before
                assert not small(change), feed
                visible = sum((cell(table, n) or 0) - (cell(earlier, n) or 0) for n in both)
                assert not small(change - visible), feed  # the hidden cells' change together


@given(st.lists(versions, min_size=1, max_size=3), versions)
def test_the_same_figures_again_publish_nothing_new(
    chain: list[tuple[dict[str, int], int]], last: tuple[dict[str, int], int]
) -> None:
    feed = published_chain([*chain, last])
    again = protect_outcome_correction(standalone(*last), feed)
    # A relay delivering the last fact again (or a rebuild replaying it) yields the entry the
    # feed already holds, so the domain publishes nothing: the feed is the same every time.
    assert again == feed[-1]
