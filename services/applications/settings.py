"""Settings of the applications service; nothing else in the service reads the environment."""

from shared.runtime import ServiceSettings


class ApplicationsSettings(ServiceSettings):
    """Applications listens on 8001 unless PORT says otherwise."""

    service_name: str = "applications"
    port: int = 8001
