"""Steps of the year in applications: a Dorset community grant round and a public vote."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.applications.seed_schemes import (
    DORSET_COMMUNITY_GRANTS,
    NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE,
)
from shared.demo_year import data
from shared.demo_year.context import ASSESSORS, Year
from shared.demo_year.platform import Caller, eventually, pounds

ROUND_DAYS = 28


def _open_round(year: Year, commissioner: Caller, scheme: dict[str, Any], name: str) -> str:
    commissioner.post("applications", "/partnerships/{p}/schemes", scheme)
    dates = {
        "opens_on": year.today.isoformat(),
        "closes_on": (year.today + timedelta(days=ROUND_DAYS)).isoformat(),
    }
    opened = commissioner.post(
        "applications",
        f"/partnerships/{{p}}/schemes/{scheme['scheme_id']}/rounds",
        {"name": name, **dates},
    )
    return str(opened["id"])


def _submit(
    year: Year, partnership: str, round_id: str, bid: tuple[str, str, str, str, str], n: int
) -> str:
    """An applicant registers its own organisation and applies; the application's id."""
    org, name, kind, title, amount = bid
    applicant = year.applicant(partnership, org, n)
    applicant.post(
        "applications",
        "/partnerships/{p}/organisations",
        {"organisation_id": org, "name": name, "kind": kind},
    )
    body = {
        "title": title,
        "description": f"{title}: a community project ({name}).",
        "amount": amount,
        "start_date": (year.today + timedelta(days=35)).isoformat(),
        "end_date": (year.today + timedelta(days=35 + 330)).isoformat(),
        "plan_priorities": [data.PRIORITIES[n % len(data.PRIORITIES)]],
    }
    made = applicant.post(
        "applications", f"/partnerships/{{p}}/rounds/{round_id}/applications", body
    )
    return str(made["id"])


def community_grant_round(year: Year) -> None:
    """Applications, screening (one ineligible), a conflict of interest, scores, decisions."""
    dorset = year.commissioner(dorset=True)
    dorset.put("applications", "/partnerships/{p}/plan-priorities", {"priorities": data.PRIORITIES})
    round_id = _open_round(
        year,
        dorset,
        DORSET_COMMUNITY_GRANTS.model_dump(mode="json"),
        f"Community grants {year.financial_year}",
    )
    _assign_panel(year, dorset, round_id)
    year.story.step(
        f"Dorset opens a Community Grant Scheme round (£100 to £3,000, voluntary "
        f"and community groups, fund {DORSET_COMMUNITY_GRANTS.fund_id}) and assigns its "
        f"panel of {len(ASSESSORS)} registered assessors; {len(data.BIDS)} groups apply:"
    )
    ids = []
    for n, bid in enumerate(data.BIDS):
        ids.append(
            _submit(
                year, year.dorset, round_id, (bid.org, bid.name, bid.kind, bid.title, bid.amount), n
            )
        )
        year.story.detail(f"{pounds(bid.amount):>10}  {bid.name}: {bid.title}")
    year.story.step("Screening, conflicts of interest and scoring:")
    for bid, app in zip(data.BIDS, ids, strict=True):
        dorset.post("applications", f"/partnerships/{{p}}/applications/{app}/screening")
        if bid.scores is None:
            why = "; ".join(r["reason"] for r in _application(dorset, app)["failed_rules"])
            year.story.detail(f"{bid.name}: INELIGIBLE ({why})")
            continue
        _assess(year, app, bid.scores, bid.conflicted, bid.name)
    ranking = dorset.get("applications", f"/partnerships/{{p}}/rounds/{round_id}/ranking")
    for item in ranking["items"]:
        year.story.detail(
            f"rank {item['rank']}: {item['mean_score']:>6} points  {item['organisation_name']}"
        )
    _decide(year, dorset, ids)


def _assign_panel(year: Year, dorset: Caller, round_id: str) -> None:
    """Register the OPCC and its two panel assessors as users; only they may score the round."""
    dorset.post(
        "applications",
        "/partnerships/{p}/organisations",
        {"organisation_id": data.DORSET_OPCC, "name": data.DORSET_OPCC_NAME, "kind": "opcc"},
    )
    for n, assessor in enumerate(ASSESSORS, start=1):
        dorset.post(
            "applications",
            "/partnerships/{p}/users",
            {
                "user_id": assessor,
                "display_name": f"Panel assessor {n}",
                "organisation_id": data.DORSET_OPCC,
                "roles": ["assessor"],
            },
        )
    dorset.put(
        "applications",
        f"/partnerships/{{p}}/rounds/{round_id}/assessors",
        {"assessor_ids": list(ASSESSORS)},
    )


def _application(caller: Caller, app: str) -> dict[str, Any]:
    return caller.get("applications", f"/partnerships/{{p}}/applications/{app}")


