"""The Dorset escalation ladder and Wiltshire's rule for decommissioning, step by step."""

from __future__ import annotations

from datetime import date

import pytest

from services.monitoring import escalation as ladder
from services.monitoring.domain import ConcernStage, ConflictError, InvalidCommandError
from services.monitoring.returns import submit_return
from shared.contracts.base import DomainEvent
from tests.unit.monitoring.given import PROVIDER, TODAY, figures, service

RAISED = ladder.raise_concern(service(), "c-1", "Quarter 1 return late", "u-1", TODAY)
NOTICE = ladder.issue_formal_notice(service(RAISED), "No reply in 14 days", "u-1", TODAY)
ESCALATED = ladder.escalate(service(RAISED, NOTICE), "Still no plan", "u-2", TODAY)
PLAN = ladder.agree_improvement_plan(
    service(RAISED, NOTICE, ESCALATED), "New specification", date(2021, 3, 1), "u-2", TODAY
)


def test_a_concern_is_raised_informally_first_saying_who_and_why() -> None:
    assert (RAISED.concern_id, RAISED.raised_by, RAISED.reason) == (
        "c-1",
        "u-1",
        "Quarter 1 return late",
    )
    concern = service(RAISED).open_concern
    assert concern is not None and concern.stage is ConcernStage.RAISED


def test_then_formally_and_the_notice_names_the_concern_and_award() -> None:
    assert (NOTICE.concern_id, NOTICE.award_id, NOTICE.issued_by) == ("c-1", "award-sarc", "u-1")


def test_then_escalated_to_the_commissioner_then_an_improvement_plan() -> None:
    assert (ESCALATED.escalated_by, ESCALATED.reason) == ("u-2", "Still no plan")
    assert (PLAN.summary, PLAN.review_on) == ("New specification", date(2021, 3, 1))
    concern = service(RAISED, NOTICE, ESCALATED, PLAN).open_concern
    assert concern is not None
    assert [s.stage for s in concern.steps] == [
        "raised",
        "formal_notice",
        "escalated",
        "improvement_plan",
    ]


def test_then_resolved_which_closes_the_concern() -> None:
    resolved = ladder.resolve_concern(
        service(RAISED, NOTICE, ESCALATED, PLAN), "Back on track", "u-2", TODAY
    )
    assert (resolved.concern_id, resolved.outcome, resolved.resolved_by) == (
        "c-1",
        "Back on track",
        "u-2",
    )
    after = service(RAISED, NOTICE, ESCALATED, PLAN, resolved)
    assert after.open_concern is None and after.concerns[0].stage is ConcernStage.RESOLVED


@pytest.mark.parametrize(
    ("history", "step", "message"),
    [
        (
            (),
            lambda s: ladder.issue_formal_notice(s, "r", "u", TODAY),
            "no open concern to issue a formal notice",
        ),
        (
            (RAISED,),
            lambda s: ladder.escalate(s, "r", "u", TODAY),
            "at stage 'raised': cannot escalate",
        ),
        (
            (RAISED,),
            lambda s: ladder.agree_improvement_plan(s, "p", date(2021, 2, 1), "u", TODAY),
            "cannot agree an improvement plan",
        ),
        (
            (RAISED, NOTICE),
            lambda s: ladder.issue_formal_notice(s, "r", "u", TODAY),
            "at stage 'formal_notice'",
        ),
        (
            (RAISED, NOTICE, ESCALATED),
            lambda s: ladder.escalate(s, "r", "u", TODAY),
            "at stage 'escalated'",
        ),
        ((), lambda s: ladder.resolve_concern(s, "o", "u", TODAY), "no open concern to resolve"),
        ((RAISED,), lambda s: ladder.raise_concern(s, "c-2", "r", "u", TODAY), "c-1 is still open"),
    ],
)
def test_the_ladder_is_climbed_in_order(
    history: tuple[DomainEvent, ...], step: object, message: str
) -> None:
    with pytest.raises(ConflictError, match=message):
        step(service(*history))  # type: ignore[operator]


def test_a_plan_may_follow_the_formal_notice_without_escalation_and_needs_a_future_review() -> None:
    assert ladder.agree_improvement_plan(service(RAISED, NOTICE), "p", date(2021, 2, 1), "u", TODAY)
    with pytest.raises(InvalidCommandError, match="review date 2021-01-01 must be after today"):
        ladder.agree_improvement_plan(service(RAISED, NOTICE), "p", TODAY, "u", TODAY)


def test_an_informal_concern_can_be_resolved_and_a_new_one_raised() -> None:
    resolved = ladder.resolve_concern(service(RAISED), "Explained", "u-1", TODAY)
    again = ladder.raise_concern(service(RAISED, resolved), "c-2", "Another", "u-1", TODAY)
    assert again.concern_id == "c-2"


RETURNED = submit_return(service(), figures(), PROVIDER, TODAY)
LAST = "award-sarc:2019-07-01"
SECOND = submit_return(
    service(*RETURNED), figures(start=date(2019, 7, 1), end=date(2019, 9, 30)), PROVIDER, TODAY
)


def test_decommissioning_references_the_last_monitoring_report() -> None:
    ended = ladder.decommission(
        service(*RETURNED, *SECOND), "Not needed", date(2019, 12, 31), "PCC-2019-44", LAST
    )
    assert (ended.last_report_considered, ended.decision_reference) == (LAST, "PCC-2019-44")
    assert service(*RETURNED, *SECOND, ended).decommissioned == ended


def test_decommissioning_is_refused_without_a_report_or_with_an_older_one() -> None:
    with pytest.raises(ConflictError, match="has no monitoring report yet"):
        ladder.decommission(service(), "Not needed", date(2019, 12, 31), "PCC-1", LAST)
    with pytest.raises(ConflictError, match=f"must consider the last monitoring report, {LAST}"):
        ladder.decommission(
            service(*RETURNED, *SECOND), "x", date(2019, 12, 31), "PCC-1", "award-sarc:2019-04-01"
        )


def test_a_service_is_decommissioned_once_and_then_takes_no_concerns() -> None:
    ended = ladder.decommission(
        service(*RETURNED), "x", date(2019, 12, 31), "PCC-1", "award-sarc:2019-04-01"
    )
    with pytest.raises(ConflictError, match="already decommissioned \\(PCC-1\\)"):
        ladder.decommission(
            service(*RETURNED, ended), "x", date(2019, 12, 31), "PCC-2", "award-sarc:2019-04-01"
        )
    with pytest.raises(ConflictError, match="was decommissioned"):
        ladder.raise_concern(service(*RETURNED, ended), "c-9", "r", "u", TODAY)
    with pytest.raises(InvalidCommandError, match="before the service began"):
        ladder.decommission(
            service(*RETURNED), "x", date(2019, 1, 1), "PCC-1", "award-sarc:2019-04-01"
        )
