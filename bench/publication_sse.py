"""Publication's live stream: append-to-visible latency, and subscribers one process serves.

`python -m bench.publication_sse [--rate 50] [--seconds 10] [--max-subscribers 1600]`

Starts PostgreSQL and a Kafka-protocol broker (embedded unless DATABASE_URL and
KAFKA_BOOTSTRAP_SERVERS are set) and the publication service as one process, then plays the
funding service: puts `GrantAwarded` events on `commissioning.funding.v1` at a steady rate, as
funding's outbox relay would, and times each until SSE subscribers see its entry.

1. Latency: one subscriber, p50/p99 from the event reaching Kafka to its entry arriving.
2. Fan-out: 25, 50, 100, ... subscribers at once under the same load, until p99 delivery is 1 s
   or more (or --max-subscribers); reports the largest count that stayed under a second.
Clients read the raw stream over plain sockets (HTTP/1.0, no chunking) so the client side costs
little beside the server on the same two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer

from shared.contracts.funding import GrantAwarded, Mechanism
from shared.eventstore.envelope import Actor, seal
from shared.infra.databases import create_databases, drop_databases
from shared.infra.embedded import EmbeddedBroker, EmbeddedPostgres, free_port
from shared.infra.processes import ServiceProcess, stop_all, wait_until_healthy
from shared.messaging import ensure_topics, topic_for

TOPIC = topic_for("funding")
PARTNERSHIP = "bench"
OPCC = Actor(organisation_id="GB-PLA-BENCH-OPCC", user_id="bench", role="commissioner")


@contextlib.contextmanager
def servers() -> Iterator[tuple[str, str]]:
    """(database URL, bootstrap servers): from the environment, else embedded and stopped after."""
    with contextlib.ExitStack() as stack:
        database = os.environ.get("DATABASE_URL")
        if not database:
            postgres = EmbeddedPostgres().start()
            stack.callback(postgres.stop)
            database = postgres.url
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            broker = EmbeddedBroker().start()
            stack.callback(broker.stop)
            bootstrap = broker.bootstrap_servers
        yield database, bootstrap


def award(award_id: str) -> bytes:
    """A grant award envelope as funding's relay would put it on the topic."""
    payload = GrantAwarded(
        award_id=award_id,
        application_id=None,
        fund_id="bench-fund",
        pot_id=None,
        mechanism=Mechanism.GRANT,
        title=f"Bench award {award_id}",
        description="Benchmark load",
        recipient_organisation_id="GB-CHC-1234567",
        recipient_name="Bench Charity",
        amount=Decimal("1000.00"),
        award_date=date(2026, 4, 1),
        start_date=date(2026, 4, 1),
        end_date=date(2027, 3, 31),
    )
    now = datetime.now(UTC)
    envelope = seal(
        {
            "event_id": uuid.uuid4(),
            "event_type": payload.event_type,
            "schema_version": payload.schema_version,
            "stream_type": "award",
            "stream_id": award_id,
            "stream_version": 1,
            "position": 1,
            "occurred_at": now,
            "recorded_at": now,
            "partnership_id": PARTNERSHIP,
            "actor": OPCC,
            "correlation_id": uuid.uuid4(),
            "causation_id": None,
            "traceparent": None,
            "payload": payload.model_dump(mode="json"),
            "prev_hash": "0" * 64,
        }
    )
    return envelope.to_json().encode()


@dataclass
class Subscriber:
    """One SSE client: when each entry number arrived."""

    arrivals: dict[int, float] = field(default_factory=dict)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, port: int, after: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**20)
        request = f"GET /feed/stream?after={after} HTTP/1.0\r\nHost: bench\r\n\r\n"
        writer.write(request.encode())
        await writer.drain()
        try:
            while line := await reader.readline():
                if line.startswith(b"retry:"):
                    self.ready.set()
                elif line.startswith(b"id: "):
                    self.arrivals[int(line[4:])] = time.perf_counter()
        finally:
            writer.close()


