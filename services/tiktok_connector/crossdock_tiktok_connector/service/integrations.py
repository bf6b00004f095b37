"""Integrations: their record, token storage and refresh, status changes and the events they publish."""

import logging
import time
from datetime import UTC, datetime
from typing import Any

import asyncpg
from crossdock_common.events import entity_key
from crossdock_common.service import ServiceRuntime

from crossdock_tiktok_connector.adapters import repository
from crossdock_tiktok_connector.adapters.client import TikTokClient
from crossdock_tiktok_connector.adapters.errors import REAUTHORIZE_MESSAGE, ReauthorizationRequiredError
from crossdock_tiktok_connector.domain.settings import IntegrationSettings, public_settings
from crossdock_tiktok_connector.settings import TikTokConnectorSettings

logger = logging.getLogger(__name__)


class Connector:
    """Shared context of the use cases: the runtime, the settings and the client factory."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.settings: TikTokConnectorSettings = runtime.settings  # type: ignore[assignment]

    @property
    def pool(self) -> asyncpg.Pool:
        return self.runtime.pool

    def app_client(self, integration_id: str) -> TikTokClient:
        """Build a client without a shop or token, for the token endpoints."""
        return self._client(integration_id, tokens=None, shop_cipher=None)

    def shop_client(self, row: asyncpg.Record) -> TikTokClient:
        """Build a client for the integration's shop that refreshes its token through the database."""
        shop = row["shop"] or {}
        return self._client(row["id"], tokens=DatabaseTokenSource(self, row["id"]), shop_cipher=shop.get("cipher"))

    def _client(self, integration_id: str, *, tokens: Any, shop_cipher: str | None) -> TikTokClient:
        settings = self.settings
        return TikTokClient(
            api_base_url=settings.tiktok_api_base_url,
            auth_base_url=settings.tiktok_auth_base_url,
            app_key=settings.tiktok_app_key,
            app_secret=settings.app_secret(),
            integration_id=integration_id,
            tokens=tokens,
            shop_cipher=shop_cipher,
            timeout=settings.http_timeout_seconds,
            backoff_initial=settings.http_backoff_seconds,
        )

    async def publish_integration(self, connection: asyncpg.Connection, integration_id: str) -> None:
        """Publish `integration.upserted` with the current state, inside the caller's transaction."""
        row = await repository.integration(connection, integration_id)
        settings = IntegrationSettings.model_validate(row["settings"])
        payload = {
            "integration_id": row["id"],
            "type": "tiktok",
            "name": row["name"],
            "status": row["status"],
            "last_error": row["last_error"],
            "supports_channel_sku": False,
            "settings": public_settings(settings, row["shop"], row["warehouses"] or []),
        }
        event = self.runtime.event(
            type="integration.upserted",
            payload=payload,
            account_id=row["account_id"],
            key=entity_key(row["account_id"], row["id"]),
            integration_id=row["id"],
        )
        await self.runtime.publish(connection, event)

    async def set_status(self, integration_id: str, status: str, last_error: str | None) -> None:
        """Change the status and publish it when it changed."""
        async with self.pool.acquire() as connection, connection.transaction():
            row = await repository.integration(connection, integration_id, lock=True)
            if row is None or (row["status"] == status and row["last_error"] == last_error):
                return
            await repository.update_integration(connection, integration_id, status=status, last_error=last_error)
            await self.publish_integration(connection, integration_id)
        logger.warning(
            "integration status is now %s: %s", status, last_error or "", extra={"integration_id": integration_id}
        )

    async def require_reauthorization(self, integration_id: str, detail: str) -> None:
        await self.set_status(integration_id, "error", f"{REAUTHORIZE_MESSAGE}: {detail}")

    async def store_tokens(self, connection: asyncpg.Connection, integration_id: str, data: dict[str, Any]) -> None:
        """Encrypt and store a token pair; the expiry fields are absolute Unix times, not durations."""
        box = self.runtime.secret_box
        await repository.update_integration(
            connection,
            integration_id,
            access_token_enc=box.encrypt(data["access_token"]),
            access_token_expires_at=_from_unix(data["access_token_expire_in"]),
            refresh_token_enc=box.encrypt(data["refresh_token"]),
            refresh_token_expires_at=_from_unix(data["refresh_token_expire_in"]),
            open_id=data.get("open_id"),
        )

    async def refresh_tokens(self, integration_id: str, *, force: bool) -> str:
        """Refresh the token pair unless another task just did; return the access token.

        The row stays locked during the refresh call, so two tasks never spend the
        same refresh token (TikTok retires it on use).
        """
        margin = self.settings.token_refresh_margin_seconds
        async with self.pool.acquire() as connection, connection.transaction():
            row = await repository.integration(connection, integration_id, lock=True)
            if row is None or row["refresh_token_enc"] is None:
                raise ReauthorizationRequiredError("the integration has no tokens; authorize the shop", code=0)
            box = self.runtime.secret_box
            expires = row["access_token_expires_at"]
            fresh = expires is not None and expires.timestamp() - time.time() > margin
            if fresh and not force:
                return box.decrypt(row["access_token_enc"])
            async with self.app_client(integration_id) as client:
                try:
                    data = await client.refresh_token(box.decrypt(row["refresh_token_enc"]))
                except ReauthorizationRequiredError as error:
                    failure = error
                else:
                    failure = None
                    await self.store_tokens(connection, integration_id, data)
            if failure is None:
                logger.info("access token refreshed", extra={"integration_id": integration_id})
                return data["access_token"]
        await self.require_reauthorization(integration_id, failure.api_message)
        raise failure

    async def access_token(self, integration_id: str) -> str:
        margin = self.settings.token_refresh_margin_seconds
        async with self.pool.acquire() as connection:
            row = await repository.integration(connection, integration_id)
        if row is None or row["access_token_enc"] is None:
            raise ReauthorizationRequiredError("the integration has no tokens; authorize the shop", code=0)
        expires = row["access_token_expires_at"]
        if expires is not None and expires.timestamp() - time.time() > margin:
            return self.runtime.secret_box.decrypt(row["access_token_enc"])
        return await self.refresh_tokens(integration_id, force=False)


class DatabaseTokenSource:
    """Tokens of one integration, read from and refreshed into the database."""

    def __init__(self, connector: Connector, integration_id: str) -> None:
        self.connector = connector
        self.integration_id = integration_id

    async def access_token(self) -> str:
        return await self.connector.access_token(self.integration_id)

    async def refresh(self) -> str:
        return await self.connector.refresh_tokens(self.integration_id, force=True)


def _from_unix(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC)
