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


def test_every_hash_chain_is_intact_and_the_ledger_rebuilds(demo: Demo) -> None:
    verified = demo.cli("verify-chain", "--all", "--database-prefix", demo.prefix)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    for name in SERVICES:
        assert re.search(
            rf"^{name}: hash chain intact over [1-9]\d* events", verified.stdout, re.MULTILINE
        ), verified.stdout
    funding_db = f"{demo.prefix}funding"
    rebuilt = demo.cli(
        "rebuild",
        "funding_ledger",
        "--no-progress",
        "--database-url",
        database_url(demo.database_url, funding_db),
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert re.search(r"rebuilt funding_ledger from [1-9]\d* events", rebuilt.stdout)
    check = demo.get("funding", f"/partnerships/{demo.north_wales}/ledger/check", demo.north_wales)
    assert check["balanced"], check
    unknown = demo.cli("rebuild", "feed")
    assert unknown.returncode == 2 and "publication" in unknown.stderr


def test_generate_drives_the_applications_api_deterministically(demo: Demo) -> None:
    made = demo.cli(
        "generate",
        "--partnerships",
        "1",
        "--applications",
        "4",
        "--seed",
        "11",
        "--applications-url",
        demo.urls["applications"],
    )
    assert made.returncode == 0, made.stderr
    assert "generated 4 applications in 1 partnership(s)" in made.stdout
    listing = demo.get("applications", "/partnerships/gen-11-1/organisations", "gen-11-1")
    assert listing["total"] == 4
