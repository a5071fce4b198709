"""Every projection rebuilt over a large history: `python -m bench.projections [--events N] ...`.

`bench.platform` rebuilds every registered projection over the few hundred events the generator
makes in a minute, where a rebuild's fixed cost (a fresh schema, the swap) dominates. Here:

1. the real generator runs once, small (1 partnership x 40 applications by default), through the
   four services as `bench.platform` does, and each service's history is read back once it has
   settled (the publication feed follows its topics a little behind the generator);
2. each store's history is *replicated* into a fresh database until it holds at least `--events`
   events (100,000 by default): copy k is the original under other names (`Replicator`), written
   with COPY, copies one after another in the store's order;
3. every registered projection (`shared.ops.rebuild.registered()`) is rebuilt by the real
   `ProjectionRunner` from its service's replicated store, beside a raw baseline in the same
   process (plain asyncpg paging the same events in the same batches and decoding the payloads,
   as `bench.platform` does), and the original history, loaded verbatim into another fresh
   database, is rebuilt too;
4. the rebuild is checked, not only timed: every table of the projection must hold N times the
   rows of the rebuilt original, and every numeric column (amounts, scores, debits, credits)
   N times its total. Anything else fails the run.

How a copy is made (`Replicator`): every id is made unique per copy and every reference to it
follows, by rewriting each event's JSON (payload, stream id, partnership, actor) with one regular
expression:

- UUIDs, with dashes or as 32 hex digits (event, correlation and causation ids; ids the services
  mint such as `app-<hex>`, `round-<hex>` and everything derived from them: `award-app-<hex>`,
  return ids, feed subjects), become `uuid5(copy, uuid)`, the same in both spellings;
- the partnership ids and organisation ids of the history (every `*organisation_id` in payloads
  and actors but `system`) get a `-c<k>` suffix wherever they occur, also inside other strings
  (`scheme:<partnership>:<scheme>`, `dorset-...-fund-<partnership>`, decision references),
  and so does the decision-number prefix publication derives from a partnership id
  (`decision_prefix`), so publication still recognises its own numbers in a copy;
- a stream no id names (publication's one feed stream and its hold stream) is shared by all
  copies: its versions continue from copy to copy, and so do the feed numbers and hold numbers
  the publication events carry (`number`, `corrects`, `refers_to`, `referent`, `hold`, `holds`);
- positions are renumbered (copy k follows copy k-1), and the hash chain is recomputed with the
  store's own `chain_hash` over the rewritten envelope, so the copied store is one
  `EventStore.verify_chain` accepts (checked on 40 copies of a generated history), like one the
  services wrote. A rebuild does not verify the chain; recomputing it costs about a fifth of the
  time spent writing the copies, which is worth a store that is not broken for other uses.

Dates, amounts, scores and texts are left as they are.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import re
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import Numeric, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.context import Context
from bench.events import EVENT_COLUMNS, event_row
from bench.platform import platform, raw_read
from bench.report import Result, markdown_table, print_result
from bench.servers import Servers, engine_for, servers
from services.publication.domain import decision_prefix
from services.publication.projections import FEED_STREAM, HOLD_STREAM
from shared.auth import AuthSettings
from shared.eventstore.envelope import GENESIS_HASH, Envelope, chain_hash
from shared.eventstore.schema import create_store_tables
from shared.eventstore.store import EventStore
from shared.infra.databases import create_databases, drop_databases
from shared.messaging import SERVICES
from shared.ops.generate import generate
from shared.ops.rebuild import Registered, registered
from shared.projection import ProjectionRunner
from shared.sources import StoreSource

BATCH = 2000  # ProjectionRunner.rebuild's default page, and the baseline's
WRITE_CHUNK = 5000  # rows per COPY
COPY_NAMESPACE = uuid.UUID("6f1c2d40-5b0e-4c8e-9a57-0b1e2c3d4e5f")
UUID_TEXT = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
HEX32 = r"[0-9a-f]{32}"
# Numbers the publication events carry that count along the feed or the hold stream.
STREAM_NUMBERS: dict[str, dict[str, str]] = {
    "FeedEntryPublished": {
        "number": FEED_STREAM,
        "corrects": FEED_STREAM,
        "refers_to": FEED_STREAM,
    },
    "FeedEntryHeld": {"hold": HOLD_STREAM},
    "HeldEntriesReleased": {"holds": HOLD_STREAM, "referent": FEED_STREAM},
}
# What a copy rewrites in place; the rest of an envelope is set per copy (or kept).
_VARIABLE = ("position", "stream_version", "prev_hash", "hash")


def _organisation_ids(value: Any, found: set[str]) -> None:
    """Every string under a key ending in `organisation_id`, anywhere in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("organisation_id") and isinstance(item, str):
                found.add(item)
            else:
                _organisation_ids(item, found)
    elif isinstance(value, list):
        for item in value:
            _organisation_ids(item, found)


