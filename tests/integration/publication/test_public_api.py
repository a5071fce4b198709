"""Publication's public API in-process: the history stream, empty files, and a rebuild.

The app runs with its lifespan on a database of its own; facts are handed to the feed consumer
directly (as Kafka would), for a partnership no other test uses.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.publication.main import SPEC
from services.publication.mapping import Policy
from services.publication.projections import FeedPublisher
from services.publication.settings import PublicationSettings
from services.publication.standards import giving360_validator, ocds_validator, problems
from shared.consumer import EventConsumer
from shared.contracts.funding import PaymentReleased
from shared.contracts.monitoring import KPIReturnAmended, KPIReturnSubmitted
from shared.db import make_engine
from shared.eventstore.envelope import Envelope
from shared.ops.rebuild import Registered, rebuild, service_spec
from tests.integration.monitoring.support import databases, running
from tests.unit.publication.builders import contract, decommissioned, envelope, grant, kpi_return

PARTNERSHIP = f"dorset-{uuid.uuid4().hex[:8]}"


def fact(payload: Any, day: date) -> Envelope:
    return envelope(payload, datetime(day.year, day.month, day.day, 12, tzinfo=UTC), PARTNERSHIP)


def story() -> list[Envelope]:
    """A year, delivered with monitoring's and funding's news ahead of the awards."""
    paid = PaymentReleased(
        fund_id="safer-dorset-2019-20",
        award_id="a1",
        instalment=1,
        amount=Decimal("1250.00"),
        released_on=date(2019, 7, 1),
    )
    return [
        fact(kpi_return("a1", {"gender": {"female": 14, "male": 11}}), date(2019, 10, 5)),
        fact(paid, date(2019, 7, 1)),
        fact(grant("a1"), date(2019, 6, 1)),
        fact(decommissioned("c1"), date(2020, 2, 1)),
        fact(contract("c1"), date(2019, 6, 3)),
        fact(grant("a2"), date(2019, 6, 5)),
    ]


class Publication:
    """The running app, a client, and a way to deliver facts to its feed consumer."""

    def __init__(self, client: httpx.AsyncClient, engine: AsyncEngine, url: str) -> None:
        self.client, self.engine, self.url = client, engine, url
        self.consumer = EventConsumer(
            "publication.feed", engine, "publication", FeedPublisher(Policy(10)), None
        )

    async def deliver(self, *events: Envelope) -> None:
        for event in events:  # one delivery each, as they might come off three topics
            await self.consumer.process([event])

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params={"partnership": PARTNERSHIP, **params})


@pytest.fixture
async def publication(database_url: str, kafka_bootstrap: str) -> AsyncIterator[Publication]:
    async with databases(database_url, "publication") as urls:
        settings = PublicationSettings(
            database_url=urls["publication"],
            kafka_bootstrap_servers=kafka_bootstrap,
            consumer_group_prefix=f"it-{uuid.uuid4().hex[:8]}-",
        )
        engine = make_engine(urls["publication"])
        try:
            async with running(SPEC, settings) as client:
                yield Publication(client, engine, urls["publication"])
        finally:
            await engine.dispose()


def sse(text: str) -> list[tuple[str | None, str, dict[str, Any]]]:
    """(id, event, data) of every message of an SSE body."""
    found = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields:
            found.append((fields.get("id"), fields.get("event", ""), json.loads(fields["data"])))
    return found


async def test_the_stream_as_of_a_date_sends_that_history_then_ends(
    publication: Publication,
) -> None:
    await publication.deliver(*story())
    everything = (await publication.get("/feed", limit=100)).json()["items"]
    assert len(everything) == 7
    then = [e for e in everything if e["occurred_at"] < "2019-10-01"]
    answer = await publication.get("/feed/stream", as_of="2019-09-30")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    messages = sse(answer.text)
    *entries, end = messages
    assert [int(i or 0) for i, _, _ in entries] == [e["number"] for e in then]
    assert [d for _, _, d in entries] == then  # the entries as the JSON API has them, in order
    assert end[1] == "end" and end[2] == {"as_of": "2019-09-30", "last": then[-1]["number"]}
    # An EventSource reconnecting mid-history gets the rest; at the end it is told to stop.
    middle = then[1]["number"]
    rest = await publication.client.get(
        "/feed/stream",
        params={"partnership": PARTNERSHIP, "as_of": "2019-09-30"},
        headers={"Last-Event-ID": str(middle)},
    )
    assert [int(i or 0) for i, e, _ in sse(rest.text) if e == "entry"] == [
        e["number"] for e in then[2:]
    ]
    done = await publication.client.get(
        "/feed/stream",
        params={"partnership": PARTNERSHIP, "as_of": "2019-09-30"},
        headers={"Last-Event-ID": end[0] or ""},
    )
    assert done.status_code == 204
    # Filters apply to history too; a day before anything was public is an empty history.
    grants = sse(
        (await publication.get("/feed/stream", as_of="2019-09-30", entry_type="grant")).text
    )
    assert [d["subject"] for _, e, d in grants if e == "entry"] == ["award:a1", "award:a2"]
    before = sse((await publication.get("/feed/stream", as_of="2019-01-01")).text)
    assert before == [("0", "end", {"as_of": "2019-01-01", "last": 0})]


async def test_bad_dates_are_refused_with_a_message(publication: Publication) -> None:
    for path in ("/feed/stream", "/feed", "/360giving.json", "/ocds.json", "/360giving.csv", "/"):
        wrong = await publication.get(path, as_of="2019-13-01")
        assert wrong.status_code == 422, path
        assert "valid date" in wrong.text and "as_of" in wrong.text
        tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
        future = await publication.get(path, as_of=tomorrow)
        assert future.status_code == 422, path
        assert future.json()["detail"].startswith(f"as_of {tomorrow} is in the future")


async def test_with_nothing_published_the_files_are_empty_packages_not_errors(
    publication: Publication,
) -> None:
    giving = await publication.get("/360giving.json")
    assert giving.status_code == 200
    # Both standards ask for at least one item in a package; nothing else may be wrong.
    assert giving.json()["grants"] == []
    assert problems(giving360_validator(), giving.json()) == ["grants: [] should be non-empty"]
    contracts = await publication.get("/ocds.json")
    assert contracts.status_code == 200 and contracts.json()["releases"] == []
    assert problems(ocds_validator(), contracts.json()) == ["releases: [] should be non-empty"]
    table = await publication.get("/360giving.csv")
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    [header] = list(csv.reader(io.StringIO(table.text)))
    assert header[:3] == ["Identifier", "Title", "Description"]
    # Published later, but not yet on that date: empty as of it too.
    await publication.deliver(
        fact(grant("a1"), date(2019, 6, 1)), fact(contract("c1"), date(2019, 6, 3))
    )
    assert len((await publication.get("/360giving.json")).json()["grants"]) == 1
    assert (await publication.get("/360giving.json", as_of="2019-05-31")).json()["grants"] == []
    assert (await publication.get("/ocds.json", as_of="2019-06-02")).json()["releases"] == []
    assert (await publication.get("/360giving.csv", as_of="2019-05-31")).text.count("\n") == 1


async def test_commissioning_rebuild_publication_feed_answers_the_same(
    publication: Publication,
) -> None:
    await publication.deliver(*story())

    async def answers() -> list[Any]:
        found: list[Any] = []
        for as_of in ("2019-06-04", "2019-09-30", None):
            scope = {"as_of": as_of} if as_of else {}
            for path in ("/feed", "/360giving.json", "/ocds.json", "/feed/stream"):
                if path == "/feed/stream" and as_of is None:
                    continue  # the live stream does not end
                answer = await publication.get(path, limit=100, **scope)
                found.append((path, as_of, answer.status_code, answer.text))
        return found

    before = await answers()
    # What `commissioning rebuild publication_feed` finds among publication's projections.
    [spec] = [
        p
        for p in service_spec("publication").projections
        if p.projection.name == "publication_feed"
    ]
    found = Registered("publication", spec)
    report = await rebuild(publication.url, found, progress=False)
    # Our seven entries, four holds and releases by a1 and by c1, beside whatever the app's
    # consumer read of other tests' partnerships from the shared topics meanwhile.
    assert report.events >= 7 + 4 + 2
    assert await answers() == before
    await publication.deliver(fact(grant("a3"), date(2019, 6, 7)))  # and it carries on
    assert (await publication.get("/feed", limit=100)).json()["total"] == 8


def amendment(first: KPIReturnSubmitted, gender: dict[str, int], n: int) -> KPIReturnAmended:
    """The provider's n-th amendment of a return: new gender figures, beneficiaries their sum."""
    return KPIReturnAmended(
        **first.model_dump(exclude={"submitted_on", "beneficiaries", "breakdowns"}),
        beneficiaries=sum(gender.values()),
        breakdowns={"gender": gender},
        reason=f"amendment {n}",
        amendment=n,
        amended_on=date(2019, 10, 20 + n),
    )


