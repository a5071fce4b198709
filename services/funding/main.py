"""Bootstrap of the funding service: `python -m services.funding.main`."""

from services.funding import api, api_awards, api_ledger
from services.funding.ledger import FundingLedger
from services.funding.reactions import (
    APPROVALS_CONSUMER,
    MONITORING_CONSUMER,
    on_application_approved,
    on_monitoring_event,
)
from services.funding.readmodels import DIRECTORY
from services.funding.settings import FundingSettings
from shared.messaging import topic_for
from shared.runtime import ConsumerSpec, ProjectionSpec
from shared.service import ServiceSpec, serve

SPEC = ServiceSpec(
    name="funding",
    title="Funding service",
    description="Funds, ring-fenced pots, pooled budgets, formula allocations, awards and "
    "payments of a commissioning partnership, and the double-entry funding ledger. Awards "
    "approved applications (`commissioning.applications.v1`), suspends and releases payments on "
    "monitoring's events (`commissioning.monitoring.v1`), publishes on `commissioning.funding.v1`.",
    routers=[api.router, api_awards.router, api_ledger.router],
    consumers=[
        ConsumerSpec(APPROVALS_CONSUMER, (topic_for("applications"),), on_application_approved),
        ConsumerSpec(MONITORING_CONSUMER, (topic_for("monitoring"),), on_monitoring_event),
    ],
    read_models=[],
    projections=[
        ProjectionSpec(FundingLedger(), (topic_for("funding"),)),
        ProjectionSpec(DIRECTORY),  # inline: kept by handlers.execute in each append's txn
    ],
)

if __name__ == "__main__":
    serve(SPEC, FundingSettings)
