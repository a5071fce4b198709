"""Bootstrap of the publication service: `python -m services.publication.main`."""

from services.publication.settings import PublicationSettings
from shared.service import ServiceSpec, serve

SPEC = ServiceSpec(
    name="publication",
    title="Publication service",
    description="Transparency for the public: the numbered feed of decisions, grants, contracts "
    "and decommissioning notices, with 360Giving and OCDS files. Publishes no personal data.",
)

if __name__ == "__main__":
    serve(SPEC, PublicationSettings)