def names_in(history: Sequence[Envelope]) -> frozenset[str]:
    """The partnership ids and organisation ids a history mentions (`system` is no organisation)."""
    names: set[str] = {e.partnership_id for e in history}
    for envelope in history:
        _organisation_ids(envelope.payload, names)
        _organisation_ids({"organisation_id": envelope.actor.organisation_id}, names)
    names.discard("system")  # the actor of automatic reactions
    return frozenset(names)


class Replicator:
    """Copies of one store's history, each with ids of its own (see the module docstring)."""

    def __init__(
        self,
        history: Sequence[Envelope],
        names: frozenset[str] | None = None,
        partnerships: frozenset[str] | None = None,
    ) -> None:
        """`names`: the partnership and organisation ids to rename (default: `names_in(history)`;
        pass those of every store so each copy renames an organisation the same everywhere,
        also where a store only mentions it under another key). `partnerships`: the partnership
        ids among them (default: those of `history`)."""
        self.history = list(history)
        self.length = len(history)
        assert [e.position for e in history] == list(range(1, self.length + 1)), (
            "the history must be a whole store, positions 1..n"
        )
        self.names = names_in(history) if names is None else names
        partnerships = partnerships or frozenset(e.partnership_id for e in history)
        # Publication numbers decisions with a prefix made from the partnership id and finds
        # its own numbers by it again: the prefix is renamed with its partnership.
        self.prefixes = {
            decision_prefix(p): p for p in partnerships if decision_prefix(p) not in self.names
        }
        # One pass over each event's JSON: UUIDs first, then the names, longest first, each
        # only where it is not part of a longer word ("gen-1-1" is not in "gen-1-10").
        alternatives = [UUID_TEXT, HEX32] + [
            re.escape(name)
            for name in sorted(self.names | set(self.prefixes), key=len, reverse=True)
        ]
        self.pattern = re.compile(
            r"(?<![0-9A-Za-z_])(?:"
            + "|".join(f"(?:{a})" for a in alternatives)
            + r")(?![0-9A-Za-z_])"
        )
        dumped = [e.model_dump(mode="json") for e in history]
        self.templates = [
            json.dumps({k: v for k, v in body.items() if k not in _VARIABLE}) for body in dumped
        ]
        self.times = [(e.occurred_at, e.recorded_at) for e in history]
        self.stream_lengths = Counter(e.stream_id for e in history)
        # Streams no id names are one stream shared by every copy (publication's feed).
        self.shared_streams = frozenset(
            s for s in self.stream_lengths if self.pattern.search(s) is None
        )

    def rename(self, copy: int, value: str) -> str:
        """A string as copy `copy` spells it."""
        return self.pattern.sub(self._renamer(copy), value)

    def _renamer(self, copy: int) -> Any:
        cache: dict[str, str] = {}

        def renamed(match: re.Match[str]) -> str:
            found = match.group(0)
            if (done := cache.get(found)) is not None:
                return done
            if found in self.names:
                done = f"{found}-c{copy}"
            elif (partnership := self.prefixes.get(found)) is not None:
                done = decision_prefix(f"{partnership}-c{copy}")
            else:
                original = uuid.UUID(found)
                fresh = uuid.uuid5(COPY_NAMESPACE, f"{copy}:{original}")
                done = fresh.hex if len(found) == 32 else str(fresh)
            cache[found] = done
            return done

        return renamed

    def copy(self, k: int, prev_hash: str = GENESIS_HASH) -> list[dict[str, Any]]:
        """Copy `k` as envelopes in JSON form (hash included), chained on to `prev_hash`."""
        renamed, out = self._renamer(k), []
        offsets = {s: k * self.stream_lengths[s] for s in self.shared_streams}
        for n, template in enumerate(self.templates):
            body: dict[str, Any] = json.loads(self.pattern.sub(renamed, template))
            original = self.history[n]
            body["position"] = k * self.length + original.position
            body["stream_version"] = original.stream_version + offsets.get(body["stream_id"], 0)
            for field, stream in STREAM_NUMBERS.get(body["event_type"], {}).items():
                value, step = body["payload"].get(field), offsets.get(stream, 0)
                if isinstance(value, int):
                    body["payload"][field] = value + step
                elif isinstance(value, list):
                    body["payload"][field] = [v + step for v in value]
            body["prev_hash"] = prev_hash
            body["hash"] = prev_hash = chain_hash(body)
            out.append(body)
        return out

    def copies(self, count: int) -> Iterator[list[dict[str, Any]]]:
        """Copies 0 .. count-1, one chain across them all."""
        prev_hash = GENESIS_HASH
        for k in range(count):
            events = self.copy(k, prev_hash)
            prev_hash = events[-1]["hash"] if events else prev_hash
            yield events

    def row(self, body: dict[str, Any]) -> tuple[Any, ...]:
        """A copied envelope as an `events` row for COPY (jsonb columns as JSON text)."""
        occurred_at, recorded_at = self.times[(body["position"] - 1) % self.length]
        values = {
            **body,
            "event_id": uuid.UUID(body["event_id"]),
            "correlation_id": uuid.UUID(body["correlation_id"]),
            "causation_id": uuid.UUID(body["causation_id"]) if body["causation_id"] else None,
            "occurred_at": occurred_at,
            "recorded_at": recorded_at,
            "actor": json.dumps(body["actor"]),
            "payload": json.dumps(body["payload"]),
        }
        return tuple(values[column] for column in EVENT_COLUMNS)


