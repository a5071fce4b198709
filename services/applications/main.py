"""Bootstrap of the applications service: `python -m services.applications.main`."""

from services.applications.api import (
    applications,
    ballots,
    catalogue,
    drafts,
    registry,
    schemes,
    users,
)
from services.applications.handlers.reactions import FUNDING_CONSUMER, on_award_blocked
from services.applications.projections import PROJECTION
from services.applications.settings import ApplicationsSettings
from shared.messaging import topic_for
from shared.runtime import ConsumerSpec, ProjectionSpec
from shared.service import ServiceSpec, serve

SPEC = ServiceSpec(
    name="applications",
    title="Applications service",
    description="The front door of a commissioning partnership: organisations and their users, "
    "funding schemes and rounds with their assessors, draft and submitted applications, "
    "screening, assessment and decisions, participatory budgeting and Any Qualified Provider "
    "accreditation. Its read model is the rebuildable projection `applications`. Publishes "
    "its events on "
    "`commissioning.applications.v1`; learns of blocked awards from `commissioning.funding.v1`.",
    routers=[
        registry.router,
        users.router,
        catalogue.router,
        schemes.router,
        drafts.router,
        applications.router,
        ballots.router,
        ballots.public,
    ],
    consumers=[ConsumerSpec(FUNDING_CONSUMER, (topic_for("funding"),), on_award_blocked)],
    projections=[ProjectionSpec(PROJECTION)],
)

if __name__ == "__main__":
    serve(SPEC, ApplicationsSettings)
