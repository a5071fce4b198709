"""Bootstrap of the monitoring service: `python -m services.monitoring.main`."""

from services.monitoring import api, api_dashboard, api_escalation, api_returns
from services.monitoring.handlers import award_planner
from services.monitoring.projections import AWARDS_CONSUMER, PROJECTION
from services.monitoring.settings import MonitoringSettings
from shared.eventstore.store import EventStore
from shared.messaging import topic_for
from shared.runtime import ConsumerSpec, ProjectionSpec
from shared.service import ServiceSpec, serve

SPEC = ServiceSpec(
    name="monitoring",
    title="Monitoring service",
    description="Performance of awarded services. Gives every `GrantAwarded` / `ContractAwarded` "
    "on `commissioning.funding.v1` a monitoring plan, takes KPI returns, rates them, detects "
    "overdue returns, runs the escalation ladder and decommissions services.",
    routers=[api.router, api_dashboard.router, api_returns.router, api_escalation.router],
    consumers=[
        ConsumerSpec(
            AWARDS_CONSUMER, (topic_for("funding"),), award_planner(EventStore("monitoring"))
        )
    ],
    # Inline: kept in each append's transaction; `commissioning rebuild monitoring_services`.
    projections=[ProjectionSpec(PROJECTION)],
)

if __name__ == "__main__":
    serve(SPEC, MonitoringSettings)
