"""Settings of the applications service; nothing else in the service reads the environment."""

from pydantic import Field

from shared.runtime import ServiceSettings

DEV_VOTER_SALT = "dev-only-voter-salt-change-me"


class ApplicationsSettings(ServiceSettings):
    """Applications listens on 8001 unless PORT says otherwise."""

    service_name: str = "applications"
    port: int = 8001
    # VOTER_HASH_SALT: the secret key of voters' identity hashes (participatory budgeting).
    # Changing it lets every voter vote again, so it is set once per deployment and kept.
    voter_hash_salt: str = Field(default=DEV_VOTER_SALT, min_length=16, repr=False)