async def head(client: httpx.AsyncClient) -> int:
    page = (await client.get("/feed", params={"limit": 1})).json()
    if not page["total"]:
        return 0
    last = (await client.get("/feed", params={"limit": 1, "offset": page["total"] - 1})).json()
    return int(last["items"][0]["number"])


async def numbers_of(client: httpx.AsyncClient, after: int) -> dict[int, str]:
    """Entry number → award id of every entry after `after` (read back from the JSON feed)."""
    found: dict[int, str] = {}
    offset = 0
    while True:
        page = (await client.get("/feed", params={"limit": 200, "offset": offset})).json()
        for item in page["items"]:
            if item["number"] > after:
                found[item["number"]] = item["data"]["award_id"]
        offset += len(page["items"])
        if offset >= page["total"] or not page["items"]:
            return found


async def round_of_load(
    port: int, bootstrap: str, subscribers: int, rate: float, seconds: float
) -> list[float]:
    """Delivery latencies (seconds) of every entry to every subscriber under one load run."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        start_after = await head(client)
        clients = [Subscriber() for _ in range(subscribers)]
        tasks = [asyncio.create_task(c.run(port, start_after)) for c in clients]
        await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in clients)), 60)
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
        await producer.start()
        sent: dict[str, float] = {}
        try:
            loop = asyncio.get_running_loop()
            begin, count = loop.time(), int(rate * seconds)
            for n in range(count):
                await asyncio.sleep(max(0.0, begin + n / rate - loop.time()))
                award_id = f"bench-{uuid.uuid4().hex[:12]}"
                value = award(award_id)
                await producer.send_and_wait(TOPIC, value, key=award_id.encode())
                sent[award_id] = time.perf_counter()  # on Kafka: what funding's relay reports
        finally:
            await producer.stop()
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            if all(len(c.arrivals) >= len(sent) for c in clients):
                break
            await asyncio.sleep(0.2)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        awards = await numbers_of(client, start_after)
    latencies = []
    for c in clients:
        for number, award_id in awards.items():
            arrived = c.arrivals.get(number)
            latencies.append(arrived - sent[award_id] if arrived is not None else float("inf"))
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(rate: float, seconds: float, max_subscribers: int) -> None:
    with servers() as (database, bootstrap):
        name = f"bench_{uuid.uuid4().hex[:8]}_publication"
        urls = await create_databases(database, [name])
        await ensure_topics(bootstrap, [TOPIC])
        port = free_port()
        log = Path(tempfile.mkdtemp(prefix="bench-publication-")) / "publication.log"
        service = ServiceProcess(
            "publication",
            port,
            {"DATABASE_URL": urls[name], "KAFKA_BOOTSTRAP_SERVERS": bootstrap},
            log,
        ).start()
        try:
            wait_until_healthy([service], timeout=60)
            await round_of_load(port, bootstrap, 1, 5, 1)  # warm-up: consumer joined, caches
            single = await round_of_load(port, bootstrap, 1, rate, seconds)
            print(
                f"append-to-visible, 1 subscriber, {rate:g} awards/s for {seconds:g} s: "
                f"p50 {percentile(single, 0.5) * 1000:.1f} ms, "
                f"p99 {percentile(single, 0.99) * 1000:.1f} ms ({len(single)} entries)"
            )
            best, subscribers = 0, 25
            while subscribers <= max_subscribers:
                latencies = await round_of_load(port, bootstrap, subscribers, rate, seconds)
                p99 = percentile(latencies, 0.99)
                p50 = percentile(latencies, 0.5)
                print(
                    f"{subscribers:5d} subscribers: "
                    f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
                )
                if p99 >= 1.0:
                    break
                best, subscribers = subscribers, subscribers * 2
            print(f"subscribers served with p99 delivery under 1 s: {best} (log: {log})")
        finally:
            stop_all([service])
            await drop_databases(database, [name])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="awards per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load run")
    parser.add_argument("--max-subscribers", type=int, default=1600)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rate, arguments.seconds, arguments.max_subscribers))
