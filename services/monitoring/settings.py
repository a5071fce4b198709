"""Settings of the monitoring service; nothing else in the service reads the environment."""

from shared.runtime import ServiceSettings


class MonitoringSettings(ServiceSettings):
    """Monitoring listens on 8003 unless PORT says otherwise."""

    service_name: str = "monitoring"
    port: int = 8003