def copies_for(length: int, wanted: int) -> int:
    return max(1, math.ceil(wanted / length)) if length else 0


def asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def read_history(url: str, service: str) -> list[Envelope]:
    async with engine_for(url, pool_size=1) as engine, engine.connect() as conn:
        return [e async for page in EventStore(service).iterate(conn) for e in page]


async def settled_heads(urls: dict[str, str], services: Sequence[str]) -> dict[str, int]:
    """Each store's head once no store has moved for 3 s (at most 60 s)."""
    last: dict[str, int] = {}
    still, deadline = 0, time.monotonic() + 60
    while still < 3 and time.monotonic() < deadline:
        heads = {}
        for service in services:
            conn = await asyncpg.connect(asyncpg_url(urls[f"db:{service}"]))
            try:
                heads[service] = int(
                    await conn.fetchval(f"SELECT coalesce(max(position), 0) FROM {service}.events")
                )
            finally:
                await conn.close()
        still = still + 1 if heads == last else 0
        last = heads
        await asyncio.sleep(1)
    return last


async def write_store(url: str, service: str, rows: Iterator[Sequence[tuple[Any, ...]]]) -> int:
    """A fresh store schema named after the service, filled by COPY; how many events."""
    async with engine_for(url, pool_size=1) as engine, engine.begin() as conn:
        await create_store_tables(conn, service)
    conn = await asyncpg.connect(asyncpg_url(url))
    written = 0
    try:
        for chunk in rows:
            await conn.copy_records_to_table(
                "events", schema_name=service, columns=EVENT_COLUMNS, records=chunk
            )
            written += len(chunk)
        await conn.execute(f"ANALYZE {service}.events")
    finally:
        await conn.close()
    return written


