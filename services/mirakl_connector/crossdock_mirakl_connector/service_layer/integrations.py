"""Integration lifecycle: create, connect with A01, change settings, disconnect, and their events."""

import logging
import uuid
from typing import Any

import asyncpg
from crossdock_common.events import entity_key
from crossdock_common.http import ClientError, NetworkError, RateLimitedError, RetriesExhaustedError
from crossdock_common.service import ServiceRuntime

from crossdock_mirakl_connector.adapters import repository
from crossdock_mirakl_connector.adapters.mirakl import account
from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient
from crossdock_mirakl_connector.adapters.mirakl.errors import AuthenticationError, ForbiddenError, NotFoundError
from crossdock_mirakl_connector.domain.settings import IntegrationSettings
from crossdock_mirakl_connector.service_layer import products

logger = logging.getLogger(__name__)

KEY_REJECTED = "API key rejected: re-check the Mirakl API key"
URL_UNREACHABLE = "URL unreachable: re-check the Mirakl URL"


def new_integration_id() -> str:
    return f"mirakl-{uuid.uuid4().hex[:12]}"


def build_client(runtime: ServiceRuntime, integration: asyncpg.Record | dict, **overrides: Any) -> MiraklClient:
    """Build the Mirakl client of an integration, decrypting its API key."""
    settings = runtime.settings
    options: dict[str, Any] = {
        "timeout": settings.http_timeout_seconds,
        "max_attempts": settings.http_max_attempts,
        "backoff_initial": settings.http_backoff_seconds,
        # Tests may route calls through a custom httpx transport.
        "transport": runtime.extras.get("mirakl_transport"),
    }
    options.update(overrides)
    return MiraklClient(
        url=integration["url"],
        api_key=runtime.secret_box.decrypt(integration["api_key_encrypted"]),
        integration_id=integration["integration_id"],
        shop_id=integration["shop_id"],
        **options,
    )


def integration_view(row: asyncpg.Record) -> dict[str, Any]:
    """Return the API view of an integration; the API key never appears."""
    return {
        "integration_id": row["integration_id"],
        "type": "mirakl",
        "name": row["name"],
        "url": row["url"],
        "shop_id": row["shop_id"],
        "shop_name": row["shop_name"],
        "currency": row["currency"],
        "shop_state": row["shop_state"],
        "status": row["status"],
        "last_error": row["last_error"],
        "settings": row["settings"],
        "warnings": row["warnings"],
        "connected_at": row["connected_at"],
        "created_at": row["created_at"],
    }


async def publish_integration(runtime: ServiceRuntime, connection: asyncpg.Connection, row: asyncpg.Record) -> None:
    """Queue `integration.upserted` with the settings other services need."""
    settings = IntegrationSettings.model_validate(row["settings"])
    event = runtime.event(
        type="integration.upserted",
        payload={
            "integration_id": row["integration_id"],
            "type": "mirakl",
            "name": row["name"],
            "status": row["status"],
            "last_error": row["last_error"],
            "supports_channel_sku": True,
            "settings": settings.public(shop_id=row["shop_id"]),
        },
        account_id=row["account_id"],
        key=entity_key(row["account_id"], row["integration_id"]),
        integration_id=row["integration_id"],
    )
    await runtime.publish(connection, event)


async def create_integration(
    runtime: ServiceRuntime,
    *,
    account_id: str,
    name: str,
    url: str,
    api_key: str,
    shop_id: int | None,
    settings: IntegrationSettings,
) -> asyncpg.Record:
    async with runtime.pool.acquire() as connection, connection.transaction():
        row = await connection.fetchrow(
            "INSERT INTO integrations (integration_id, account_id, name, url, api_key_encrypted, shop_id, settings) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
            new_integration_id(),
            account_id,
            name,
            url.strip(),
            runtime.secret_box.encrypt(api_key),
            shop_id,
            settings.model_dump(),
        )
        await publish_integration(runtime, connection, row)
    logger.info("integration created", extra={"integration_id": row["integration_id"], "account_id": account_id})
    return row


def _connect_error_message(error: Exception) -> str:
    if isinstance(error, AuthenticationError):
        return f"{KEY_REJECTED} (Mirakl answered {error})"
    if isinstance(error, ForbiddenError):
        return f"API key lacks the shop role or cannot reach the shop: re-check the API key and shop_id ({error})"
    if isinstance(error, NotFoundError):
        return f"{URL_UNREACHABLE} (Mirakl answered {error})"
    if isinstance(error, RetriesExhaustedError) and isinstance(error.last_error, NetworkError):
        return f"{URL_UNREACHABLE} ({error.last_error})"
    if isinstance(error, NetworkError):
        return f"{URL_UNREACHABLE} ({error})"
    if isinstance(error, RetriesExhaustedError) and isinstance(error.last_error, RateLimitedError):
        wait = error.last_error.retry_after
        when = f"in {wait:.0f} s" if wait is not None else "later"
        return f"Mirakl rate-limited the shop account call (A01 is allowed about once a day); connect again {when}"
    return f"connecting to Mirakl failed: {error}"


