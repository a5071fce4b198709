"""The applications service over HTTP: drafts, scheme and round listings (real servers)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from services.applications.seed_schemes import (
    DORSET_COMMUNITY_GRANTS,
    NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE,
    WILTSHIRE_POLICE_PROPERTY_ACT,
)
from shared.auth import Role
from shared.infra.processes import ServiceProcess
from tests.support.applications import (
    CHARITY,
    COUNCIL,
    OTHER_CHARITY,
    Partnership,
    application_body,
    dorset,
    round_dates,
    running_applications,
)

C, A, S, AUD, P = Role.COMMISSIONER, Role.APPLICANT, Role.ASSESSOR, Role.AUDITOR, Role.PARTNER


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def service(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceProcess]:
    async for running in running_applications(
        database_url, kafka_bootstrap, tmp_path_factory.mktemp("applications-api-logs")
    ):
        yield running


async def test_a_draft_is_saved_updated_kept_private_and_submitted_with_every_rule(
    service: ServiceProcess,
) -> None:
    p, round_id = await dorset(service, panel=False)
    saved = await p.ok("POST", f"/rounds/{round_id}/drafts", A, CHARITY, json={"title": "Boxing"})
    draft = f"/drafts/{saved['id']}"
    assert saved["events"][0]["event_type"] == "ApplicationDrafted"

    # Incomplete: refused naming every missing field.
    async with p.client(A, CHARITY) as charity:
        incomplete = await charity.post(f"{p.base}{draft}/submission")
    assert incomplete.status_code == 422
    assert [e["type"] for e in incomplete.json()["detail"]] == [
        "description",
        "amount",
        "start_date",
        "end_date",
    ]

    # Nobody but the drafting organisation reads it; commissioners see only a count.
    for role, org, expected in (
        (A, OTHER_CHARITY, 404),
        (C, "GB-PLA-DORSET-OPCC", 403),
        (S, "GB-PLA-DORSET-OPCC", 403),
        (AUD, "GB-PLA-DORSET-OPCC", 403),
        (A, CHARITY, 200),
    ):
        async with p.client(role, org) as client:
            answer = await client.get(p.base + draft)
        assert answer.status_code == expected, (role, org, answer.text)
    async with p.client(A, OTHER_CHARITY) as other:
        meddling = await other.put(p.base + draft, json={"title": "Mine now"})
        theirs = await other.get(f"{p.base}/drafts")
    assert meddling.status_code == 404
    assert theirs.json()["total"] == 0
    rounds = await p.ok("GET", "/rounds", C)
    assert rounds["items"][0]["drafts_in_progress"] == 1
    assert "Boxing" not in str(rounds)
    applicant_view = await p.ok("GET", "/rounds", A, CHARITY)
    assert applicant_view["items"][0]["drafts_in_progress"] is None

    too_much = application_body("3500.00")
    await p.ok("PUT", draft, A, CHARITY, json=too_much)
    async with p.client(A, CHARITY) as charity:
        above = await charity.post(f"{p.base}{draft}/submission")
    assert above.status_code == 422
    assert [e["type"] for e in above.json()["detail"]] == ["max_amount"]
    assert "£3,500.00 is above the scheme maximum of £3,000.00" in above.text

    await p.ok("PUT", draft, A, CHARITY, json=application_body("2500.00"))
    mine = await p.ok("GET", "/drafts", A, CHARITY)
    assert [(d["title"], d["amount"]) for d in mine["items"]] == [
        ("Youth diversion boxing", "2500.00")
    ]
    submitted = await p.ok("POST", f"{draft}/submission", A, CHARITY)
    app = f"/applications/{saved['id']}"
    assert submitted["events"][0]["event_type"] == "ApplicationSubmitted"
    shown = await p.ok("GET", app, C)
    assert (shown["status"], shown["amount"]) == ("submitted", "2500.00")
    listing = await p.ok("GET", f"/rounds/{round_id}/applications", C)
    assert [i["application_id"] for i in listing["items"]] == [saved["id"]]
    assert (await p.ok("GET", "/drafts", A, CHARITY))["total"] == 0
    # The commissioner's history of the application leaves out how it was drafted.
    theirs_history = await p.ok("GET", f"{app}/history", C)
    own_history = await p.ok("GET", f"{app}/history", A, CHARITY)
    assert [e["event_type"] for e in theirs_history["events"]] == ["ApplicationSubmitted"]
    assert [e["event_type"] for e in own_history["events"]] == [
        "ApplicationDrafted",
        "ApplicationDraftUpdated",
        "ApplicationDraftUpdated",
        "ApplicationSubmitted",
    ]
    async with p.client(A, CHARITY) as charity:
        again = await charity.post(f"{p.base}{draft}/submission")
        edit = await charity.put(p.base + draft, json={"title": "Too late"})
    assert again.status_code == 409 and "already submitted" in again.text
    assert edit.status_code == 409


async def test_drafts_are_refused_from_the_wrong_kind_and_outside_the_round(
    service: ServiceProcess,
) -> None:
    p, round_id = await dorset(service, panel=False)
    council_draft = await p.ok(
        "POST", f"/rounds/{round_id}/drafts", A, COUNCIL, json=application_body("3500.00")
    )
    async with p.client(A, COUNCIL) as council:
        refused = await council.post(f"{p.base}/drafts/{council_draft['id']}/submission")
    assert refused.status_code == 422
    assert [e["type"] for e in refused.json()["detail"]] == ["max_amount", "organisation_kind"]

    scheme = DORSET_COMMUNITY_GRANTS.scheme_id
    later = await p.ok(
        "POST", f"/schemes/{scheme}/rounds", C, json={"name": "later", **round_dates(5, 30)}
    )
    async with p.client(A, CHARITY) as charity:
        early = await charity.post(f"{p.base}/rounds/{later['id']}/drafts", json={"title": "x"})
        unknown = await charity.post(f"{p.base}/rounds/round-nope/drafts", json={"title": "x"})
        empty = await charity.post(f"{p.base}/rounds/{round_id}/drafts", json={"title": ""})
    assert early.status_code == 422 and "opens on" in early.text
    assert unknown.status_code == 404
    assert empty.status_code == 422
    saved = await p.ok("POST", f"/rounds/{round_id}/drafts", A, CHARITY, json=application_body())
    await p.ok("POST", f"/rounds/{round_id}/closure", C)
    async with p.client(A, CHARITY) as charity:
        closed_edit = await charity.put(f"{p.base}/drafts/{saved['id']}", json={"title": "y"})
        closed_submit = await charity.post(f"{p.base}/drafts/{saved['id']}/submission")
    assert closed_edit.status_code == 422 and "was closed on" in closed_edit.text
    assert closed_submit.status_code == 422
    assert closed_submit.json()["detail"][0]["type"] == "round_dates"


async def test_concurrent_submissions_of_one_draft_submit_it_once_and_of_many_all_land(
    service: ServiceProcess,
) -> None:
    p, round_id = await dorset(service, panel=False)
    saved = await p.ok("POST", f"/rounds/{round_id}/drafts", A, CHARITY, json=application_body())
    async with p.client(A, CHARITY) as charity:
        answers = await asyncio.gather(
            *(charity.post(f"{p.base}/drafts/{saved['id']}/submission") for _ in range(6))
        )
    assert sorted(a.status_code for a in answers) == [200] + [409] * 5
    others = [
        await p.ok(
            "POST",
            f"/rounds/{round_id}/drafts",
            A,
            OTHER_CHARITY,
            json=application_body(f"{n}00.00"),
        )
        for n in range(1, 9)
    ]
    async with p.client(A, OTHER_CHARITY) as other:
        many = await asyncio.gather(
            *(other.post(f"{p.base}/drafts/{d['id']}/submission") for d in others)
        )
    assert [a.status_code for a in many] == [200] * 8
    listing = await p.ok("GET", f"/rounds/{round_id}/applications?limit=200", C)
    assert listing["total"] == 9
    rounds = await p.ok("GET", "/rounds", C)
    assert rounds["items"][0]["drafts_in_progress"] == 0


async def test_schemes_and_rounds_are_listed_filtered_and_paged_within_the_partnership(
    service: ServiceProcess,
) -> None:
    p, open_round = await dorset(service, panel=False)
    for scheme in (WILTSHIRE_POLICE_PROPERTY_ACT, NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE):
        await p.ok("POST", "/schemes", C, json=scheme.model_dump(mode="json"))
    vote = NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE.scheme_id
    upcoming = await p.ok(
        "POST", f"/schemes/{vote}/rounds", C, json={"name": "2020", **round_dates(10, 40)}
    )
    closed = await p.ok(
        "POST", f"/schemes/{vote}/rounds", C, json={"name": "2019", **round_dates(-40, -10)}
    )

    schemes = await p.ok("GET", "/schemes", P)
    assert schemes["total"] == 3
    assert [s["name"] for s in schemes["items"]] == sorted(s["name"] for s in schemes["items"])
    voted = await p.ok("GET", "/schemes?decision_mode=public_vote", C)
    assert [s["scheme_id"] for s in voted["items"]] == [vote]
    with_open = await p.ok("GET", "/schemes?status=open", C)
    assert [s["scheme_id"] for s in with_open["items"]] == [DORSET_COMMUNITY_GRANTS.scheme_id]
    by_fund = await p.ok(
        "GET", f"/schemes?fund_id={WILTSHIRE_POLICE_PROPERTY_ACT.fund_id}", A, CHARITY
    )
    assert {s["scheme_id"] for s in by_fund["items"]} >= {WILTSHIRE_POLICE_PROPERTY_ACT.scheme_id}
    assert all(s["fund_id"] == WILTSHIRE_POLICE_PROPERTY_ACT.fund_id for s in by_fund["items"])
    page = await p.ok("GET", "/schemes?limit=1&offset=1", C)
    assert (page["total"], len(page["items"]), page["items"][0]) == (3, 1, schemes["items"][1])

    rounds = await p.ok("GET", "/rounds", AUD)
    assert [(r["round_id"], r["status"]) for r in rounds["items"]] == [
        (upcoming["id"], "upcoming"),
        (open_round, "open"),
        (closed["id"], "closed"),
    ]
    for status, expected in (
        ("open", open_round),
        ("upcoming", upcoming["id"]),
        ("closed", closed["id"]),
    ):
        only = await p.ok("GET", f"/rounds?status={status}", C)
        assert [r["round_id"] for r in only["items"]] == [expected], status
    per_scheme = await p.ok("GET", f"/schemes/{vote}/rounds", A, CHARITY)
    assert [r["round_id"] for r in per_scheme["items"]] == [upcoming["id"], closed["id"]]
    grants = await p.ok("GET", "/rounds?mechanism=grant&decision_mode=panel", C)
    assert [r["round_id"] for r in grants["items"]] == [open_round]
    await p.ok("POST", f"/rounds/{open_round}/closure", C)
    now_closed = await p.ok("GET", "/rounds?status=closed", C)
    assert {r["round_id"] for r in now_closed["items"]} == {open_round, closed["id"]}

    stranger = Partnership(service, "gwent")
    assert (await stranger.ok("GET", "/rounds", C))["total"] == 0
    assert (await stranger.ok("GET", "/schemes", C))["total"] == 0
    async with stranger.client(C) as gwent:
        crossing = await gwent.get(f"{p.base}/rounds")
    assert crossing.status_code == 403 and "may not access partnership" in crossing.text
    async with httpx.AsyncClient(base_url=service.url) as anonymous:
        assert (await anonymous.get(f"{p.base}/schemes")).status_code == 401
    async with p.client(C) as commissioner:
        bad = await commissioner.get(f"{p.base}/rounds?status=someday")
    assert bad.status_code == 422
