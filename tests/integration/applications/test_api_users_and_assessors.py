"""The applications service over HTTP: the user registry against tokens, and round assessors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from services.applications.seed_schemes import DORSET_COMMUNITY_GRANTS
from shared.auth import Role
from shared.infra.processes import ServiceProcess
from tests.support.applications import (
    OPCC,
    Partnership,
    application_body,
    round_dates,
    running_applications,
)

CHARITY, OTHER_CHARITY = "GB-CHC-1234567", "GB-CHC-7654321"
C, A, S, AUD, P = Role.COMMISSIONER, Role.APPLICANT, Role.ASSESSOR, Role.AUDITOR, Role.PARTNER
SCORES = {"meets plan priorities": 5, "community benefit": 4, "value for money": 3}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def service(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceProcess]:
    async for running in running_applications(
        database_url, kafka_bootstrap, tmp_path_factory.mktemp("applications-users-logs")
    ):
        yield running


def user(user_id: str, org: str, *roles: str, name: str = "Sam Smith") -> dict[str, Any]:
    return {"user_id": user_id, "display_name": name, "organisation_id": org, "roles": roles}


async def registered(service: ServiceProcess) -> Partnership:
    p = Partnership(service, "dorset")
    await p.ok("PUT", "/plan-priorities", C, json={"priorities": ["protect the most vulnerable"]})
    for org, kind in ((OPCC, "opcc"), (CHARITY, "charity"), (OTHER_CHARITY, "charity")):
        body = {"organisation_id": org, "name": org, "kind": kind}
        await p.ok("POST", "/organisations", C, json=body)
    return p


async def test_commissioners_register_users_and_tokens_must_then_agree_with_the_registry(
    service: ServiceProcess,
) -> None:
    p = await registered(service)
    async with p.client(A, CHARITY) as charity:
        self_made = await charity.post(
            f"{p.base}/users", json=user("applicant-1", CHARITY, "applicant")
        )
    assert self_made.status_code == 403  # only commissioners register users
    recorded = await p.ok("POST", "/users", C, json=user("applicant-1", CHARITY, "applicant"))
    assert recorded["events"][0]["event_type"] == "UserRegistered"
    await p.ok("POST", "/users", C, json=user("assessor-1", OPCC, "assessor", "auditor"))
    async with p.client(C) as commissioner:
        twice = await commissioner.post(
            f"{p.base}/users", json=user("applicant-1", CHARITY, "applicant")
        )
        unknown_org = await commissioner.post(
            f"{p.base}/users", json=user("u-9", "GB-CHC-1111111", "applicant")
        )
        no_roles = await commissioner.post(f"{p.base}/users", json=user("u-9", CHARITY))
        bad_role = await commissioner.post(f"{p.base}/users", json=user("u-9", CHARITY, "king"))
    assert twice.status_code == 409 and "already registered" in twice.text
    assert unknown_org.status_code == 422 and "GB-CHC-1111111 is not registered" in unknown_org.text
    assert (no_roles.status_code, bad_role.status_code) == (422, 422)

    listed = await p.ok("GET", f"/organisations/{CHARITY}/users", C)
    assert [
        (u["user_id"], u["display_name"], u["roles"], u["active"]) for u in listed["items"]
    ] == [("applicant-1", "Sam Smith", ["applicant"], True)]
    own = await p.ok("GET", f"/organisations/{CHARITY}/users", A, CHARITY)
    assert own["total"] == 1
    async with p.client(A, OTHER_CHARITY) as other:
        nosy = await other.get(f"{p.base}/organisations/{CHARITY}/users")
    assert nosy.status_code == 403

    # The registered applicant's token must name their organisation and one of their roles.
    path = "/plan-priorities"
    async with p.client(A, CHARITY) as good:
        assert (await good.get(p.base + path)).status_code == 200
    async with p.client(A, OTHER_CHARITY) as elsewhere:  # user applicant-1, other org
        wrong_org = await elsewhere.get(p.base + path)
    async with p.client(C, CHARITY, user="applicant-1") as promoted:
        wrong_role = await promoted.get(p.base + path)
    async with p.client(AUD, OPCC, user="assessor-1") as second_role:
        assert (await second_role.get(p.base + path)).status_code == 200
    assert wrong_org.status_code == 403 and "registered for GB-CHC-1234567" in wrong_org.text
    assert (
        wrong_role.status_code == 403 and "not one of user applicant-1's roles" in wrong_role.text
    )
    # Users not in the registry keep working (development tokens, docs/adr/0020).
    async with p.client(A, OTHER_CHARITY, user="someone-new") as unregistered:
        assert (await unregistered.get(p.base + path)).status_code == 200

    await p.ok("POST", "/users/applicant-1/deactivation", C, json={"reason": "left the club"})
    async with p.client(A, CHARITY) as gone:
        refused = await gone.get(p.base + path)
    assert refused.status_code == 403 and "deactivated" in refused.text
    async with p.client(C) as commissioner:
        again = await commissioner.post(
            f"{p.base}/users/applicant-1/deactivation", json={"reason": "x"}
        )
        nobody = await commissioner.post(
            f"{p.base}/users/nobody/deactivation", json={"reason": "x"}
        )
    assert (again.status_code, nobody.status_code) == (409, 404)
    listed = await p.ok("GET", f"/organisations/{CHARITY}/users", C)
    assert [u["active"] for u in listed["items"]] == [False]

    stranger = Partnership(service, "gwent")
    async with stranger.client(C) as gwent:
        crossing = await gwent.post(f"{p.base}/users", json=user("x", CHARITY, "applicant"))
    assert crossing.status_code == 403


async def assessed_round(p: Partnership) -> tuple[str, str]:
    """A Dorset round and an eligible application in it, under assessment."""
    await p.ok("POST", "/schemes", C, json=DORSET_COMMUNITY_GRANTS.model_dump(mode="json"))
    scheme = DORSET_COMMUNITY_GRANTS.scheme_id
    opened = await p.ok("POST", f"/schemes/{scheme}/rounds", C, json={"name": "R", **round_dates()})
    round_id = str(opened["id"])
    app = await p.ok(
        "POST", f"/rounds/{round_id}/applications", A, CHARITY, json=application_body()
    )
    await p.ok("POST", f"/applications/{app['id']}/screening", C, json={})
    return round_id, str(app["id"])


async def test_only_assessors_assigned_to_a_round_see_declare_and_score_its_applications(
    service: ServiceProcess,
) -> None:
    p = await registered(service)
    for name in ("assessor-1", "assessor-2", "assessor-3"):
        await p.ok("POST", "/users", C, json=user(name, OPCC, "assessor"))
    await p.ok("POST", "/users", C, json=user("officer-1", OPCC, "commissioner"))
    round_id, app = await assessed_round(p)
    assessors, application = f"/rounds/{round_id}/assessors", f"/applications/{app}"

    # Before any assignment nobody assesses, and says why.
    async with p.client(S) as first:
        early = await first.get(f"{p.base}/rounds/{round_id}/applications")
        early_declare = await first.post(
            f"{p.base}{application}/conflict-declarations", json={"has_conflict": False}
        )
    assert early.status_code == 403 and "no assessors are assigned" in early.text
    assert early_declare.status_code == 403
    assert (await p.ok("GET", assessors, C))["assessor_ids"] == []

    body = {"assessor_ids": ["assessor-1", "assessor-2"]}
    for role, org, expected in (
        (A, CHARITY, 403),
        (S, OPCC, 403),
        (AUD, OPCC, 403),
        (P, OPCC, 403),
    ):
        async with p.client(role, org) as client:
            answer = await client.put(p.base + assessors, json=body)
        assert answer.status_code == expected, (role, answer.text)
    async with p.client(C) as commissioner:
        unknown = await commissioner.put(
            p.base + assessors, json={"assessor_ids": ["assessor-1", "officer-1", "ghost"]}
        )
        no_round = await commissioner.put(f"{p.base}/rounds/round-nope/assessors", json=body)
    assert unknown.status_code == 422
    assert [e["msg"] for e in unknown.json()["detail"]] == [
        "officer-1 does not have the assessor role",
        "ghost is not a registered user of the partnership",
    ]
    assert no_round.status_code == 404
    assigned = await p.ok("PUT", assessors, C, json=body)
    assert assigned["events"][0]["event_type"] == "AssessorsAssigned"
    assert await p.ok("GET", assessors, S) == {"round_id": round_id, **body}
    assert (await p.ok("GET", assessors, AUD))["assessor_ids"] == body["assessor_ids"]
    async with p.client(A, CHARITY) as applicant:
        assert (await applicant.get(p.base + assessors)).status_code == 403

    # An assessor not assigned: refused everything on the round, with the reason.
    async with p.client(S, user="assessor-3") as outsider:
        listing = await outsider.get(f"{p.base}/rounds/{round_id}/applications")
        reading = await outsider.get(p.base + application)
        declaring = await outsider.post(
            f"{p.base}{application}/conflict-declarations", json={"has_conflict": False}
        )
    for answer in (listing, reading, declaring):
        assert answer.status_code == 403 and "assessor-3 is not assigned" in answer.text
    # Assigned: one declares a conflict and still cannot score; the other declares none and does.
    await p.ok(
        "POST",
        f"{application}/conflict-declarations",
        S,
        json={"has_conflict": True, "details": "trustee"},
    )
    async with p.client(S) as conflicted:
        refused = await conflicted.post(f"{p.base}{application}/scores", json={"scores": SCORES})
    assert refused.status_code == 403 and "declared a conflict of interest" in refused.text
    async with p.client(S, user="assessor-2") as second:
        listed = await second.get(f"{p.base}/rounds/{round_id}/applications")
        await second.post(
            f"{p.base}{application}/conflict-declarations", json={"has_conflict": False}
        )
        scored = await second.post(f"{p.base}{application}/scores", json={"scores": SCORES})
    assert [i["application_id"] for i in listed.json()["items"]] == [app]
    assert scored.status_code == 200, scored.text

    # Reassigning replaces the list: assessor-2 is off the round from now on.
    await p.ok("PUT", assessors, C, json={"assessor_ids": ["assessor-3"]})
    async with p.client(S, user="assessor-2") as removed:
        gone = await removed.get(p.base + application)
    assert gone.status_code == 403 and "assessor-2 is not assigned" in gone.text
    # A deactivated assessor's token is refused outright.
    await p.ok("POST", "/users/assessor-3/deactivation", C, json={"reason": "left"})
    async with p.client(S, user="assessor-3") as deactivated:
        assert (await deactivated.get(p.base + application)).status_code == 403


async def test_authorization_matrix_of_the_registry_catalogue_draft_and_panel_routes(
    service: ServiceProcess,
) -> None:
    p = await registered(service)
    round_id, _ = await assessed_round(p)
    await p.ok("POST", "/users", C, json=user("assessor-1", OPCC, "assessor"))
    panel = {"assessor_ids": ["assessor-1"]}
    routes: list[tuple[str, str, dict[str, Any] | None, set[Role]]] = [
        ("GET", "/schemes", None, set(Role)),
        ("GET", "/rounds", None, set(Role)),
        ("GET", f"/schemes/{DORSET_COMMUNITY_GRANTS.scheme_id}/rounds", None, set(Role)),
        ("GET", f"/rounds/{round_id}/assessors", None, {C, AUD, S}),
        ("PUT", f"/rounds/{round_id}/assessors", panel, {C}),
        ("POST", f"/rounds/{round_id}/drafts", {"title": "t"}, {A}),
        ("GET", "/drafts", None, {A}),
        ("POST", "/users", user("u-new", CHARITY, "applicant"), {C}),
        ("GET", f"/organisations/{OPCC}/users", None, set(Role)),  # all of the OPCC's own
        ("GET", f"/organisations/{CHARITY}/users", None, {C}),  # not another organisation's
    ]
    stranger = Partnership(service, "gwent")
    for method, path, body, allowed in routes:
        for role in Role:
            async with p.client(role, OPCC) as client:
                answer = await client.request(method, p.base + path, json=body)
            expected = {True: "2xx", False: 403}[role in allowed]
            got = "2xx" if answer.status_code < 300 else answer.status_code
            assert got == expected, (method, path, role, answer.text)
        async with stranger.client(sorted(allowed)[0], OPCC) as gwent:
            crossing = await gwent.request(method, p.base + path, json=body)
        assert crossing.status_code == 403 and "may not access partnership" in crossing.text
        async with p.client(None) as anonymous:
            assert (await anonymous.request(method, p.base + path, json=body)).status_code == 401
    deactivate = "/users/assessor-1/deactivation"
    for role in Role:
        if role is C:
            continue
        async with p.client(role, OPCC) as client:
            refused = await client.post(p.base + deactivate, json={"reason": "r"})
        assert refused.status_code == 403, role
    await p.ok("POST", deactivate, C, json={"reason": "left the panel"})
