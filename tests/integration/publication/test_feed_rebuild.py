"""The feed is causal across topics and its read models rebuild from publication's store alone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.publication import giving360, ocds
from services.publication.projections import FEED_STREAM, HOLD_STREAM
from services.publication.queries import FeedFilter, all_entries
from services.publication.register import fold
from services.publication.tables import FeedTables
from shared.contracts.applications import BallotClosed, Tally
from shared.contracts.funding import BudgetAllocated, FundEstablished, FundSource, PaymentReleased
from shared.contracts.monitoring import KPIReturnAmended
from shared.contracts.publication import EntryType, FeedEntryPublished
from shared.eventstore.envelope import Envelope
from shared.eventstore.store import EventStore
from shared.projection import ProjectionRunner
from shared.sources import StoreSource
from tests.integration.publication.support import consumer
from tests.unit.publication.builders import (
    approval,
    contract,
    decommissioned,
    envelope,
    grant,
    kpi_return,
    pooled_grant,
)

FUND = "safer-dorset-2019-20"


def day(month: int, dom: int, year: int = 2019) -> datetime:
    return datetime(year, month, dom, 10, tzinfo=UTC)


def paid(award_id: str, instalment: int, on: date) -> PaymentReleased:
    return PaymentReleased(
        fund_id=FUND,
        award_id=award_id,
        instalment=instalment,
        amount=Decimal("1250.00"),
        released_on=on,
    )


def amended(award_id: str) -> KPIReturnAmended:
    first = kpi_return(award_id, {"gender": {"female": 14, "male": 11}})
    return KPIReturnAmended(
        **first.model_dump(exclude={"submitted_on", "beneficiaries", "breakdowns"}),
        beneficiaries=27,
        breakdowns={"gender": {"female": 15, "male": 12}},
        reason="two clients missed",
        amendment=1,
        amended_on=date(2019, 10, 20),
    )


def a_year_out_of_order() -> list[list[Envelope]]:
    """Batches as the consumer might get them: monitoring and payments often ahead of funding."""
    fund = FundEstablished(
        fund_id=FUND,
        name="Community Safety Fund",
        financial_year="2019/20",
        source=FundSource.HOME_OFFICE,
    )
    ballot = BallotClosed(
        round_id="ycyc-2019",
        tallies=(Tally(application_id="app-7", votes=312), Tally(application_id="app-8", votes=97)),
        winners=("app-7",),
        allocated=Decimal("3000.00"),
        decision_reference="YCYC vote 2019",
    )
    return [
        [
            envelope(fund, day(4, 1)),
            envelope(
                BudgetAllocated(fund_id=FUND, amount=Decimal("42000.00"), reference="HO-1"),
                day(4, 2),
            ),
        ],
        # Monitoring's return for a1 and funding's first payment overtake the award itself.
        [envelope(kpi_return("a1", {"gender": {"female": 14, "male": 11}}), day(10, 5))],
        [
            envelope(paid("a1", 1, date(2019, 7, 1)), day(7, 1)),
            envelope(approval("app-1", "minutes item 4"), day(6, 1)),
        ],
        [envelope(grant("a1"), day(6, 1)), envelope(pooled_grant("a2"), day(6, 3))],
        [
            envelope(decommissioned("c1"), day(3, 1, 2020)),
            envelope(approval("app-2", "board 2019/7"), day(6, 20)),
        ],
        [envelope(contract("c1"), day(6, 15)), envelope(ballot, day(7, 10))],
        [
            envelope(amended("a1"), day(10, 20)),
            envelope(paid("a1", 2, date(2019, 10, 1)), day(10, 1)),
        ],
        # A payment of an award funding has not published yet: still held when we rebuild.
        [envelope(paid("a9", 1, date(2019, 11, 1)), day(11, 1))],
    ]


async def dump(engine: AsyncEngine, tables: FeedTables) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every feed table, in key order."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as conn:
        for table in (tables.entries, tables.subjects, tables.decision_counters, tables.held):
            keys = list(table.primary_key.columns)
            rows = await conn.execute(select(table).order_by(*keys))
            found[table.name] = [tuple(row) for row in rows]
    return found


async def answers(engine: AsyncEngine, tables: FeedTables) -> dict[str, Any]:
    """What the public endpoints answer as of a few dates: entries, 360Giving and OCDS."""
    found: dict[str, Any] = {}
    published = datetime(2020, 4, 1, tzinfo=UTC)
    async with engine.connect() as conn:
        for as_of in (date(2019, 6, 2), date(2019, 7, 31), date(2020, 4, 1), None):
            entries = await all_entries(conn, tables, FeedFilter(as_of=as_of))
            register = fold(entries)
            found[str(as_of)] = (
                [e.model_dump(mode="json") for e in entries],
                giving360.package(register, "jcp", published) if register.grants() else None,
                ocds.release_package(register, "jcp", "u", published)
                if register.contracts()
                else None,
            )
    return found


async def entries(engine: AsyncEngine, tables: FeedTables) -> list[FeedEntryPublished]:
    async with engine.connect() as conn:
        return await all_entries(conn, tables, FeedFilter())


async def test_news_delivered_before_its_award_is_held_then_published_right_after_it(
    engine: AsyncEngine, schema: str, tables: FeedTables
) -> None:
    publisher = consumer(engine, schema, tables)
    early = [
        envelope(paid("a1", 1, date(2019, 7, 1)), day(7, 1)),
        envelope(decommissioned("a1"), day(8, 1)),
    ]
    for event in early:  # separate deliveries: the hold must survive between transactions
        await publisher.process([event])
    assert await entries(engine, tables) == []
    await publisher.process([envelope(grant("a2")), envelope(grant("a1"))])
    feed = await entries(engine, tables)
    assert [(e.number, e.entry_type, e.subject) for e in feed] == [
        (1, EntryType.GRANT, "award:a2"),
        (2, EntryType.GRANT, "award:a1"),
        (3, EntryType.PAYMENT, "payment:a1:1"),
        (4, EntryType.DECISION, "decision:decommission:svc-1"),
        (5, EntryType.DECOMMISSIONING_NOTICE, "decommissioning:svc-1"),
    ]
    assert [e.refers_to for e in feed[2:]] == [2, 2, 2]
    assert [e.source_event_id for e in feed[2:]] == [early[0].event_id, *[early[1].event_id] * 2]
    store = EventStore(schema)
    async with engine.connect() as conn:
        holds = await store.read_stream(conn, HOLD_STREAM)
        published = await store.read_stream(conn, FEED_STREAM)
        assert (await store.verify_chain(conn)).intact
        assert (await conn.execute(select(tables.held))).all() == []
    assert [h.event_type for h in holds] == [
        "FeedEntryHeld",
        "FeedEntryHeld",
        "FeedEntryHeld",
        "HeldEntriesReleased",
    ]
    assert holds[-1].payload == {"holds": [1, 2, 3], "referent": 2}
    assert holds[0].causation_id == early[0].event_id  # why the entry waited is auditable
    assert published[2].causation_id == early[0].event_id
    # The same facts again (a producer retrying under new ids) change nothing.
    await publisher.process([envelope(paid("a1", 1, date(2019, 7, 1)), day(7, 1))])
    assert len(await entries(engine, tables)) == 5


async def test_the_feed_rebuilt_from_event_zero_is_the_feed_kept_live(
    engine: AsyncEngine, schema: str, tables: FeedTables, runner: ProjectionRunner
) -> None:
    publisher = consumer(engine, schema, tables)
    year = a_year_out_of_order()
    for batch in year:
        await publisher.process(batch)
    live = await dump(engine, tables)
    before = await answers(engine, tables)
    assert len(live["feed_entries"]) == 14 and len(live["held_entries"]) == 1
    assert live["decision_counters"] == [("dorset", 2019, 3)]  # two approvals and the ballot
    feed = await entries(engine, tables)
    outcome = next(e for e in feed if e.entry_type is EntryType.OUTCOME)
    assert outcome.refers_to == next(e.number for e in feed if e.subject == "award:a1")

    report = await runner.rebuild(StoreSource(engine, EventStore(schema)), batch=5, progress=False)

    assert report.events == 14 + 5 + 2  # the entries, five holds, releases by a1 and by c1
    assert await dump(engine, tables) == live
    assert await answers(engine, tables) == before
    # The rebuilt state carries on: the year delivered again is known (the same events, and
    # the latest facts under new ids, a correction among them); the held payment is released
    # by its award; and the next decision publication numbers follows the last one it gave.
    for batch in year:
        await publisher.process(batch)
    await publisher.process([envelope(amended("a1"), day(10, 20)), envelope(grant("a1"))])
    assert len(await entries(engine, tables)) == 14
    await publisher.process(
        [envelope(grant("a9"), day(11, 2)), envelope(approval("app-3", "minute 9"), day(11, 3))]
    )
    after = await entries(engine, tables)
    assert [(e.number, e.entry_type, e.refers_to) for e in after[14:]] == [
        (15, EntryType.GRANT, None),
        (16, EntryType.PAYMENT, 15),
        (17, EntryType.DECISION, None),
    ]
    assert after[16].decision_number == "DORSET-2019-004"
    async with engine.connect() as conn:
        assert (await conn.execute(select(tables.held))).all() == []


async def test_a_new_empty_view_is_filled_from_the_store_before_anything_is_decided(
    engine: AsyncEngine, schema: str, tables: FeedTables, runner: ProjectionRunner
) -> None:
    publisher = consumer(engine, schema, tables)
    year = a_year_out_of_order()
    for batch in year:
        await publisher.process(batch)
    live = await dump(engine, tables)
    # An installation upgraded from the tables in the service schema: the view starts empty.
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA {runner.schema} CASCADE"))
    await runner.prepare()
    assert (await dump(engine, tables))["feed_entries"] == []
    # The service starts: its inline projections catch up with the store (shared.runtime), so
    # the next delivery (a fact the feed has, under a new id) is recognised rather than
    # published again, and the held payment still waits.
    await runner.catch_up(EventStore(schema))
    await publisher.process([envelope(grant("a1"), day(6, 1))])
    assert await dump(engine, tables) == live
    await publisher.process([envelope(grant("a9"), day(11, 2))])
    after = await entries(engine, tables)
    assert [(e.number, e.entry_type, e.refers_to) for e in after[14:]] == [
        (15, EntryType.GRANT, None),
        (16, EntryType.PAYMENT, 15),
    ]
