"""Environment settings of the tiktok_connector service."""

from crossdock_common.settings import ServiceSettings
from pydantic import AliasChoices, Field, SecretStr


class TikTokConnectorSettings(ServiceSettings):
    """TikTok app credentials, API hosts and sync intervals."""

    tiktok_app_key: str = Field(
        default="",
        validation_alias=AliasChoices("CROSSDOCK_TIKTOK_APP_KEY"),
        description="app key of the TikTok Shop app (Partner Center)",
    )
    tiktok_app_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("CROSSDOCK_TIKTOK_APP_SECRET"),
        description="app secret of the TikTok Shop app; signs requests and verifies webhooks",
    )
    tiktok_service_id: str = Field(
        default="",
        validation_alias=AliasChoices("CROSSDOCK_TIKTOK_SERVICE_ID"),
        description="service id of the app; when set, the authorization link uses /open/authorize?service_id=",
    )
    tiktok_api_base_url: str = Field(
        default="https://open-api.tiktokglobalshop.com",
        validation_alias=AliasChoices("CROSSDOCK_TIKTOK_API_BASE_URL"),
        description="Open API host",
    )
    tiktok_auth_base_url: str = Field(
        default="https://auth.tiktok-shops.com",
        validation_alias=AliasChoices("CROSSDOCK_TIKTOK_AUTH_BASE_URL"),
        description="host of the token endpoints and of the legacy-style authorization page",
    )
    tiktok_authorize_base_url: str = Field(
        default="",
        validation_alias=AliasChoices("CROSSDOCK_TIKTOK_AUTHORIZE_BASE_URL"),
        description="host of the seller consent page; empty means the auth base URL",
    )
    tiktok_public_webhook_url: str = Field(
        default="",
        validation_alias=AliasChoices("CROSSDOCK_TIKTOK_PUBLIC_WEBHOOK_URL"),
        description="public URL of POST /webhooks/tiktok; subscribed through the Event API on connect when set",
    )
    sync_interval_seconds: float = Field(
        default=60.0,
        gt=0,
        validation_alias=AliasChoices("CROSSDOCK_TIKTOK_SYNC_INTERVAL_SECONDS"),
        description="seconds between background sync rounds (order poll, pushes); multiplied by the time scale",
    )
    order_poll_overlap_seconds: int = Field(
        default=300,
        ge=0,
        validation_alias=AliasChoices("CROSSDOCK_TIKTOK_ORDER_POLL_OVERLAP_SECONDS"),
        description="seconds the order poll window reaches back before the last cursor, for late-visible updates",
    )
    token_refresh_margin_seconds: int = Field(
        default=86400,
        ge=0,
        validation_alias=AliasChoices("CROSSDOCK_TIKTOK_TOKEN_REFRESH_MARGIN_SECONDS"),
        description="refresh the access token when it expires within this many seconds",
    )
    http_timeout_seconds: float = Field(
        default=20.0,
        gt=0,
        validation_alias=AliasChoices("CROSSDOCK_TIKTOK_HTTP_TIMEOUT_SECONDS"),
        description="timeout of one TikTok API call in seconds",
    )
    http_backoff_seconds: float = Field(
        default=0.5,
        gt=0,
        validation_alias=AliasChoices("CROSSDOCK_TIKTOK_HTTP_BACKOFF_SECONDS"),
        description="first retry delay of a failed TikTok call in seconds; doubles per attempt",
    )

    def app_secret(self) -> str:
        """Return the app secret, raising a clear error when it is not configured."""
        if self.tiktok_app_secret is None or not self.tiktok_app_key:
            raise ValueError("CROSSDOCK_TIKTOK_APP_KEY and CROSSDOCK_TIKTOK_APP_SECRET must be set")
        return self.tiktok_app_secret.get_secret_value()
