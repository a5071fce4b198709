"""Settings of the monitoring service; nothing else in the service reads the environment."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.monitoring.plans import MonitoringPolicy
from shared.runtime import ServiceSettings


class MonitoringSettings(ServiceSettings):
    """Monitoring listens on 8003 unless PORT says otherwise."""

    service_name: str = "monitoring"
    port: int = 8003


class PolicySettings(BaseSettings):
    """How plans are made, per scheme: MONITORING_POLICY holds a MonitoringPolicy as JSON.

    Apart from the service settings so the award consumer can read it without a database URL.
    """

    model_config = SettingsConfigDict(env_prefix="MONITORING_", extra="ignore")

    policy: MonitoringPolicy = MonitoringPolicy()


@lru_cache
def monitoring_policy() -> MonitoringPolicy:
    """The plan policy, read from the environment once."""
    return PolicySettings().policy
