"""Settings of the publication service; nothing else in the service reads the environment."""

from shared.runtime import ServiceSettings


class PublicationSettings(ServiceSettings):
    """Publication listens on 8004 unless PORT says otherwise."""

    service_name: str = "publication"
    port: int = 8004
    # 360Giving publisher prefix (grant ids `360G-<prefix>-…`) and OCDS prefix (`ocds-<prefix>-…`).
    publisher_prefix: str = "jcp"
    public_url: str = "http://127.0.0.1:8004"  # where the public files are served from
    sse_heartbeat_seconds: float = 15.0  # a comment this often keeps proxies from closing streams
