"""Bootstrap of the monitoring service: `python -m services.monitoring.main`."""

from services.monitoring.api import router
from services.monitoring.projections import AWARDS_CONSUMER, metadata, on_grant_awarded
from services.monitoring.settings import MonitoringSettings
from shared.messaging import topic_for
from shared.runtime import ConsumerSpec
from shared.service import ServiceSpec, serve

SPEC = ServiceSpec(
    name="monitoring",
    title="Monitoring service",
    description="Performance of awarded services. Learns of each award from `GrantAwarded` on "
    "`commissioning.funding.v1` and keeps the services it must monitor.",
    routers=[router],
    consumers=[ConsumerSpec(AWARDS_CONSUMER, (topic_for("funding"),), on_grant_awarded)],
    read_models=[metadata],
)

if __name__ == "__main__":
    serve(SPEC, MonitoringSettings)
