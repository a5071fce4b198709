"""The event store against a real PostgreSQL: concurrency, reads, ordering and the hash chain."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.eventstore.store import ConcurrencyError, EventStore
from tests.support.events import new_event


async def test_append_then_read_stream_returns_the_events_in_order(
    engine: AsyncEngine, schema: str
) -> None:
    store = EventStore(schema)
    async with engine.begin() as conn:
        await store.append(conn, "award", "award-1", [new_event("a1"), new_event("a2")], 0)
    async with engine.begin() as conn:
        await store.append(conn, "award", "award-1", [new_event("a3")], 2)
        stream = await store.read_stream(conn, "award-1")
    assert [e.stream_version for e in stream] == [1, 2, 3]
    assert [e.event().award_id for e in stream] == ["a1", "a2", "a3"]  # type: ignore[attr-defined]
    assert stream[0].event_type == "GrantAwarded"


async def test_append_with_a_stale_expected_version_is_refused_and_writes_nothing(
    engine: AsyncEngine, schema: str
) -> None:
    store = EventStore(schema)
    async with engine.begin() as conn:
        await store.append(conn, "award", "award-1", [new_event("a1")], 0)
    with pytest.raises(ConcurrencyError, match="is at version 1, but the command expected 0"):
        async with engine.begin() as conn:
            await store.append(conn, "award", "award-1", [new_event("a2")], 0)
    async with engine.connect() as conn:
        assert len(await store.read_stream(conn, "award-1")) == 1
        assert await conn.scalar(text(f"SELECT count(*) FROM {schema}.outbox")) == 1


async def test_concurrent_writers_to_one_stream_exactly_one_wins(
    engine: AsyncEngine, schema: str
) -> None:
    store = EventStore(schema)

    async def write(n: int) -> bool:
        try:
            async with engine.begin() as conn:
                await store.append(conn, "award", "award-x", [new_event(f"w{n}")], 0)
            return True
        except ConcurrencyError:
            return False

    outcomes = await asyncio.gather(*(write(n) for n in range(8)))
    assert outcomes.count(True) == 1


async def test_rolled_back_append_leaves_no_event_and_no_outbox_row(
    engine: AsyncEngine, schema: str
) -> None:
    store = EventStore(schema)
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await store.append(conn, "award", "award-1", [new_event("a1")], 0)
            raise RuntimeError("the state change failed after the append")
    async with engine.connect() as conn:
        assert await store.head_position(conn) == 0
        assert await conn.scalar(text(f"SELECT count(*) FROM {schema}.outbox")) == 0


async def test_tailing_reader_sees_every_event_once_in_order_while_4_writers_append_20000(
    engine: AsyncEngine, schema: str
) -> None:
    store = EventStore(schema)
    writers, per_writer, per_txn = 4, 5000, 5
    done = asyncio.Event()

    async def write(writer: int) -> None:
        for start in range(0, per_writer, per_txn):
            batch = [new_event(f"w{writer}-{n}") for n in range(start, start + per_txn)]
            async with engine.begin() as conn:
                await store.append(conn, "award", f"award-{writer}", batch, None)
                # Hold the transaction open a moment after appending: a late commit.
                await asyncio.sleep(0)

    async def tail() -> list[int]:
        seen: list[int] = []
        after = 0
        while True:
            finished = done.is_set()
            async with engine.connect() as conn:
                page = await store.read_all(conn, after, 2000)
            seen.extend(e.position for e in page)
            if page:
                after = page[-1].position
            elif finished:
                return seen
            else:
                await asyncio.sleep(0.001)

    reader = asyncio.create_task(tail())
    await asyncio.gather(*(write(w) for w in range(writers)))
    done.set()
    seen = await reader
    assert len(seen) == writers * per_writer
    assert seen == list(range(1, writers * per_writer + 1))  # once each, in position order


async def test_verify_chain_passes_on_untouched_history(engine: AsyncEngine, schema: str) -> None:
    store = EventStore(schema)
    for n in range(5):
        async with engine.begin() as conn:
            await store.append(conn, "award", f"award-{n}", [new_event(f"a{n}")], 0)
    async with engine.connect() as conn:
        report = await store.verify_chain(conn)
    assert report.intact and report.checked == 5


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (
            "UPDATE {s}.events SET payload = jsonb_set(payload, '{{amount}}', '\"2999.00\"') "
            "WHERE position = 3",
            "position 3 (GrantAwarded) was altered",
        ),
        ("DELETE FROM {s}.events WHERE position = 2", "position 2 is missing"),
        (
            "UPDATE {s}.events SET occurred_at = occurred_at - interval '1 day' WHERE position = 4",
            "position 4 (GrantAwarded) was altered",
        ),
    ],
)
async def test_verify_chain_names_the_altered_or_deleted_event(
    engine: AsyncEngine, schema: str, tamper: str, problem: str
) -> None:
    store = EventStore(schema)
    for n in range(5):
        async with engine.begin() as conn:
            await store.append(conn, "award", f"award-{n}", [new_event(f"a{n}")], 0)
    async with engine.begin() as conn:
        await conn.execute(text(tamper.format(s=schema)))
    async with engine.connect() as conn:
        report = await store.verify_chain(conn)
    assert not report.intact
    assert report.problem is not None and problem in report.problem


async def test_verify_chain_command_reports_intact_then_broken(
    engine: AsyncEngine, schema: str, database_url: str
) -> None:
    import subprocess
    import sys

    store = EventStore(schema)
    for n in range(3):
        async with engine.begin() as conn:
            await store.append(conn, "award", f"award-{n}", [new_event(f"a{n}")], 0)
    command = [
        sys.executable,
        "-m",
        "shared.cli",
        "verify-chain",
        "--schema",
        schema,
        "--database-url",
        database_url,
    ]
    intact = subprocess.run(command, capture_output=True, text=True, check=False)
    assert intact.returncode == 0, intact.stderr
    assert "hash chain intact over 3 events" in intact.stdout
    async with engine.begin() as conn:
        await conn.execute(
            text(f"UPDATE {schema}.events SET partnership_id = 'x' WHERE position = 2")
        )
    broken = subprocess.run(command, capture_output=True, text=True, check=False)
    assert broken.returncode == 1
    assert "BROKEN after 1 good events: position 2 (GrantAwarded) was altered" in broken.stdout
