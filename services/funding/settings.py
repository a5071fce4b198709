"""Settings of the funding service; nothing else in the service reads the environment."""

from shared.runtime import ServiceSettings


class FundingSettings(ServiceSettings):
    """Funding listens on 8002 unless PORT says otherwise."""

    service_name: str = "funding"
    port: int = 8002
