"""`rebuild PROJECTION`: replay a service's own store into a fresh projection and swap it in.

Projections are what services register in `ServiceSpec.projections`; each is rebuilt from its
service's event store (`StoreSource`), with a progress bar (shared.projection).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from shared.db import make_engine
from shared.eventstore.store import EventStore
from shared.messaging import SERVICES
from shared.projection import ProjectionRunner, RebuildReport
from shared.runtime import ProjectionSpec
from shared.service import ServiceSpec
from shared.sources import StoreSource


@dataclass(frozen=True)
class Registered:
    """A projection and the service that keeps it."""

    service: str
    spec: ProjectionSpec


def service_spec(service: str) -> ServiceSpec:
    spec: ServiceSpec = importlib.import_module(f"services.{service}.main").SPEC
    return spec


def registered() -> dict[str, Registered]:
    """Every rebuildable projection by name; services without any contribute nothing."""
    found = {}
    for service in SERVICES:
        for spec in service_spec(service).projections:
            found[spec.projection.name] = Registered(service, spec)
    return found


def without_projections() -> list[str]:
    """The services that register no rebuildable projection."""
    return [s for s in SERVICES if not service_spec(s).projections]


async def rebuild(database_url: str, found: Registered, progress: bool = True) -> RebuildReport:
    """Rebuild one projection from its service's store on `database_url`."""
    engine = make_engine(database_url, pool_size=2)
    try:
        runner = ProjectionRunner(found.spec.projection, engine)
        source = StoreSource(engine, EventStore(found.service))
        return await runner.rebuild(source, progress=progress)
    finally:
        await engine.dispose()
