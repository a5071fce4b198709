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

from services.publication.mappers.monitoring import (
    known_beneficiaries,
    on_kpi_return_submitted,
    protect_outcome_correction,
)
from services.publication.mapping import Policy
from services.publication.privacy import protect_count
from shared.contracts.monitoring import KPIReturnAmended
from tests.unit.publication.builders import envelope, grant, kpi_return, publish

T = 10


# A return's figures: breakdowns (each a partition of the beneficiaries) and referrals.
Figures = tuple[dict[str, dict[str, int]], int, int]


def standalone(figures: Figures, threshold: int = T) -> dict[str, Any]:
    """An outcome as the mapper publishes it on its own (ADR 0013)."""
    breakdowns, referrals_in, referrals_out = figures
    event = kpi_return("a1", breakdowns, referrals_in=referrals_in, referrals_out=referrals_out)
    [candidate] = on_kpi_return_submitted(event, envelope(event), Policy(threshold))
    return candidate.data


def of_gender(counts: dict[str, int], referrals: int = 12) -> dict[str, Any]:
    return standalone(({"gender": counts}, referrals, 0))


def published_chain(
    chain: list[Figures], threshold: int = T
) -> list[tuple[Figures, dict[str, Any]]]:
    """What the feed publishes for one period: the first return, then each correction that
    changes what is shown (the domain publishes nothing for the same figures), with the
    figures behind each entry."""
    feed: list[tuple[Figures, dict[str, Any]]] = []
    for figures in chain:
        data = protect_outcome_correction(standalone(figures, threshold), [d for _, d in feed])
        if not feed or data != feed[-1][1]:
            feed.append((figures, data))
    return feed


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
    earlier = [of_gender({"female": 20, "male": 25, "other": 15})]
    data = protect_outcome_correction(of_gender({"female": 22, "male": 23, "other": 15}), earlier)
    assert data["beneficiaries"] == 60
    assert data["breakdowns"]["gender"] == {"female": None, "male": None, "other": 15}


def test_a_cell_hidden_before_stays_hidden() -> None:
    # 30/12/3: male is hidden as secondary suppression of other's 3. Showing male later (say
    # unchanged, 12) would let a reader recover 3 from the first entry.
    earlier = [of_gender({"female": 30, "male": 12, "other": 3})]
    assert earlier[0]["breakdowns"]["gender"]["male"] is None
    data = protect_outcome_correction(of_gender({"female": 45, "male": 12, "other": 0}), earlier)
    assert data["breakdowns"]["gender"]["male"] is None


def test_a_correction_that_changes_nothing_public_protects_nothing_more() -> None:
    earlier = [of_gender({"female": 20, "male": 25})]
    assert protect_outcome_correction(of_gender({"female": 20, "male": 25}), earlier) == earlier[0]


def test_a_hidden_total_is_not_given_away_by_a_breakdown_shown_whole() -> None:
    # Age's 5 and 7 were hidden; corrected to nobody at all, they stay hidden, and two hidden
    # cells holding 0 people would be read off the total: the total goes. Gender, one cell of
    # 0, would give it back, so it loses that cell too.
    first = standalone(({"gender": {"f": 12}, "age": {"a": 5, "b": 7}}, 12, 0))
    assert first["beneficiaries"] == 12 and first["breakdowns"]["age"] == {"a": None, "b": None}
    data = protect_outcome_correction(
        standalone(({"gender": {"f": 0}, "age": {"a": 0, "b": 0}}, 12, 0)), [first]
    )
    assert data["beneficiaries"] is None
    assert data["breakdowns"] == {"age": {"a": None, "b": None}, "gender": {"f": None}}
    assert known_beneficiaries(data) is None


@st.composite
def figures(draw: st.DrawFn) -> Figures:
    """A return: gender counts, and an age breakdown splitting the same people differently."""
    gender = draw(
        st.dictionaries(st.sampled_from(["f", "m", "x", "u"]), st.integers(0, 45), min_size=1)
    )
    total = sum(gender.values())
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=1, max_size=3)))
    bounds = [0, *cuts, total]
    age = {f"band{i}": bounds[i + 1] - bounds[i] for i in range(len(bounds) - 1)}
    return {"gender": gender, "age": age}, draw(st.integers(0, 40)), draw(st.integers(0, 25))


def small(change: int, threshold: int) -> bool:
    return 0 < abs(change) < threshold


@settings(max_examples=400, deadline=None)
@given(st.lists(figures(), min_size=2, max_size=4), st.sampled_from([3, 5, 10]))
def test_no_published_pair_gives_away_a_small_change(chain: list[Figures], threshold: int) -> None:
    feed = published_chain(chain, threshold)
    for k, ((breakdowns, referrals_in, referrals_out), later) in enumerate(feed):
        raw_total = sum(breakdowns["gender"].values())
        # Nothing published is false, and nothing small is shown (ADR 0013).
        assert later["beneficiaries"] in (None, raw_total)
        assert later["referrals_in"] in (None, referrals_in)
        assert later["referrals_out"] in (None, referrals_out)
        total = known_beneficiaries(later)  # published, or the sum of a breakdown shown whole
        assert total in (None, raw_total)
        for dimension, cells in later["breakdowns"].items():
            counts = breakdowns[dimension]
            for name, shown in cells.items():
                assert shown in (None, counts[name]) and not small(shown or 0, threshold)
            # Every hidden cell could take more than one value given everything published: with
            # the total known, two or more cells are hidden and hold T or more people together.
            hidden = [n for n, c in cells.items() if c is None]
            if total is not None and hidden:
                assert len(hidden) >= 2 and sum(counts[n] for n in hidden) >= threshold, feed
        for _, before in feed[:k]:
            for key in ("referrals_in", "referrals_out"):
                if later[key] is not None and before[key] is not None:
                    assert not small(later[key] - before[key], threshold), (key, feed)
            total_before = known_beneficiaries(before)
            if total is not None and total_before is not None:
                assert not small(total - total_before, threshold), feed
            for dimension, cells in later["breakdowns"].items():
                was = before["breakdowns"][dimension]
                both = [
                    n
                    for n in set(cells) | set(was)
                    if cells.get(n, 0) is not None and was.get(n, 0) is not None
                ]
                changes = {n: (cells.get(n, 0) or 0) - (was.get(n, 0) or 0) for n in both}
                assert not any(small(c, threshold) for c in changes.values()), (dimension, feed)
                if total is not None and total_before is not None:
                    # The hidden cells' change together: the total's change less the visible.
                    rest = total - total_before - sum(changes.values())
                    assert not small(rest, threshold), (dimension, feed)


@given(st.lists(figures(), min_size=1, max_size=3), figures())
def test_the_same_figures_again_publish_nothing_new(chain: list[Figures], last: Figures) -> None:
    feed = [data for _, data in published_chain([*chain, last])]
    again = protect_outcome_correction(standalone(last), feed)
    # A relay delivering the last fact again (or a rebuild replaying it) yields the entry the
    # feed already holds, so the domain publishes nothing: the feed is the same every time.
    assert again == feed[-1]
