"""The `commissioning` command: one subcommand per operator task.

To add a subcommand, write a `configure(parser)` and a `run(args) -> exit code` and append a
`Command` to `COMMANDS`. Import heavy modules inside `run` so `--help` stays fast.
"""

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pydantic import ValidationError

from shared.auth import AuthSettings, Principal, Role, mint_token


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, help line, argument setup and runner returning an exit code."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _configure_mint_token(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, help="user id (the token's sub claim)")
    parser.add_argument("--org", required=True, help="organisation id, e.g. GB-CHC-1234567")
    parser.add_argument("--partnership", required=True, help="partnership id")
    parser.add_argument("--role", required=True, choices=[role.value for role in Role])
    parser.add_argument(
        "--ttl-hours", type=float, default=8.0, help="lifetime in hours (default: 8)"
    )


def _run_mint_token(args: argparse.Namespace) -> int:
    if args.ttl_hours <= 0:
        print("mint-token: --ttl-hours must be positive", file=sys.stderr)
        return 2
    try:
        principal = Principal(
            user_id=args.user,
            organisation_id=args.org,
            partnership_id=args.partnership,
            role=Role(args.role),
        )
    except ValidationError as error:
        print(f"mint-token: {error}", file=sys.stderr)
        return 2
    # Read the environment on every run rather than through the cached get_auth_settings.
    secret = AuthSettings().jwt_secret
    print(mint_token(principal, secret=secret, ttl=timedelta(hours=args.ttl_hours)))
    return 0


def _configure_relay(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--schema", required=True, help="the service schema whose outbox to relay")
    parser.add_argument("--topic", required=True, help="the Kafka topic to publish to")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--bootstrap-servers", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS"))
    parser.add_argument("--batch-size", type=int, default=1000)


def _run_relay(args: argparse.Namespace) -> int:
    import asyncio

    from shared.outbox import relay_forever

    if not args.database_url or not args.bootstrap_servers:
        print(
            "relay: set DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS (or pass the flags)",
            file=sys.stderr,
        )
        return 2
    asyncio.run(
        relay_forever(
            args.database_url, args.bootstrap_servers, args.schema, args.topic, args.batch_size
        )
    )
    return 0


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-port",
        type=int,
        default=8001,
        help="port of applications; funding, monitoring and publication take "
        "the next three (default: 8001)",
    )
    parser.add_argument(
        "--database-prefix",
        default="",
        help="prefix of the four database names, to share a server (default: none)",
    )
    parser.add_argument(
        "--log-dir",
        type=Path,
        default=None,
        help="where each process writes its log (default: a new temp dir)",
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="stop everything right after the story instead of waiting for Ctrl-C",
    )
    parser.add_argument(
        "--partnership-suffix",
        default="",
        help="appended to the story's partnership ids, for runs sharing a broker (default: none)",
    )


def _run_demo(args: argparse.Namespace) -> int:
    from shared.demo import DemoOptions, run

    return run(
        DemoOptions(
            base_port=args.base_port,
            database_prefix=args.database_prefix,
            log_dir=args.log_dir,
            wait=not args.no_wait,
            partnership_suffix=args.partnership_suffix,
        )
    )


def _configure_verify_chain(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--schema", help="the service store to verify, e.g. funding")
    which.add_argument(
        "--all",
        action="store_true",
        help="every service's store, each on its own database <prefix><service> of the server",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="the database (--schema) or any database of the server (--all)",
    )
    parser.add_argument(
        "--database-prefix", default="", help="with --all: the databases' prefix, as in demo"
    )


def _run_verify_chain(args: argparse.Namespace) -> int:
    import asyncio

    from shared.audit import verify_store
    from shared.ops.chain import verify_all

    if not args.database_url:
        print("verify-chain: set DATABASE_URL (or pass --database-url)", file=sys.stderr)
        return 2
    if args.all:
        intact = asyncio.run(verify_all(args.database_url, args.database_prefix, print))
        print("all hash chains intact" if intact else "NOT all hash chains are intact")
        return 0 if intact else 1
    report = asyncio.run(verify_store(args.database_url, args.schema))
    if report.intact:
        print(f"{args.schema}: hash chain intact over {report.checked} events")
        return 0
    print(f"{args.schema}: BROKEN after {report.checked} good events: {report.problem}")
    return 1


def _configure_rebuild(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("projection", help="the projection's name, e.g. funding_ledger")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="the database of the service that keeps the projection",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _run_rebuild(args: argparse.Namespace) -> int:
    import asyncio

    from shared.ops.rebuild import rebuild, registered, without_projections

    found = registered()
    if args.projection not in found:
        print(
            f"rebuild: no projection {args.projection!r}; rebuildable: "
            f"{', '.join(sorted(found)) or 'none'}. Services without any rebuildable "
            f"projection (their read models follow their consumers): "
            f"{', '.join(without_projections())}",
            file=sys.stderr,
        )
        return 2
    if not args.database_url:
        print("rebuild: set DATABASE_URL (or pass --database-url)", file=sys.stderr)
        return 2
    chosen = found[args.projection]
    report = asyncio.run(rebuild(args.database_url, chosen, progress=not args.no_progress))
    print(
        f"rebuilt {args.projection} from {report.events} events of the {chosen.service} store "
        f"into {report.schema}"
    )
    return 0


def _configure_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=["360giving", "ocds"])
    parser.add_argument("--output", type=Path, required=True, help="the file to write")
    parser.add_argument("--as-of", type=date.fromisoformat, help="what was public on YYYY-MM-DD")
    parser.add_argument(
        "--publication-url",
        default=os.environ.get("PUBLICATION_URL", "http://127.0.0.1:8004"),
        help="the publication service (default: $PUBLICATION_URL or http://127.0.0.1:8004)",
    )


def _run_export(args: argparse.Namespace) -> int:
    from shared.ops.export import ExportError, export

    try:
        count = export(args.publication_url, args.format, args.output, args.as_of)
    except ExportError as error:
        print(f"export: {error}", file=sys.stderr)
        return 1
    what = "grants" if args.format == "360giving" else "releases"
    print(f"wrote {args.output}: {count} {what}")
    return 0


def _configure_generate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--partnerships", type=int, default=1)
    parser.add_argument("--applications", type=int, default=10, help="per partnership")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workers", type=int, default=8, help="threads making requests (default: 8)"
    )
    for service, port in (("applications", 8001), ("funding", 8002), ("monitoring", 8003)):
        variable = f"{service.upper()}_URL"
        parser.add_argument(
            f"--{service}-url",
            default=os.environ.get(variable, f"http://127.0.0.1:{port}"),
            help=f"the {service} service (default: ${variable} or http://127.0.0.1:{port})",
        )


