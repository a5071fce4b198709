"""Settings of the publication service; nothing else in the service reads the environment."""

from shared.runtime import ServiceSettings


class PublicationSettings(ServiceSettings):
    """Publication listens on 8004 unless PORT says otherwise."""

    service_name: str = "publication"
    port: int = 8004