def _assess(year: Year, app: str, scores: tuple[int, ...], conflicted: bool, name: str) -> None:
    path = f"/partnerships/{{p}}/applications/{app}"
    first, second = year.assessor(0), year.assessor(1)
    if conflicted:
        first.post(
            "applications",
            f"{path}/conflict-declarations",
            {"has_conflict": True, "details": "trustee of the applicant"},
        )
        refused = first.call(
            "POST",
            "applications",
            f"{path}/scores",
            {"scores": dict(zip(data.CRITERIA, scores, strict=True))},
            ok=(403,),
        )
        year.story.detail(
            f"{name}: assessor 1 declares a conflict (trustee) and is recused "
            f"(a score from them is refused: {refused.status_code})"
        )
    else:
        first.post("applications", f"{path}/conflict-declarations", {"has_conflict": False})
        first.post(
            "applications",
            f"{path}/scores",
            {"scores": dict(zip(data.CRITERIA, scores, strict=True))},
        )
    second.post("applications", f"{path}/conflict-declarations", {"has_conflict": False})
    second.post(
        "applications", f"{path}/scores", {"scores": dict(zip(data.CRITERIA, scores, strict=True))}
    )


def _decide(year: Year, dorset: Caller, ids: list[str]) -> None:
    year.story.step(
        "The commissioner decides; funding turns each approval into an award over Kafka:"
    )
    for n, (bid, app) in enumerate(zip(data.BIDS, ids, strict=True), start=1):
        if bid.scores is None:
            continue
        path = f"/partnerships/{{p}}/applications/{app}"
        decision = {
            "decision_reference": f"PCC-DOR-{year.today.year}-{n:03d}",
            "reason": "scored well against the plan priorities"
            if bid.approve
            else "scored below the panel's threshold",
        }
        dorset.post(
            "applications", f"{path}/{'approval' if bid.approve else 'rejection'}", decision
        )
        if not bid.approve:
            year.story.detail(f"REJECTED {bid.name} ({decision['decision_reference']})")
            continue
        award = await_award(year, dorset, app)
        year.outcome.grant_awards.append(award["award_id"])
        year.story.detail(
            f"APPROVED {bid.name} ({decision['decision_reference']}) -> "
            f"GrantAwarded {pounds(award['amount'])}, "
            f"{len(award['instalments'])} instalment(s)"
        )


def await_award(year: Year, caller: Caller, application_id: str) -> dict[str, Any]:
    """Poll funding until the approval has become an award (GrantAwarded), and return it."""
    path = f"/partnerships/{{p}}/awards/award-{application_id}"

    def found() -> dict[str, Any] | None:
        answer = caller.call("GET", "funding", path, ok=(404,))
        return None if answer.status_code == 404 else dict(answer.json())

    return eventually(f"the award of application {application_id}", found)


def public_vote(year: Year) -> None:
    """Your Community, Your Choice: projects, the public's votes, the count, the winners."""
    nw = year.commissioner()
    round_id = _open_round(
        year,
        nw,
        NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE.model_dump(mode="json"),
        f"Your Community, Your Choice {year.financial_year}",
    )
    apps = {}
    for n, (org, name, title, amount, _votes) in enumerate(data.YCYC_PROJECTS, start=10):
        app = _submit(year, year.north_wales, round_id, (org, name, "charity", title, amount), n)
        nw.post("applications", f"/partnerships/{{p}}/applications/{app}/screening")
        apps[app] = (name, amount)
    nw.post("applications", f"/partnerships/{{p}}/rounds/{round_id}/closure")
    nw.post("applications", f"/partnerships/{{p}}/rounds/{round_id}/ballot")
    votes = f"/public/partnerships/{{p}}/ballots/{round_id}/votes"
    public, voter = year.platform.public(year.north_wales), 0
    for app, (*_, count) in zip(apps, data.YCYC_PROJECTS, strict=True):
        for _ in range(count):
            voter += 1
            identity = f"resident{voter:03d}@example.org"
            year.outcome.voters.append(identity)
            public.post("applications", votes, {"voter": identity, "application_id": app})
    again = public.call(
        "POST",
        "applications",
        votes,
        {"voter": year.outcome.voters[0].upper(), "application_id": app},
        ok=(409,),
    )
    year.story.step(
        f'"Your Community, Your Choice" ({pounds(data.YCYC_BUDGET)}, up to 12 '
        f"projects): {len(apps)} projects, {voter} public votes (a second vote by "
        f"the same resident is refused: {again.status_code})."
    )
    closed = nw.post(
        "applications",
        f"/partnerships/{{p}}/rounds/{round_id}/ballot/closure",
        {"decision_reference": f"YCYC-{year.today.year}"},
    )
    ballot = nw.get("applications", f"/partnerships/{{p}}/rounds/{round_id}/ballot")
    tallies = {t["application_id"]: t["votes"] for t in ballot["tallies"]}
    for app, (name, amount) in apps.items():
        won = "WINNER" if app in ballot["winners"] else "      "
        year.story.detail(f"{won} {tallies.get(app, 0):>3} votes {pounds(amount):>11}  {name}")
    year.story.detail(
        f"{len(ballot['winners'])} winners, {pounds(ballot['allocated'])} of "
        f"{pounds(data.YCYC_BUDGET)} ({len(closed['events'])} events recorded)"
    )
    for app in ballot["winners"]:
        year.outcome.ballot_winners.append(await_award(year, nw, app)["award_id"])
    year.story.detail("every winner is now a GrantAwarded in funding")
