"""`verify-chain --all`: every service's store on its own database, as the demo and compose lay
them out (one database per service, named `<prefix><service>`, on one server)."""

from __future__ import annotations

from collections.abc import Callable

from shared.audit import verify_store
from shared.infra.databases import database_url
from shared.messaging import SERVICES


async def verify_all(server_url: str, prefix: str, say: Callable[[str], None]) -> bool:
    """Verify each service's hash chain; whether every one is intact."""
    intact = True
    for name in SERVICES:
        database = f"{prefix}{name}"
        try:
            report = await verify_store(database_url(server_url, database), name)
        except Exception as error:  # a missing database or store is a finding, not a crash
            say(f"{name}: CANNOT VERIFY database {database!r}: {type(error).__name__}: {error}")
            intact = False
            continue
        if report.intact:
            say(f"{name}: hash chain intact over {report.checked} events (database {database})")
        else:
            say(f"{name}: BROKEN after {report.checked} good events: {report.problem}")
            intact = False
    return intact