def _acceptance_warnings(platform: dict[str, Any], settings: IntegrationSettings) -> list[str]:
    acceptance = ((platform.get("features") or {}).get("order_workflows") or {}).get("order_acceptance")
    after_acceptance = {"WAITING_DEBIT", "WAITING_DEBIT_PAYMENT", "SHIPPING"}
    if acceptance in ("AUTOMATIC", "BOTH") and not after_acceptance & set(settings.ordersStatuses):
        return [
            f"the platform accepts orders automatically (PC01 order_acceptance={acceptance}), so orders may skip "
            "WAITING_ACCEPTANCE between two pulls; add SHIPPING (and WAITING_DEBIT_PAYMENT) to ordersStatuses"
        ]
    return []


async def connect(runtime: ServiceRuntime, integration_id: str) -> asyncpg.Record:
    """Call A01 once, store the shop, read PC01 and SH21, and publish the new status."""
    async with runtime.pool.acquire() as connection:
        row = await repository.load_integration(connection, integration_id)
    settings = IntegrationSettings.model_validate(row["settings"])

    # A01 may be called once a day: a 429 is reported instead of waited for.
    client = build_client(runtime, row, max_attempts=2, max_rate_limit_waits=0)
    shop: dict[str, Any] = {}
    platform: dict[str, Any] = {}
    carriers: list[dict[str, Any]] = []
    error_message: str | None = None
    rate_limited = False
    try:
        async with client:
            shop = await account.get_account(client)
            state = shop.get("shop_state")
            if state != "OPEN":
                error_message = (
                    f"Mirakl shop {shop.get('shop_id')} is {state} (suspension: {shop.get('suspension_type')}); "
                    "the operator must reopen it before orders and stock can sync"
                )
            else:
                platform = await _optional(account.get_platform_configuration(client), "PC01", integration_id)
                carriers = await _optional(account.list_carriers(client), "SH21", integration_id) or []
    except ClientError as error:
        error_message = _connect_error_message(error)
        rate_limited = isinstance(error, RetriesExhaustedError) and isinstance(error.last_error, RateLimitedError)
        logger.warning("connecting failed: %s", error_message, extra={"integration_id": integration_id})

    async with runtime.pool.acquire() as connection, connection.transaction():
        if error_message:
            # A rate-limited reconnect does not test the stored key and URL,
            # so an integration that was connected stays connected.
            keep_status = rate_limited and row["status"] == "connected"
            row = await connection.fetchrow(
                "UPDATE integrations SET status = CASE WHEN $4 THEN status ELSE 'error' END, last_error = $2, "
                "shop_state = COALESCE($3, shop_state), "
                "updated_at = now() WHERE integration_id = $1 RETURNING *",
                integration_id,
                error_message,
                shop.get("shop_state"),
                keep_status,
            )
            await repository.record_error(connection, integration_id, "connect", error_message)
        else:
            row = await connection.fetchrow(
                "UPDATE integrations SET status = 'connected', last_error = NULL, shop_id = $2, shop_name = $3, "
                "currency = $4, shop_state = $5, platform = $6, warnings = $7, connected_at = now(), "
                "updated_at = now() WHERE integration_id = $1 RETURNING *",
                integration_id,
                int(shop["shop_id"]),
                shop.get("shop_name"),
                shop.get("currency_iso_code"),
                shop.get("shop_state"),
                platform or {},
                _acceptance_warnings(platform or {}, settings),
            )
            await _seed_carriers(connection, integration_id, carriers)
        await publish_integration(runtime, connection, row)
    logger.info("integration %s", row["status"], extra={"integration_id": integration_id})
    return row


async def _optional(call, operation: str, integration_id: str):
    try:
        return await call
    except ClientError as error:
        logger.warning("%s failed on connect: %s", operation, error, extra={"integration_id": integration_id})
        return {}


async def _seed_carriers(connection: asyncpg.Connection, integration_id: str, carriers: list[dict[str, Any]]) -> None:
    for carrier in carriers:
        code = carrier.get("code")
        if not code:
            continue
        for key in {str(code), str(carrier.get("label") or code), str(carrier.get("standard_code") or code)}:
            await connection.execute(
                "INSERT INTO carriers (integration_id, carrier_key, carrier_code, carrier_name, tracking_url) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (integration_id, carrier_key) DO NOTHING",
                integration_id,
                key.lower(),
                code,
                carrier.get("label") or code,
                carrier.get("tracking_url"),
            )


async def update_settings(
    runtime: ServiceRuntime, integration_id: str, settings: IntegrationSettings
) -> asyncpg.Record:
    async with runtime.pool.acquire() as connection, connection.transaction():
        previous_products = await connection.fetchval(
            "SELECT settings->>'products' FROM integrations WHERE integration_id = $1 FOR UPDATE", integration_id
        )
        row = await connection.fetchrow(
            "UPDATE integrations SET settings = $2, updated_at = now() WHERE integration_id = $1 RETURNING *",
            integration_id,
            settings.model_dump(),
        )
        if settings.products == "push" and previous_products != "push":
            await products.queue_known_masters(connection, row)
        if row["platform"]:
            await connection.execute(
                "UPDATE integrations SET warnings = $2 WHERE integration_id = $1",
                integration_id,
                _acceptance_warnings(row["platform"], settings),
            )
        await publish_integration(runtime, connection, row)
    return row


async def disconnect(runtime: ServiceRuntime, integration_id: str) -> asyncpg.Record:
    async with runtime.pool.acquire() as connection, connection.transaction():
        row = await connection.fetchrow(
            "UPDATE integrations SET status = 'disconnected', last_error = NULL, updated_at = now() "
            "WHERE integration_id = $1 RETURNING *",
            integration_id,
        )
        await publish_integration(runtime, connection, row)
    return row
