"""The applications service as a process, over HTTP: lifecycle, authorization, concurrency."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from services.applications.seed_schemes import (
    NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE,
)
from shared.auth import Role
from shared.infra.processes import ServiceProcess
from shared.messaging import topic_for
from tests.support.applications import (
    CHARITY,
    COUNCIL,
    OTHER_CHARITY,
    Partnership,
    application_body,
    dorset,
    publish_award_blocked,
    round_dates,
    running_applications,
)
from tests.support.services import find_record

C, A, S, AUD, P = Role.COMMISSIONER, Role.APPLICANT, Role.ASSESSOR, Role.AUDITOR, Role.PARTNER


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def service(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceProcess]:
    async for running in running_applications(
        database_url, kafka_bootstrap, tmp_path_factory.mktemp("applications-logs")
    ):
        yield running


async def submit(p: Partnership, round_id: str, org: str = CHARITY, **changes: Any) -> str:
    body = await p.ok(
        "POST", f"/rounds/{round_id}/applications", A, org, json=application_body(**changes)
    )
    return str(body["id"])


SCORES = {"meets plan priorities": 5, "community benefit": 4, "value for money": 3}


async def test_openapi_describes_the_service(service: ServiceProcess) -> None:
    async with httpx.AsyncClient(base_url=service.url) as client:
        spec = (await client.get("/openapi.json")).json()
    assert spec["info"]["title"] == "Applications service"
    assert {
        "/partnerships/{partnership_id}/rounds/{round_id}/applications",
        "/partnerships/{partnership_id}/applications/{application_id}/history",
        "/partnerships/{partnership_id}/rounds/{round_id}/ranking",
        "/public/partnerships/{partnership_id}/ballots/{round_id}/votes",
        "/partnerships/{partnership_id}/accreditations",
        "/partnerships/{partnership_id}/schemes",
        "/partnerships/{partnership_id}/rounds",
        "/partnerships/{partnership_id}/rounds/{round_id}/assessors",
        "/partnerships/{partnership_id}/rounds/{round_id}/drafts",
        "/partnerships/{partnership_id}/drafts/{application_id}/submission",
        "/partnerships/{partnership_id}/users",
        "/partnerships/{partnership_id}/organisations/{organisation_id}/users",
    } <= set(spec["paths"])


async def test_an_application_goes_from_submission_to_approval_and_funding_can_block_it(
    service: ServiceProcess, kafka_bootstrap: str
) -> None:
    p, round_id = await dorset(service)
    async with p.client(A, COUNCIL) as council:
        refused = await council.post(
            f"{p.base}/rounds/{round_id}/applications", json=application_body("3500")
        )
    assert refused.status_code == 422
    assert [e["type"] for e in refused.json()["detail"]] == ["max_amount", "organisation_kind"]
    assert "£3,500.00 is above the scheme maximum of £3,000.00" in refused.text

    app = await submit(p, round_id)
    path = f"/applications/{app}"
    screened = await p.ok("POST", f"{path}/screening", C, json={})
    assert screened["events"][0]["event_type"] == "ApplicationScreened"
    # Assessor 1 is conflicted: recused, and cannot score (nor, afterwards, see the application).
    await p.ok(
        "POST",
        f"{path}/conflict-declarations",
        S,
        json={"has_conflict": True, "details": "trustee"},
    )
    async with p.client(S) as assessor:
        forbidden = await assessor.post(p.base + f"{path}/scores", json={"scores": SCORES})
        hidden = await assessor.get(p.base + path)
    assert forbidden.status_code == 403 and "declared a conflict of interest" in forbidden.text
    assert hidden.status_code == 404
    # Another assessor (another user id) declares none and scores.
    async with p.client(S, user="assessor-2") as assessor2:
        assert (
            await assessor2.post(
                p.base + f"{path}/conflict-declarations", json={"has_conflict": False}
            )
        ).status_code == 200
        scored = await assessor2.post(p.base + f"{path}/scores", json={"scores": SCORES})
    assert scored.status_code == 200, scored.text
    ranking = await p.ok("GET", f"/rounds/{round_id}/ranking", C)
    assert [(r["rank"], r["application_id"], r["mean_score"]) for r in ranking["items"]] == [
        (1, app, "86.67")
    ]

    approval = await p.ok(
        "POST",
        f"{path}/approval",
        C,
        json={"decision_reference": "PCCG-2019-015", "reason": "Scored 86.67"},
    )
    event_id = approval["events"][0]["event_id"]
    record = await find_record(kafka_bootstrap, topic_for("applications"), event_id)
    assert record is not None, "ApplicationApproved did not reach the applications topic"
    payload: dict[str, Any] = json.loads(record.value)["payload"]
    assert (
        payload["fund_id"],
        payload["mechanism"],
        payload["amount"],
        payload["applicant_organisation_id"],
    ) == ("dorset-police-property-act-fund", "grant", "2500.00", CHARITY)
    assert (
        payload["decision_reference"],
        payload["spend_category"],
        payload["applicant_is_public_body"],
    ) == ("PCCG-2019-015", "community safety", False)

    await publish_award_blocked(kafka_bootstrap, p.id, app, "fund has £1,200.00 available")
    for _ in range(200):
        shown = await p.ok("GET", path, C)
        if shown["status"] == "blocked":
            break
        await asyncio.sleep(0.1)
    assert (shown["status"], shown["blocked_reason"]) == ("blocked", "fund has £1,200.00 available")
    history = await p.ok("GET", f"{path}/history", AUD)
    assert [e["event_type"] for e in history["events"]] == [
        "ApplicationSubmitted",
        "ApplicationScreened",
        "ConflictOfInterestDeclared",
        "ConflictOfInterestDeclared",
        "ApplicationScored",
        "ApplicationApproved",
        "ApplicationFundingBlocked",
    ]
    assert history["events"][-1]["actor"]["role"] == "system"


async def test_authorization_matrix(service: ServiceProcess) -> None:
    p, round_id = await dorset(service)
    app = await submit(p, round_id)
    url = f"{p.base}/applications/{app}"
    async with httpx.AsyncClient(base_url=service.url) as anonymous:
        assert (await anonymous.get(url)).status_code == 401
    cases = [
        (P, CHARITY, "GET", url, 403),  # partners do not read applications
        (A, OTHER_CHARITY, "GET", url, 404),  # another applicant's: as if absent
        (A, OTHER_CHARITY, "POST", url + "/withdrawal", 404),
        (A, CHARITY, "POST", url + "/screening", 403),  # applicants do not screen
        (S, "GB-PLA-DORSET-OPCC", "GET", url, 404),  # not yet under assessment
        (C, "GB-PLA-DORSET-OPCC", "POST", url + "/approval", 409),  # not scored
        (AUD, "GB-PLA-DORSET-OPCC", "GET", url, 200),
        (A, CHARITY, "GET", url, 200),
    ]
    for role, org, method, target, expected in cases:
        async with p.client(role, org) as client:
            body = {"decision_reference": "R-1", "reason": "r"} if "approval" in target else {}
            answer = await client.request(method, target, json=body if method == "POST" else None)
        assert answer.status_code == expected, (role, method, target, answer.text)
    stranger = Partnership(service, "gwent")
    async with stranger.client(C) as gwent:
        crossing = await gwent.get(url)  # path names dorset: refused by partnership
        own_path = await gwent.get(f"{stranger.base}/applications/{app}")  # dorset's id: unknown
    assert crossing.status_code == 403 and "may not access partnership" in crossing.text
    assert own_path.status_code == 404


async def test_concurrent_submissions_all_land_and_concurrent_decisions_do_not_both_win(
    service: ServiceProcess,
) -> None:
    p, round_id = await dorset(service)
    ids = await asyncio.gather(*(submit(p, round_id, amount=f"{100 + n}.00") for n in range(12)))
    assert len(set(ids)) == 12
    listing = await p.ok("GET", f"/rounds/{round_id}/applications?sort=-amount&limit=5&offset=0", C)
    assert listing["total"] == 12 and [i["amount"] for i in listing["items"]][:2] == [
        "111.00",
        "110.00",
    ]
    mine = await p.ok("GET", f"/rounds/{round_id}/applications?status=submitted", A, OTHER_CHARITY)
    assert mine["total"] == 0  # another applicant sees none of them
    async with p.client(C) as commissioner:
        answers = await asyncio.gather(
            *(
                commissioner.post(
                    f"{p.base}/applications/{ids[0]}/rejection",
                    json={"decision_reference": f"R-{n}", "reason": "duplicate"},
                )
                for n in range(4)
            )
        )
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]


async def test_participatory_budgeting_one_vote_per_voter_under_concurrency(
    service: ServiceProcess,
) -> None:
    p = Partnership(service, "north-wales")
    await p.ok("PUT", "/plan-priorities", C, json={"priorities": ["protect the most vulnerable"]})
    await p.ok(
        "POST",
        "/organisations",
        A,
        CHARITY,
        json={"organisation_id": CHARITY, "name": "Llandudno Youth", "kind": "charity"},
    )
    await p.ok(
        "POST", "/schemes", C, json=NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE.model_dump(mode="json")
    )
    scheme = NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE.scheme_id
    round_id = (
        await p.ok("POST", f"/schemes/{scheme}/rounds", C, json={"name": "2019", **round_dates()})
    )["id"]
    apps = [
        await submit(p, round_id, amount=a, title=f"Project {a}")
        for a in ("30000.00", "20000.00", "5000.00")
    ]
    for app in apps:
        await p.ok("POST", f"/applications/{app}/screening", C, json={})
    await p.ok("POST", f"/rounds/{round_id}/closure", C)
    await p.ok("POST", f"/rounds/{round_id}/ballot", C)

    votes = f"/public/partnerships/{p.id}/ballots/{round_id}/votes"
    async with httpx.AsyncClient(base_url=service.url, timeout=30) as public:
        same = await asyncio.gather(
            *(
                public.post(votes, json={"voter": " Ann@example.org", "application_id": apps[1]})
                for _ in range(8)
            )
        )
        plan = [apps[0]] * 5 + [apps[1]] * 3 + [apps[2]] * 2  # with Ann: 5, 4, 2
        many = await asyncio.gather(
            *(
                public.post(votes, json={"voter": f"voter{n}@example.org", "application_id": a})
                for n, a in enumerate(plan)
            )
        )
        unknown = await public.post(
            votes, json={"voter": "bob@example.org", "application_id": "app-nope"}
        )
    assert sorted(a.status_code for a in same) == [201] + [409] * 7
    assert all(a.status_code == 201 for a in many)
    assert unknown.status_code == 404
    closed = await p.ok(
        "POST", f"/rounds/{round_id}/ballot/closure", C, json={"decision_reference": "YCYC-2019"}
    )
    assert [e["event_type"] for e in closed["events"]].count("ApplicationApproved") == 2
    result = await p.ok("GET", f"/rounds/{round_id}/ballot", AUD)
    # £30,000 (5 votes) then £20,000 (4) would exceed £42,000: passed over for £5,000 (2).
    assert {t["application_id"]: t["votes"] for t in result["tallies"]} == dict(
        zip(apps, [5, 4, 2], strict=True)
    )
    assert (result["winners"], result["allocated"]) == ([apps[0], apps[2]], "35000.00")
    statuses = [(await p.ok("GET", f"/applications/{a}", C))["status"] for a in apps]
    assert statuses == ["approved", "rejected", "approved"]
    history = await p.ok("GET", f"/rounds/{round_id}/ballot", C)
    assert "ann" not in json.dumps(history).lower()
