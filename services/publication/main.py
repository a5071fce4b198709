"""Bootstrap of the publication service: `python -m services.publication.main`."""

from services.publication import api, files
from services.publication.mapping import Policy
from services.publication.privacy import DEFAULT_THRESHOLD
from services.publication.projections import FEED_CONSUMER, FeedPublisher
from services.publication.settings import PublicationSettings
from services.publication.views import FeedProjection
from services.publication.web import routes as portal
from shared.messaging import topic_for
from shared.runtime import ConsumerSpec, ProjectionSpec
from shared.service import ServiceSpec, serve

# Every other service's public facts; the mapping table decides which events become entries.
SOURCES = tuple(topic_for(name) for name in ("applications", "funding", "monitoring"))
# The feed's read models: an inline projection of publication's own store, rebuildable.
VIEW = FeedProjection()

SPEC = ServiceSpec(
    name="publication",
    title="Publication service",
    description="Transparency for the public: the numbered feed of decisions, grants, contracts "
    "and decommissioning notices (JSON and live SSE), 360Giving and OCDS files, annual reports "
    "per funding stream and the public portal. Publishes no personal data.",
    routers=[api.router, files.router, portal.router],
    consumers=[
        ConsumerSpec(
            FEED_CONSUMER,
            SOURCES,
            FeedPublisher(Policy(threshold=DEFAULT_THRESHOLD), "publication", VIEW),
        )
    ],
    projections=[ProjectionSpec(VIEW)],
)

if __name__ == "__main__":
    serve(SPEC, PublicationSettings)
