"""Bootstrap of the funding service: `python -m services.funding.main`."""

from services.funding.api import router
from services.funding.settings import FundingSettings
from shared.service import ServiceSpec, serve

SPEC = ServiceSpec(
    name="funding",
    title="Funding service",
    description="Funds, pots and awards of a commissioning partnership. Every award is an event "
    "in the funding store (`GrantAwarded`), published on `commissioning.funding.v1`.",
    routers=[router],
)

if __name__ == "__main__":
    serve(SPEC, FundingSettings)
