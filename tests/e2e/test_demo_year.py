"""`commissioning demo` runs a commissioning year; its outcome is checked through the public APIs.

The demo runs as it does for a user (without --no-wait, so the services stay up), on the test
run's servers; the test checks what an auditor and the public would see, then presses Ctrl-C.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.publication.standards import giving360_validator, ocds_validator, problems
from shared.auth import Role
from shared.demo_year import data
from shared.demo_year.context import USER_IDS
from shared.demo_year.summary import LEDGER_FUNDS
from shared.infra.databases import database_url, drop_databases
from shared.infra.processes import service_ports
from shared.messaging import SERVICES
from shared.ops.generate import plan_year
from shared.ops.rebuild import registered
from tests.e2e.test_demo import COMMISSIONING, demo_env
from tests.support.services import TEST_SECRET, free_base_port, token

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@dataclass(frozen=True)
class Demo:
    """The demo left running: its services' URLs, its partnerships, its output so far."""

    urls: dict[str, str]
    north_wales: str
    dorset: str
    output: str
    prefix: str
    database_url: str

    def get(self, service: str, path: str, partnership: str | None = None) -> Any:
        headers = token(partnership, Role.AUDITOR, data.OPCC[0]) if partnership else {}
        answer = httpx.get(f"{self.urls[service]}{path}", headers=headers, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = demo_env(DATABASE_URL=self.database_url, COMMISSIONING_JWT_SECRET=TEST_SECRET)
        return subprocess.run(
            [COMMISSIONING, *args], env=env, capture_output=True, text=True, timeout=60, check=False
        )


@pytest.fixture(scope="module")
def demo(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    logs, tag = tmp_path_factory.mktemp("demo-year"), uuid.uuid4().hex[:8]
    prefix, suffix, base = f"year_{tag}_", f"-{tag}", free_base_port()
    output = logs / "demo.out"
    env = demo_env(
        DATABASE_URL=database_url,
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        COMMISSIONING_JWT_SECRET=TEST_SECRET,
    )
    command = [COMMISSIONING, "demo", "--base-port", str(base), "--database-prefix", prefix]
    command += [f"--partnership-suffix={suffix}", "--log-dir", str(logs)]
    with output.open("w") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 150
        while "press Ctrl-C to stop." not in output.read_text():
            assert process.poll() is None, f"{output.read_text()}\nlogs: {logs}"
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.2)
        urls = {name: f"http://127.0.0.1:{port}" for name, port in service_ports(base).items()}
        yield Demo(
            urls,
            f"north-wales{suffix}",
            f"dorset{suffix}",
            output.read_text(),
            prefix,
            database_url,
        )
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(60) == 0, output.read_text()
        assert output.read_text().rstrip().endswith("stopped cleanly.")
    finally:
        if process.poll() is None:
            process.kill()
        asyncio.run(drop_databases(database_url, [f"{prefix}{name}" for name in SERVICES]))


def test_the_story_is_told_in_numbered_steps_with_amounts(demo: Demo) -> None:
    steps = re.findall(r"^ ?(\d+)\. ", demo.output, re.MULTILINE)
    assert [int(n) for n in steps] == list(range(1, len(steps) + 1)) and len(steps) >= 12
    for shown in ("£1,166,000.00", "£814,076.00", "£56,442.00", "£42,000.00", "INELIGIBLE"):
        assert shown in demo.output
    assert f"the transparency portal: {demo.urls['publication']}/" in demo.output
    assert "ledger check" in demo.output and "NOT BALANCED" not in demo.output


def test_the_books_balance_and_no_fund_is_over_committed(demo: Demo) -> None:
    for partnership in (demo.north_wales, demo.dorset):
        check = demo.get("funding", f"/partnerships/{partnership}/ledger/check", partnership)
        assert check["balanced"] and not check["problems"], check
        funds = demo.get("funding", f"/partnerships/{partnership}/funds", partnership)["items"]
        assert funds
        for fund in funds:
            path = f"/partnerships/{partnership}/funds/{fund['fund_id']}/position"
            position = demo.get("funding", path, partnership)
            assert all(Decimal(s["available"]) >= 0 for s in position["scopes"]), position
    names = {
        f["fund_id"]
        for f in demo.get("funding", f"/partnerships/{demo.north_wales}/funds", demo.north_wales)[
            "items"
        ]
    }
    assert set(LEDGER_FUNDS) <= names


def test_the_formal_notice_suspended_payments_and_decommissioning_released_the_rest(
    demo: Demo,
) -> None:
    nw = demo.north_wales
    awards = demo.get("funding", f"/partnerships/{nw}/awards?limit=200", nw)["items"]
    victims = next(a for a in awards if a["title"] == data.VICTIMS_TITLE)
    award = demo.get("funding", f"/partnerships/{nw}/awards/{victims['award_id']}", nw)
    kinds = [e["event_type"] for e in award["events"]]
    assert "PaymentSuspended" in kinds and "CommitmentReleased" in kinds, kinds
    assert kinds.index("PaymentSuspended") < kinds.index("CommitmentReleased")
    assert award["suspended"] is True
    assert Decimal(award["released_to_fund"]) == Decimal("60000.00")
    assert Decimal(award["paid"]) + Decimal(award["released_to_fund"]) == Decimal(
        data.VICTIMS_AMOUNT
    )
    position = demo.get("funding", f"/partnerships/{nw}/funds/{data.MOJ_ID}/position", nw)
    assert Decimal(position["total"]["released"]) == Decimal("60000.00")


def _whole_feed(demo: Demo) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    while True:
        page = demo.get("publication", f"/feed?limit=100&offset={len(entries)}")
        entries += page["items"]
        if len(entries) >= page["total"] or not page["items"]:
            return entries


def test_the_feed_publishes_the_year_and_no_personal_data(demo: Demo) -> None:
    feed = _whole_feed(demo)
    ours = [e for e in feed if e["partnership_id"] in (demo.north_wales, demo.dorset)]
    kinds = {e["entry_type"] for e in ours}
    assert {"grant", "decision", "decommissioning_notice", "contract", "ballot_result"} <= kinds
    text = json.dumps(ours)
    assert not EMAIL.search(text), EMAIL.search(text)
    for user in (*USER_IDS, "u-applicant-", "demo-commissioner"):
        assert user not in text, user
    assert "resident0" not in text


def test_the_open_data_files_validate(demo: Demo, tmp_path: Path) -> None:
    for kind, validator, key in (
        ("360giving", giving360_validator(), "grants"),
        ("ocds", ocds_validator(), "releases"),
    ):
        target = tmp_path / f"{kind}.json"
        done = demo.cli(
            "export", kind, "--output", str(target), "--publication-url", demo.urls["publication"]
        )
        assert done.returncode == 0, done.stderr
        document = json.loads(target.read_text())
        assert document[key] and not problems(validator, document)


def test_every_hash_chain_is_intact(demo: Demo) -> None:
    verified = demo.cli("verify-chain", "--all", "--database-prefix", demo.prefix)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    for name in SERVICES:
        assert re.search(
            rf"^{name}: hash chain intact over [1-9]\d* events", verified.stdout, re.MULTILINE
        ), verified.stdout
    unknown = demo.cli("rebuild", "no_such_projection")
    assert unknown.returncode == 2 and "funding_ledger" in unknown.stderr, unknown.stderr


def test_generate_takes_seeded_applications_through_to_awards_plans_and_returns(
    demo: Demo,
) -> None:
    urls = [f"--{n}-url={demo.urls[n]}" for n in ("applications", "funding", "monitoring")]
    made = demo.cli("generate", "--partnerships=1", "--applications=12", "--seed=16", *urls)
    assert made.returncode == 0, made.stderr
    # What seed 16 draws (shared.ops.generate.plan_year) is what the services must now hold.
    (plan,) = plan_year(16, 1, 12, date.today())
    approved = [b for b in plan.bids if b.approved]
    ineligible = [b for b in plan.bids if not b.eligible]
    returned = [b for b in approved if b.end < date.today()]
    conflicted = [b for b in plan.bids if b.conflicted and b.eligible]
    assert approved and ineligible and returned and conflicted, "seed 16 should take every path"
    assert (
        f"generated 12 applications in 1 partnership(s): {len(ineligible)} screened ineligible"
        in made.stdout
    ), made.stdout
    assert (
        f"{len(approved)} approved" in made.stdout and f"{len(returned)} KPI returns" in made.stdout
    )
    p = plan.partnership
    listed = demo.get("applications", f"/partnerships/{p}/organisations?limit=200", p)["items"]
    assert sorted(o["organisation_id"] for o in listed if o["kind"] == "charity") == sorted(
        b.org for b in plan.bids
    )
    awards = demo.get("funding", f"/partnerships/{p}/awards?limit=200", p)["items"]
    assert sorted(Decimal(a["amount"]) for a in awards) == sorted(b.amount for b in approved)
    states = demo.get("monitoring", f"/partnerships/{p}/monitoring/services?limit=200", p)
    assert states["total"] == len(approved)
    assert sum(s["returns"] for s in states["items"]) == len(returned)
    assert sum(s["beneficiaries"] for s in states["items"]) == sum(
        b.beneficiaries for b in returned
    )


# The read models the services register as rebuildable today; any registered later is rebuilt
# and compared too (the test iterates `registered()`), this only stops one silently vanishing.
EXPECTED_PROJECTIONS = {
    "applications",
    "funding_directory",
    "funding_ledger",
    "monitoring_services",
    "publication_feed",
}


def _commissioner(demo: Demo, partnership: str) -> dict[str, str]:
    org = data.DORSET_OPCC if partnership == demo.dorset else data.OPCC[0]
    return token(partnership, Role.COMMISSIONER, org)


def _read(demo: Demo, service: str, path: str, partnership: str | None = None) -> Any:
    """One answer of the public API as data (JSON, else text); a status other than 200 too."""
    headers = _commissioner(demo, partnership) if partnership else {}
    answer = httpx.get(f"{demo.urls[service]}{path}", headers=headers, timeout=30)
    if answer.status_code != 200:
        return {"status": answer.status_code}
    kind = answer.headers.get("content-type", "")
    return answer.json() if kind.startswith("application/json") else answer.text


def _all_items(demo: Demo, service: str, path: str, partnership: str | None = None) -> list[Any]:
    items: list[Any] = []
    joiner = "&" if "?" in path else "?"
    while True:
        page = _read(demo, service, f"{path}{joiner}limit=200&offset={len(items)}", partnership)
        assert "items" in page, f"{service} {path}: {page}"
        items += page["items"]
        if len(items) >= page["total"] or not page["items"]:
            return items


def _answers(demo: Demo) -> dict[str, Any]:
    """What auditors and the public read after the year, every projection-backed view of it."""
    seen: dict[str, Any] = {
        "feed": _all_items(demo, "publication", "/feed"),
        "360giving": _read(demo, "publication", "/360giving.json"),
        "ocds": _read(demo, "publication", "/ocds.json"),
    }
    for p in (demo.north_wales, demo.dorset):
        base = f"/partnerships/{p}"
        seen[f"{p} ledger check"] = _read(demo, "funding", f"{base}/ledger/check", p)
        funds = _all_items(demo, "funding", f"{base}/funds", p)
        seen[f"{p} funds"] = funds
        for fund in funds:
            at = f"{base}/funds/{fund['fund_id']}"
            seen[f"{p} {fund['fund_id']} position"] = _read(demo, "funding", f"{at}/position", p)
            seen[f"{p} {fund['fund_id']} journal"] = _all_items(demo, "funding", f"{at}/journal", p)
        awards = _all_items(demo, "funding", f"{base}/awards", p)
        seen[f"{p} awards"] = awards
        rounds = set()
        for award in awards:  # an approval's award is award-<application id>
            application = award["award_id"].removeprefix("award-")
            found = _read(demo, "applications", f"{base}/applications/{application}", p)
            seen[f"{p} application {application}"] = found
            if "round_id" in found:  # else a direct award in funding: no application (404)
                rounds.add(found["round_id"])
        for round_id in sorted(rounds):
            seen[f"{p} round {round_id}"] = _all_items(
                demo, "applications", f"{base}/rounds/{round_id}/applications", p
            )
            seen[f"{p} ranking {round_id}"] = _read(
                demo, "applications", f"{base}/rounds/{round_id}/ranking", p
            )
        seen[f"{p} organisations"] = _all_items(demo, "applications", f"{base}/organisations", p)
        seen[f"{p} services"] = _all_items(demo, "monitoring", f"{base}/services", p)
        states = _all_items(demo, "monitoring", f"{base}/monitoring/services", p)
        seen[f"{p} monitoring"] = states
        for state in states:
            path = f"{base}/monitoring/services/{state['service_id']}"
            seen[f"{p} dashboard {state['service_id']}"] = _read(demo, "monitoring", path, p)
        for by in ("fund", "mechanism"):
            path = f"{base}/monitoring/totals?by={by}"
            seen[f"{p} totals by {by}"] = _read(demo, "monitoring", path, p)
    return seen


def _settled(demo: Demo, timeout: float = 60.0) -> dict[str, Any]:
    """The answers once two readings in a row agree (Kafka deliveries may still be landing)."""
    deadline, last = time.monotonic() + timeout, _answers(demo)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = _answers(demo)
        if now == last:
            return now
        last = now
    raise AssertionError("the public answers kept changing for a minute")


def test_rebuilding_every_projection_from_event_0_gives_the_same_answers(demo: Demo) -> None:
    found = registered()
    assert set(found) >= EXPECTED_PROJECTIONS, sorted(found)
    before = _settled(demo)
    assert before["feed"] and before[f"{demo.north_wales} ledger check"]["balanced"]
    rounds = [
        k for k in before if k.startswith((f"{demo.dorset} round ", f"{demo.north_wales} round "))
    ]
    assert len(rounds) == 2 and all(before[k] for k in rounds), rounds
    assert any(k.startswith(f"{demo.north_wales} dashboard ") for k in before)
    for name, projection in sorted(found.items()):
        database = database_url(demo.database_url, f"{demo.prefix}{projection.service}")
        rebuilt = demo.cli("rebuild", name, "--no-progress", "--database-url", database)
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        assert re.search(rf"rebuilt {name} from [1-9]\d* events", rebuilt.stdout), rebuilt.stdout
    after = _answers(demo)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"different after the rebuild: {changed}"
