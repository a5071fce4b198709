"""The whole platform under the generator: `python -m bench.platform [--partnerships N] ...`.

Starts the four services as processes (as `make demo` does) on DATABASE_URL /
KAFKA_BOOTSTRAP_SERVERS or embedded servers, runs the synthetic volume generator
(shared.ops.generate) for N partnerships x M applications through the public HTTP APIs, and
reports:

- applications per second end to end: from registration to award, plan and return;
- approve -> award latency: the approval answered until funding shows the award (it crosses
  Kafka from applications to funding), median and 95th percentile;
- for every registered projection (`shared.ops.rebuild.registered()`), the rebuild rate from
  event 0 of its service's generated history, beside a raw baseline in the same process: plain
  asyncpg paging through the same events in the same batches and decoding their payloads, the
  floor any rebuild of that store pays (the projection's own writes come on top).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from bench.context import Context
from bench.report import Result, markdown_table, print_result
from bench.servers import Servers, engine_for, servers
from shared.auth import AuthSettings
from shared.eventstore.store import EventStore
from shared.infra.databases import create_databases, drop_databases
from shared.infra.processes import (
    ServiceProcess,
    ServiceStartError,
    busy_ports,
    service_ports,
    stop_all,
    wait_until_healthy,
)
from shared.messaging import SERVICES
from shared.ops.generate import Generated, generate
from shared.ops.rebuild import registered
from shared.projection import ProjectionRunner
from shared.sources import StoreSource

BATCH = 2000  # ProjectionRunner.rebuild's default page
START_ATTEMPTS = 3


def free_base_port() -> int:
    """The first of four consecutive ports nothing listens on."""
    for _ in range(200):
        base = random.randrange(20_000, 60_000)
        if not busy_ports({str(port): port for port in range(base, base + len(SERVICES))}):
            return base
    raise RuntimeError("no four consecutive free ports found")


@contextmanager
def platform(where: Servers, log_dir: Path) -> Iterator[dict[str, str]]:
    """The four services on fresh databases; their URLs by name. Stopped and dropped after."""
    prefix = f"benchp_{uuid.uuid4().hex[:8]}_"
    names = {name: f"{prefix}{name}" for name in SERVICES}
    urls = asyncio.run(create_databases(where.database_url, names.values()))
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": where.bootstrap_servers,
        "COMMISSIONING_JWT_SECRET": AuthSettings().jwt_secret,
        # A run of its own on a shared broker: its own consumer groups (ADR 0060).
        "CONSUMER_GROUP_PREFIX": prefix,
    }
    services: list[ServiceProcess] = []
    try:
        for attempt in range(START_ATTEMPTS):
            services = [
                ServiceProcess(
                    name, port, {**env, "DATABASE_URL": urls[names[name]]}, log_dir / f"{name}.log"
                ).start()
                for name, port in service_ports(free_base_port()).items()
            ]
            try:
                wait_until_healthy(services)
                break
            except ServiceStartError:
                # Another process may take a port between the check and the bind: try others.
                stop_all(services)
                if attempt == START_ATTEMPTS - 1:
                    raise
        yield {s.name: s.url for s in services} | {
            f"db:{s.name}": urls[names[s.name]] for s in services
        }
    finally:
        stop_all(services)
        asyncio.run(drop_databases(where.database_url, names.values()))


def generation_results(made: Generated) -> list[Result]:
    """Applications per second and the approve -> award latency: figures of the whole platform,
    which no raw baseline does the same work as."""
    rate = made.applications / made.seconds if made.seconds else 0.0
    results = [
        Result(
            f"generator end to end ({made.applications} applications)",
            rate,
            0.0,
            unit="app/s",
        )
    ]
    if made.award_latencies:
        ms = sorted(1000 * s for s in made.award_latencies)
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        median = statistics.median(ms)
        results.append(
            Result(f"approve -> award latency p50 (p95 {p95:,.0f} ms)", median, 0.0, unit="ms")
        )
    return results


async def raw_read(url: str, schema: str) -> tuple[float, int]:
    """Page through a store's events with plain asyncpg and decode them; events/s, events."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.set_type_codec(
            "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )
        read = f"SELECT * FROM {schema}.events WHERE position > $1 ORDER BY position LIMIT {BATCH}"
        started, after, count = time.perf_counter(), 0, 0
        while page := await conn.fetch(read, after):
            after, count = page[-1]["position"], count + len(page)
        return count / (time.perf_counter() - started), count
    finally:
        await conn.close()


async def rebuild_results(urls: dict[str, str]) -> list[Result]:
    """Every registered projection rebuilt from event 0, beside the raw read of its store."""
    results = []
    for name, found in sorted(registered().items()):
        url = urls[f"db:{found.service}"]
        raw_rate, raw_events = await raw_read(url, found.service)
        async with engine_for(url, pool_size=2) as engine:  # connected before the clock starts
            runner = ProjectionRunner(found.spec.projection, engine)
            source = StoreSource(engine, EventStore(found.service))
            started = time.perf_counter()
            report = await runner.rebuild(source, batch=BATCH, progress=False)
            rate = report.events / (time.perf_counter() - started)
        assert report.events == raw_events, f"{name}: {report.events} != {raw_events} events"
        results.append(
            Result(
                f"rebuild {name} ({report.events:,} {found.service} events)",
                rate,
                raw_rate,
                note="baseline: raw read of the same events",
            )
        )
    return results


def measure(
    where: Servers, partnerships: int, applications: int, seed: int, workers: int
) -> list[Result]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-platform-") as logs,
        platform(where, Path(logs)) as urls,
    ):
        made = generate(
            {k: v for k, v in urls.items() if not k.startswith("db:")},
            AuthSettings().jwt_secret,
            partnerships,
            applications,
            seed,
            workers=workers,
        )
        print(f"  generated {made.describe()}", flush=True)
        results = generation_results(made)
        for result in results:
            print_result(result)
        for result in asyncio.run(rebuild_results(urls)):
            print_result(result)
            results.append(result)
    return results


async def run(ctx: Context) -> list[Result]:
    """`python -m bench --only platform`: 2 partnerships x events/2000 (10 to 50) applications."""
    partnerships, per = 2, max(10, min(50, ctx.events // 2000))
    return await asyncio.to_thread(measure, ctx.servers, partnerships, per, 1, 8)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.platform", description=__doc__)
    parser.add_argument("--partnerships", type=int, default=4)
    parser.add_argument("--applications", type=int, default=50, help="per partnership")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=8, help="threads making requests")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.WARNING)
    with servers() as where:
        print(
            f"{where.describe()}; {os.cpu_count()} cores; {args.partnerships} partnerships x "
            f"{args.applications} applications, seed {args.seed}, {args.workers} workers",
            flush=True,
        )
        results = measure(where, args.partnerships, args.applications, args.seed, args.workers)
    print()
    print(markdown_table(results))
    print("\nratio: ours / baseline, so higher is better")
    return 0


if __name__ == "__main__":
    sys.exit(main())
