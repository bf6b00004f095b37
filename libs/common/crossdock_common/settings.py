"""Settings every service reads from the environment (pydantic-settings).

Each service subclasses `ServiceSettings` for its own options. Every field has
a description; `docs/configuration.md` lists them with their defaults.
"""

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crossdock_common.timescale import ENV_VAR as TIME_SCALE_ENV


class ServiceSettings(BaseSettings):
    """Options shared by every crossdock service."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS"),
        description="Kafka bootstrap servers, comma-separated host:port",
    )
    database_url: str = Field(
        default="postgresql://crossdock:crossdock@127.0.0.1:55432/crossdock",
        validation_alias=AliasChoices("DATABASE_URL"),
        description="PostgreSQL DSN; each service uses its own schema in this database",
    )
    jwt_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("CROSSDOCK_JWT_SECRET"),
        description="shared HMAC key that signs and verifies API bearer tokens (at least 32 characters)",
    )
    encryption_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("CROSSDOCK_ENCRYPTION_KEY"),
        description="Fernet key(s), comma-separated, newest first, that encrypt secrets at rest",
    )
    topic_partitions: int = Field(
        default=6,
        ge=1,
        validation_alias=AliasChoices("CROSSDOCK_TOPIC_PARTITIONS"),
        description="partitions of each topic created at startup (existing topics keep theirs)",
    )
    topic_prefix: str = Field(
        default="",
        validation_alias=AliasChoices("CROSSDOCK_TOPIC_PREFIX"),
        description="prefix of every topic name, e.g. `staging.`, so environments can share a Kafka cluster",
    )
    log_level: str = Field(
        default="INFO", validation_alias=AliasChoices("CROSSDOCK_LOG_LEVEL"), description="root log level"
    )
    log_format: str = Field(
        default="json", validation_alias=AliasChoices("CROSSDOCK_LOG_FORMAT"), description="`json` or `text`"
    )
    host: str = Field(
        default="127.0.0.1",
        validation_alias=AliasChoices("CROSSDOCK_HOST"),
        description="address the HTTP API listens on",
    )
    marketplace_time_scale: float = Field(
        default=1.0,
        gt=0,
        validation_alias=AliasChoices(TIME_SCALE_ENV),
        description="factor applied to marketplace call-frequency windows and minimum poll intervals; 1.0 in production",
    )
    consumer_max_attempts: int = Field(
        default=5,
        ge=1,
        validation_alias=AliasChoices("CROSSDOCK_CONSUMER_MAX_ATTEMPTS"),
        description="handler attempts before a message goes to the dead-letter topic",
    )

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in {"json", "text"}:
            raise ValueError(f"CROSSDOCK_LOG_FORMAT={value!r} is invalid; use json or text")
        return value

    def require_jwt_secret(self) -> str:
        """Return the JWT key, raising a clear error when it is missing or too short."""
        if self.jwt_secret is None:
            raise ValueError("CROSSDOCK_JWT_SECRET is not set; set it to a random string of at least 32 characters")
        secret = self.jwt_secret.get_secret_value()
        if len(secret) < 32:
            raise ValueError("CROSSDOCK_JWT_SECRET is too short; use at least 32 characters")
        return secret