def chunked(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def rebuild(
    url: str, found: Registered
) -> tuple[float, int, dict[str, tuple[int, dict[str, Decimal]]]]:
    """Rebuild with the real runner: events/s, events, and each table's rows and money totals."""
    async with engine_for(url, pool_size=2) as engine:
        runner = ProjectionRunner(found.spec.projection, engine)
        source = StoreSource(engine, EventStore(found.service))
        started = time.perf_counter()
        report = await runner.rebuild(source, batch=BATCH, progress=False)
        rate = report.events / (time.perf_counter() - started)
        return rate, report.events, await table_figures(engine, runner)


async def table_figures(
    engine: AsyncEngine, runner: ProjectionRunner
) -> dict[str, tuple[int, dict[str, Decimal]]]:
    """Rows and the sum of every numeric column, per table of the projection."""
    figures = {}
    async with engine.connect() as conn:
        mapped = await conn.execution_options(schema_translate_map={None: runner.schema})
        for table in runner.projection.metadata.sorted_tables:
            numeric = [c for c in table.columns if isinstance(c.type, Numeric)]
            row = (
                await mapped.execute(
                    select(
                        func.count(), *(func.coalesce(func.sum(c), 0) for c in numeric)
                    ).select_from(table)
                )
            ).one()
            figures[table.name] = (
                int(row[0]),
                {c.name: Decimal(row[i + 1]) for i, c in enumerate(numeric)},
            )
    return figures


def check_scaled(
    name: str,
    original: dict[str, tuple[int, dict[str, Decimal]]],
    replicated: dict[str, tuple[int, dict[str, Decimal]]],
    copies: int,
) -> list[str]:
    """What differs from `copies` times the original (nothing: the rebuild is right)."""
    problems = []
    for table, (rows, sums) in original.items():
        got_rows, got_sums = replicated[table]
        if got_rows != copies * rows:
            problems.append(f"{name}.{table}: {got_rows:,} rows, not {copies} x {rows:,}")
        for column, total in sums.items():
            if got_sums[column] != copies * total:
                problems.append(
                    f"{name}.{table}.{column}: total {got_sums[column]}, not {copies} x {total}"
                )
    return problems


@dataclass(frozen=True)
class Measured:
    results: list[Result]
    problems: list[str]
    checked: dict[str, str]  # projection -> what was checked, for the printout


async def measure_service(
    where: Servers,
    service: str,
    history: list[Envelope],
    projections: dict[str, Registered],
    wanted: int,
    names: frozenset[str],
    partnerships: frozenset[str],
) -> Measured:
    """One service's store: the original and the copies in fresh databases, every projection."""
    copies = copies_for(len(history), wanted)
    prefix = f"benchx_{uuid.uuid4().hex[:8]}_{service}"
    databases = [f"{prefix}_one", f"{prefix}_many"]
    urls = await create_databases(where.database_url, databases)
    one, many = urls[databases[0]], urls[databases[1]]
    results, problems, checked = [], [], {}
    try:
        await write_store(one, service, chunked((event_row(e) for e in history), WRITE_CHUNK))
        replicator = Replicator(history, names, partnerships)
        started = time.perf_counter()
        written = await write_store(
            many,
            service,
            chunked(
                (replicator.row(b) for events in replicator.copies(copies) for b in events),
                WRITE_CHUNK,
            ),
        )
        print(
            f"  {service}: {len(history):,} events generated, {copies:,} copies = {written:,} "
            f"events written in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        for name, found in sorted(projections.items()):
            _, small, original = await rebuild(one, found)
            raw_rate, raw_events = await raw_read(many, service)
            rate, events, replicated = await rebuild(many, found)
            assert events == raw_events == written, f"{name}: {events} != {raw_events} events"
            assert small == len(history)
            problems += check_scaled(name, original, replicated, copies)
            checked[name] = ", ".join(
                f"{t} {r:,}" + "".join(f" (sum {c} {s:,})" for c, s in sums.items())
                for t, (r, sums) in replicated.items()
            )
            result = Result(
                f"rebuild {name} ({events:,} {service} events, {copies:,} copies)",
                rate,
                raw_rate,
                note="baseline: raw read of the same events",
            )
            print_result(result)
            print(f"    checked {copies:,} x the original: {checked[name]}", flush=True)
            results.append(result)
    finally:
        await drop_databases(where.database_url, databases)
    return Measured(results, problems, checked)


def measure(
    where: Servers,
    wanted: int,
    partnerships: int,
    applications: int,
    seed: int,
    only: Sequence[str] = (),
) -> list[Result]:
    """Generate, replicate, rebuild, check. Raises if a rebuild is not N times the original."""
    chosen = {n: f for n, f in registered().items() if not only or n in only}
    services = sorted({f.service for f in chosen.values()})
    with (
        tempfile.TemporaryDirectory(prefix="bench-projections-") as logs,
        platform(where, Path(logs)) as urls,
    ):
        made = generate(
            {k: v for k, v in urls.items() if not k.startswith("db:")},
            AuthSettings().jwt_secret,
            partnerships,
            applications,
            seed,
            workers=4,
        )
        print(f"  generated {made.describe()}", flush=True)
        # Every store, also of services not measured: their organisations get renamed too.
        heads = asyncio.run(settled_heads(urls, SERVICES))
        histories = {s: asyncio.run(read_history(urls[f"db:{s}"], s)) for s in SERVICES}
        for service in SERVICES:
            assert len(histories[service]) == heads[service], f"{service} moved after settling"
    names = frozenset().union(*(names_in(h) for h in histories.values()))
    partnership_ids = frozenset(e.partnership_id for h in histories.values() for e in h)
    results: list[Result] = []
    problems: list[str] = []
    for service in services:
        mine = {n: f for n, f in chosen.items() if f.service == service}
        measured = asyncio.run(
            measure_service(
                where, service, histories[service], mine, wanted, names, partnership_ids
            )
        )
        results += measured.results
        problems += measured.problems
    if problems:
        raise AssertionError("rebuilds differ from N x the original:\n" + "\n".join(problems))
    return results


async def run(ctx: Context) -> list[Result]:
    """`python -m bench --only projections`: every projection over `--events / 2` per store (at
    least 5,000; 25,000 for `make bench`, about 2.5 minutes), from 1 x 40 applications."""
    return await asyncio.to_thread(measure, ctx.servers, max(5_000, ctx.events // 2), 1, 40, 1)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.projections", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="at least this many per store")
    parser.add_argument("--partnerships", type=int, default=1)
    parser.add_argument("--applications", type=int, default=40, help="per partnership")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        choices=sorted(registered()),
        help="this projection only (repeatable)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.WARNING)
    with servers() as where:
        print(
            f"{where.describe()}; {os.cpu_count()} cores; {args.partnerships} partnership(s) x "
            f"{args.applications} applications, seed {args.seed}, replicated to at least "
            f"{args.events:,} events per store",
            flush=True,
        )
        results = measure(
            where, args.events, args.partnerships, args.applications, args.seed, args.only
        )
    print()
    print(markdown_table(results))
    print("\nratio: ours / baseline, so higher is better")
    return 0


if __name__ == "__main__":
    sys.exit(main())