def _run_generate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from shared.demo_year.platform import StoryError
    from shared.ops.generate import generate

    if args.partnerships < 1 or args.applications < 1 or args.workers < 1:
        print(
            "generate: --partnerships, --applications and --workers must be at least 1",
            file=sys.stderr,
        )
        return 2
    secret = AuthSettings().jwt_secret
    urls = {
        "applications": args.applications_url,
        "funding": args.funding_url,
        "monitoring": args.monitoring_url,
    }
    with tqdm(total=args.partnerships * args.applications, unit="app", desc="generate") as bar:
        try:
            made = generate(
                urls,
                secret,
                args.partnerships,
                args.applications,
                args.seed,
                bar.update,
                workers=args.workers,
            )
        except StoryError as error:
            print(f"generate: {error}", file=sys.stderr)
            return 1
    print(f"generated {made.describe()}; partnerships gen-{args.seed}-1...")
    if made.award_latencies:
        ms = sorted(1000 * s for s in made.award_latencies)
        print(f"approve -> award: median {ms[len(ms) // 2]:.0f} ms, slowest {ms[-1]:.0f} ms")
    return 0


def _configure_catalogue(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", default="docs/events.md", help="where to write it")


def _run_catalogue(args: argparse.Namespace) -> int:
    from pathlib import Path

    from shared.catalogue import render_catalogue

    Path(args.output).write_text(render_catalogue(), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


COMMANDS: list[Command] = [
    Command(
        name="catalogue",
        help="write the event catalogue (docs/events.md) from the contracts",
        configure=_configure_catalogue,
        run=_run_catalogue,
    ),
    Command(
        name="verify-chain",
        help="recompute service stores' hash chains and report the first break (auditors)",
        configure=_configure_verify_chain,
        run=_run_verify_chain,
    ),
    Command(
        name="rebuild",
        help="replay a projection from its service's store and swap it in (progress bar)",
        configure=_configure_rebuild,
        run=_run_rebuild,
    ),
    Command(
        name="export",
        help="write the 360Giving or OCDS file the publication service publishes",
        configure=_configure_export,
        run=_run_export,
    ),
    Command(
        name="generate",
        help="a seeded synthetic year at volume (applications to awards, plans and returns) "
        "through the public APIs",
        configure=_configure_generate,
        run=_run_generate,
    ),
    Command(
        name="demo",
        help="start PostgreSQL, Kafka and the four services, and run a commissioning year",
        configure=_configure_demo,
        run=_run_demo,
    ),
    Command(
        name="relay",
        help="publish a service's outbox to Kafka until interrupted",
        configure=_configure_relay,
        run=_run_relay,
    ),
    Command(
        name="mint-token",
        help="print a signed bearer token for a user (signed with COMMISSIONING_JWT_SECRET)",
        configure=_configure_mint_token,
        run=_run_mint_token,
    ),
]


def build_parser(commands: Sequence[Command] = COMMANDS) -> argparse.ArgumentParser:
    """Build the argument parser with one subparser per command."""
    parser = argparse.ArgumentParser(prog="commissioning")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands:
        subparser = subparsers.add_parser(command.name, help=command.help)
        command.configure(subparser)
        subparser.set_defaults(run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the subcommand named in `argv` (default: sys.argv) and return its exit code."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
