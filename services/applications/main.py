"""Bootstrap of the applications service: `python -m services.applications.main`."""

from services.applications.settings import ApplicationsSettings
from shared.service import ServiceSpec, serve

SPEC = ServiceSpec(
    name="applications",
    title="Applications service",
    description="The front door of a commissioning partnership: organisations, funding schemes "
    "and rounds, applications, screening, assessment and decisions. Publishes its events on "
    "`commissioning.applications.v1`.",
)

if __name__ == "__main__":
    serve(SPEC, ApplicationsSettings)
