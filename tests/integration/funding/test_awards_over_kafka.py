"""From an approved application on Kafka to GrantAwarded in the store and an entry in the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from sqlalchemy.ext.asyncio import AsyncEngine

from services.funding.books import contributor_positions, positions
from services.funding.handlers import existing, load_fund
from services.funding.ledger import SCHEMA, FundingLedger, ledger_lines
from services.funding.reactions import award_id_for, on_application_approved
from shared.consumer import EventConsumer
from shared.contracts.funding import AwardBlocked, GrantAwarded
from shared.eventstore.envelope import NewEvent
from shared.eventstore.store import EventStore
from shared.messaging import dead_letter_topic, ensure_topics, make_broker
from shared.projection import ProjectionRunner
from tests.integration.funding.support import (
    COMMISSIONER,
    NOW,
    STORE,
    approval,
    new_fund,
    new_pool,
    prepare,
    rebuilt_ledger,
)
from tests.support.flow import eventually, processed, publish_all


async def test_an_approved_application_becomes_a_grant_and_a_ledger_entry_through_kafka(
    engine: AsyncEngine, schema: str, kafka_bootstrap: str, topic: str
) -> None:
    await prepare(engine)
    fund_id = await new_fund(engine, "nw", budget="6000.00")
    pool_id = await new_pool(engine, "nw", {"GB-LAE-CONWY": "3000.00", "GB-NHS-7A1": "1000.00"})
    granted, blocked = approval(fund_id, "5000.00"), approval(fund_id, "1000.01")
    pooled = approval(pool_id, "2000.00")
    applications = EventStore(schema)  # stands in for the applications service's store
    async with engine.begin() as conn:
        for n, approved in enumerate((granted, blocked, pooled)):
            event = NewEvent(
                payload=approved, partnership_id="nw", actor=COMMISSIONER, occurred_at=NOW
            )
            await applications.append(conn, "application", f"app-{n}", [event], 0)
    funding_topic = f"{topic}.funding"
    await ensure_topics(
        kafka_bootstrap,
        [topic, dead_letter_topic(topic), funding_topic, dead_letter_topic(funding_topic)],
    )
    await publish_all(engine, applications, kafka_bootstrap, topic)

    broker = make_broker(kafka_bootstrap)
    approvals = EventConsumer(
        f"funding.approvals.{schema}", engine, "funding", on_application_approved, broker
    )
    await approvals.prepare()
    approvals.subscribe(topic)
    runner = ProjectionRunner(FundingLedger(), engine)
    await runner.prepare()
    ledger = runner.consumer(broker)
    ledger.subscribe(funding_topic, group_id=f"ledger-{schema}")
    await broker.start()
    try:
        await eventually(lambda: processed(approvals, 3))
        async with engine.connect() as conn:
            stream = await STORE.read_stream(conn, fund_id)
            fund = existing(await load_fund(conn, STORE, "nw", fund_id), fund_id)
        made = [e for e in stream if e.event_type in ("GrantAwarded", "AwardBlocked")]
        award, refusal = (cast(GrantAwarded, made[0].event()), cast(AwardBlocked, made[1].event()))
        assert award.award_id == award_id_for(granted.application_id)
        assert (award.amount, len(award.payment_schedule)) == (Decimal("5000.00"), 4)
        assert made[0].causation_id is not None and made[0].actor.role == "system"
        assert refusal.application_id == blocked.application_id
        assert refusal.available == Decimal("1000.00")
        assert "has £1,000.00 available, the award needs £1,000.01" in refusal.reason
        assert fund.available == Decimal("1000.00")

        await publish_all(engine, STORE, kafka_bootstrap, funding_topic)

        async def posted() -> bool:
            async with engine.connect() as conn:
                books = await conn.execution_options(schema_translate_map={None: SCHEMA})
                lines = await ledger_lines(books, fund_id) + await ledger_lines(books, pool_id)
            return {(x.fund_id, x.award_id) for x in lines if x.kind == "commitment"} == {
                (fund_id, award.award_id),
                (pool_id, award_id_for(pooled.application_id)),
            }

        await eventually(posted)
    finally:
        await broker.stop()
    async with engine.connect() as conn:
        books = await conn.execution_options(schema_translate_map={None: SCHEMA})
        live = positions(await ledger_lines(books, fund_id))
        partners = contributor_positions(await ledger_lines(books, pool_id))
    assert live[fund_id, "general"].committed == Decimal("5000.00")
    # The pooled award is the partners' money, 3:1 as they paid in.
    assert {who: p.committed for (_f, _s, who), p in partners.items()} == {
        "GB-LAE-CONWY": Decimal("1500.00"),
        "GB-NHS-7A1": Decimal("500.00"),
    }
    report = await rebuilt_ledger(engine)
    assert report.balanced, report.problems
    async with engine.connect() as conn:
        books = await conn.execution_options(schema_translate_map={None: SCHEMA})
        assert positions(await ledger_lines(books, fund_id)) == live  # rebuilt from event 0