async def test_an_amended_return_with_a_small_change_hides_the_change_in_its_correction(
    publication: Publication,
) -> None:
    first = kpi_return("a5", {"gender": {"female": 20, "male": 25, "other": 15}})
    await publication.deliver(fact(grant("a5"), date(2019, 6, 1)), fact(first, date(2019, 10, 5)))
    # Two women added (45 -> 47 beneficiaries), delivered on its own: the publisher reads what
    # the feed already shows for the period from its view, not from memory.
    await publication.deliver(
        fact(amendment(first, {"female": 22, "male": 25, "other": 15}, 1), date(2019, 10, 21))
    )
    # Then a large change of men, and one more woman: 21 against the first entry's 20 is small
    # too, though 22 -> 21 against the latest is what a reader sees beside it.
    await publication.deliver(
        fact(amendment(first, {"female": 21, "male": 40, "other": 15}, 2), date(2019, 10, 22))
    )
    outcomes = (await publication.get("/feed", entry_type="outcome", limit=100)).json()["items"]
    outcome, correction, second = outcomes
    assert outcome["data"]["beneficiaries"] == 60
    assert outcome["data"]["breakdowns"] == {"gender": {"female": 20, "male": 25, "other": 15}}
    assert correction["corrects"] == outcome["number"]
    assert correction["title"].startswith(f"Correction to entry {outcome['number']}: ")
    assert correction["data"]["amendment_reason"] == "amendment 1"
    # Neither 22 - 20 nor 62 - 60 can be read off: female and the total are hidden; male and
    # other, unchanged, stay (with the total hidden, female is not total minus the rest).
    assert correction["data"]["beneficiaries"] is None
    assert correction["data"]["breakdowns"]["gender"]["female"] is None
    assert second["corrects"] == correction["number"]
    # 76 against 60 is a change of 16: shown. Female is hidden (21 against 20), other with it
    # (one hidden cell is total minus the rest); but female and other together went from 35 to
    # 36, which total minus male would give away, so male goes too. Nothing else is derivable.
    assert second["data"]["beneficiaries"] == 76
    assert second["data"]["breakdowns"] == {"gender": {"female": None, "male": None, "other": None}}
    # Delivered again (a relay publishing twice under a new id), the amendment adds nothing.
    await publication.deliver(
        fact(amendment(first, {"female": 21, "male": 40, "other": 15}, 2), date(2019, 10, 22))
    )
    again = (await publication.get("/feed", entry_type="outcome", limit=100)).json()["items"]
    assert again == outcomes
