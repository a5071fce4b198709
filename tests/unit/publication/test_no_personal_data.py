"""No personal data reaches the feed: names and contacts of people, voters, client records."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.publication.privacy import scrub
from tests.unit.publication.builders import OPCC, approval, envelope, grant, kpi_return, publish


def test_contact_details_in_free_text_are_removed() -> None:
    text = "Call Jo on 07700 900123 or 01305 123456, jo.bloggs@example.org, at DT4 8LR."
    cleaned = scrub(text)
    for personal in ("07700", "01305", "jo.bloggs", "example.org", "DT4 8LR"):
        assert personal not in cleaned
    assert cleaned.startswith("Call Jo on [contact removed]")


def test_the_user_who_acted_never_appears_and_reasons_lose_their_contacts() -> None:
    entries, _ = publish([envelope(approval("app-1")), envelope(grant("a1"))])
    published = " ".join(e.model_dump_json() for e in entries)
    assert OPCC["user_id"] not in published  # the commissioner's user id (envelope actor)
    assert "jane.smith" not in published and "07700 900123" not in published
    assert "Meets plan priority 2" in published


def test_a_recipient_without_an_organisation_identifier_is_not_named() -> None:
    [entry], _ = publish(
        [envelope(grant("a1", recipient_organisation_id="person-42", recipient_name="Ann Other"))]
    )
    assert "Ann Other" not in entry.model_dump_json()
    assert "person-42" not in entry.model_dump_json()
    assert entry.data["recipient"]["id"] == "individual"


def test_client_details_are_only_published_aggregated_and_suppressed() -> None:
    breakdowns = {
        "gender": {"female": 17, "male": 6, "other": 2},
        "age_band": {"18-24": 12, "25-34": 13},
    }
    [_, outcome], _ = publish([envelope(grant("a1")), envelope(kpi_return("a1", breakdowns))])
    gender = outcome.data["breakdowns"]["gender"]
    # 6 and 2 are under 10; their sum 8 is too, so 17 is hidden as well (secondary).
    assert gender == {"female": None, "male": None, "other": None}
    assert outcome.data["breakdowns"]["age_band"] == {"18-24": 12, "25-34": 13}
    assert outcome.data["beneficiaries"] == 25
    assert outcome.data["referrals_in"] == 14
    assert outcome.data["referrals_out"] is None  # 3 referrals: small number


def test_a_small_service_publishes_no_counts_at_all() -> None:
    breakdowns = {"gender": {"female": 4, "male": 3}}
    [_, outcome], _ = publish(
        [envelope(grant("a1", amount=Decimal("900.00"))), envelope(kpi_return("a1", breakdowns))]
    )
    assert outcome.data["beneficiaries"] is None
    assert outcome.data["breakdowns"]["gender"] == {"female": None, "male": None}


def _counts(data: object) -> list[int]:
    """Every whole number anywhere in a published body."""
    if isinstance(data, bool):
        return []
    if isinstance(data, int):
        return [data]
    if isinstance(data, dict):
        return [n for value in data.values() for n in _counts(value)]
    if isinstance(data, list):
        return [n for value in data for n in _counts(value)]
    return []


@settings(max_examples=60, deadline=None)
@given(
    breakdowns=st.dictionaries(
        st.sampled_from(["gender", "age_band", "ethnicity", "disability"]),
        st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 30), min_size=1, max_size=6),
        max_size=4,
    ),
    referrals=st.tuples(st.integers(0, 30), st.integers(0, 30)),
)
def test_no_count_an_outcome_publishes_is_small_whatever_the_provider_reports(
    breakdowns: dict[str, dict[str, int]], referrals: tuple[int, int]
) -> None:
    kpis = kpi_return("a1", breakdowns, referrals_in=referrals[0], referrals_out=referrals[1])
    [_, outcome], _ = publish([envelope(grant("a1")), envelope(kpis)])
    counted = {k: v for k, v in outcome.data.items() if k != "suppression_threshold"}
    assert all(n == 0 or n >= 10 for n in _counts(counted)), outcome.data
    assert set(outcome.data) == {
        "service_id",
        "award_id",
        "provider",
        "period_start",
        "period_end",
        "beneficiaries",
        "referrals_in",
        "referrals_out",
        "breakdowns",
        "suppression_threshold",
    }  # an allow-list of fields too: nothing else of the return is published
