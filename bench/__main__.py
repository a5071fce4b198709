"""Run the benchmarks and print their figures beside the raw baselines (`make bench`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import logging
import os
import pstats
import sys
import time
from collections.abc import Awaitable, Callable

from bench import append, latency, platform, projections, rebuild, relay, replay
from bench.context import Context
from bench.report import Result, markdown_table, print_result
from bench.servers import engine_for, servers

Benchmark = Callable[[Context], Awaitable[list[Result]]]
BENCHMARKS: dict[str, Benchmark] = {
    "append": append.run,
    "replay": replay.run,
    "rebuild": rebuild.run,
    "relay": relay.run,
    "latency": latency.run,
    "platform": platform.run,  # the four services under the generator (bench/platform.py)
    "projections": projections.run,  # every projection over events/2 replicated (projections.py)
}


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--events", type=int, default=50_000, help="events per throughput benchmark (default 50000)"
    )
    parser.add_argument(
        "--only",
        choices=sorted(BENCHMARKS),
        action="append",
        help="run only this benchmark (repeatable)",
    )
    parser.add_argument(
        "--latency-rate",
        type=float,
        default=200.0,
        help="appends per second in the latency benchmark (default 200)",
    )
    parser.add_argument(
        "--latency-seconds",
        type=float,
        help="how long the latency benchmark appends (default: events / 5000, 2 to 10 s)",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="profile the run with cProfile, write stats to FILE, print the top",
    )
    return parser.parse_args(argv)


async def main(args: argparse.Namespace) -> list[Result]:
    chosen = [name for name in BENCHMARKS if not args.only or name in args.only]
    seconds = args.latency_seconds or min(10.0, max(2.0, args.events / 5000))
    results: list[Result] = []
    with servers() as where:
        print(f"{where.describe()}; {os.cpu_count()} cores; {args.events:,} events", flush=True)
        async with engine_for(where.database_url) as engine:
            ctx = Context(where, args.events, engine, args.latency_rate, seconds)
            try:
                for name in chosen:
                    print(f"{name} ...", flush=True)
                    started = time.perf_counter()
                    for result in await BENCHMARKS[name](ctx):
                        print_result(result)
                        results.append(result)
                    print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
            finally:
                await ctx.close()
    return results


def cli(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.WARNING)
    profiler = cProfile.Profile() if args.profile else None
    with profiler if profiler is not None else contextlib.nullcontext():
        results = asyncio.run(main(args))
    if profiler is not None:
        profiler.dump_stats(args.profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    print()
    print(markdown_table(results))
    print("\nratio: ours / baseline (for latencies baseline / ours), so higher is better")
    missed = [r.name for r in results if r.missed]
    if missed:
        print("missed their target: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(cli())
