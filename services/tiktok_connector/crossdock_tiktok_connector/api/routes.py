"""HTTP API: integrations, OAuth, manual sync, status and the TikTok webhook endpoint."""

import json
import logging
import uuid
from typing import Any
from urllib.parse import urlencode

from crossdock_common.auth.dependencies import Reader, Writer
from crossdock_common.auth.oauth_state import make_oauth_state, read_oauth_state
from crossdock_common.auth.tokens import TokenError
from crossdock_common.service import ProblemError, not_found
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, ValidationError

from crossdock_tiktok_connector.adapters import repository
from crossdock_tiktok_connector.adapters.errors import TikTokApiError
from crossdock_tiktok_connector.domain.settings import IntegrationSettings, SettingsError, check_products_mode
from crossdock_tiktok_connector.domain.signing import verify_webhook
from crossdock_tiktok_connector.service import product_push, products, worker
from crossdock_tiktok_connector.service.integrations import Connector
from crossdock_tiktok_connector.service.webhooks import store_notification

logger = logging.getLogger(__name__)
router = APIRouter()


class IntegrationCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    settings: dict[str, Any] = Field(default_factory=dict)


def _connector(request: Request) -> Connector:
    return Connector(request.app.state.runtime)


def _settings(values: dict[str, Any]) -> IntegrationSettings:
    try:
        return IntegrationSettings.model_validate(values)
    except ValidationError as error:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ProblemError(status=422, title="Invalid settings", detail=detail) from None


async def _check_settings(connection, account_id: str, settings: IntegrationSettings, shop: dict | None) -> None:
    source = await repository.catalog_source(connection, account_id)
    try:
        check_products_mode(mode=settings.products, region=(shop or {}).get("region"), catalog_source=source)
    except SettingsError as error:
        raise ProblemError(status=422, title="Invalid settings", detail=str(error), field=error.field) from None


def _view(row) -> dict[str, Any]:
    # `integration_id` is the name the other services' APIs use; `id` stays for existing clients.
    return {
        "id": row["id"],
        "integration_id": row["id"],
        "type": "tiktok",
        "name": row["name"],
        "status": row["status"],
        "last_error": row["last_error"],
        "settings": row["settings"],
        "shop": {key: (row["shop"] or {}).get(key) for key in ("id", "name", "region", "seller_type")}
        if row["shop"]
        else None,
        "authorized_shops": [{k: s.get(k) for k in ("id", "name", "region")} for s in row["authorized_shops"] or []],
        "warehouses": row["warehouses"],
    }


@router.post("/v1/integrations", status_code=201, tags=["integrations"])
async def create_integration(body: IntegrationCreate, principal: Writer, request: Request) -> dict[str, Any]:
    """Create a TikTok Shop integration; authorize it next through the OAuth link."""
    settings = _settings(body.settings)
    connector = _connector(request)
    integration_id = f"tiktok-{uuid.uuid4().hex[:12]}"
    async with connector.pool.acquire() as connection, connection.transaction():
        await _check_settings(connection, principal.account_id, settings, None)
        await connection.execute(
            "INSERT INTO integrations (id, account_id, name, settings) VALUES ($1, $2, $3, $4)",
            integration_id,
            principal.account_id,
            body.name,
            settings.model_dump(),
        )
        await connector.publish_integration(connection, integration_id)
        row = await repository.integration(connection, integration_id)
    return _view(row)


@router.get("/v1/integrations/{integration_id}", tags=["integrations"])
async def get_integration(integration_id: str, principal: Reader, request: Request) -> dict[str, Any]:
    """Return one integration with its shop, warehouses and settings (never its tokens)."""
    async with _connector(request).pool.acquire() as connection:
        row = await repository.integration(connection, integration_id, account_id=principal.account_id)
    if row is None:
        raise not_found("integration", integration_id)
    return _view(row)


@router.patch("/v1/integrations/{integration_id}/settings", tags=["integrations"])
async def update_settings(
    integration_id: str, changes: dict[str, Any], principal: Writer, request: Request
) -> dict[str, Any]:
    """Change some settings; the others keep their values. Publishes the integration."""
    connector = _connector(request)
    async with connector.pool.acquire() as connection, connection.transaction():
        row = await repository.integration(connection, integration_id, account_id=principal.account_id, lock=True)
        if row is None:
            raise not_found("integration", integration_id)
        settings = _settings({**row["settings"], **changes})
        shop = row["shop"]
        if "shopId" in changes and changes["shopId"] is not None:
            shop = next((s for s in row["authorized_shops"] or [] if s["id"] == changes["shopId"]), None)
            if shop is None:
                known = ", ".join(s["id"] for s in row["authorized_shops"] or []) or "none yet"
                raise ProblemError(
                    status=422,
                    title="Invalid settings",
                    field="shopId",
                    detail=f"shopId {changes['shopId']!r} is not among the authorized shops ({known})",
                )
        await _check_settings(connection, principal.account_id, settings, shop)
        await repository.update_integration(connection, integration_id, settings=settings.model_dump(), shop=shop)
        if settings.products == "push" and row["settings"].get("products") != "push":
            await product_push.mark_all(
                connector.runtime, connection, account_id=principal.account_id, integration_id=integration_id
            )
        await connector.publish_integration(connection, integration_id)
        row = await repository.integration(connection, integration_id)
    worker.wake(connector.runtime)
    return _view(row)


@router.get("/v1/integrations/{integration_id}/oauth/authorize", tags=["oauth"])
async def authorization_url(integration_id: str, principal: Writer, request: Request) -> dict[str, str]:
    """Return the seller consent link with a single-use `state` bound to this integration."""
    connector = _connector(request)
    settings = connector.settings
    async with connector.pool.acquire() as connection:
        row = await repository.integration(connection, integration_id, account_id=principal.account_id)
        if row is None:
            raise not_found("integration", integration_id)
        state, nonce = make_oauth_state(
            secret=request.app.state.jwt_secret, account_id=principal.account_id, integration_id=integration_id
        )
        await connection.execute(
            "INSERT INTO oauth_states (nonce, integration_id) VALUES ($1, $2)", nonce, integration_id
        )
    base = (settings.tiktok_authorize_base_url or settings.tiktok_auth_base_url).rstrip("/")
    if settings.tiktok_service_id:
        url = f"{base}/open/authorize?" + urlencode({"service_id": settings.tiktok_service_id, "state": state})
    else:
        url = f"{base}/oauth/authorize?" + urlencode({"app_key": settings.tiktok_app_key, "state": state})
    return {"authorization_url": url, "state": state}


@router.get("/oauth/tiktok/callback", tags=["oauth"])
async def oauth_callback(request: Request, state: str = "", code: str = "", error: str = "") -> dict[str, Any]:
    """Finish the authorization: check `state`, exchange the code, resolve the shop and subscribe webhooks."""
    from crossdock_tiktok_connector.service.oauth import connect

    try:
        claims = read_oauth_state(state, secret=request.app.state.jwt_secret)
    except TokenError as failure:
        raise ProblemError(status=400, title="Invalid OAuth state", detail=str(failure)) from None
    connector = _connector(request)
    async with connector.pool.acquire() as connection:
        used = await connection.fetchval(
            "UPDATE oauth_states SET used_at = now() WHERE nonce = $1 AND integration_id = $2 AND used_at IS NULL "
            "RETURNING true",
            claims["nonce"],
            claims["integration_id"],
        )
    if not used:
        raise ProblemError(
            status=400,
            title="Invalid OAuth state",
            detail="this state was already used or is unknown; start the authorization again",
        )
    if error or not code:
        await connector.set_status(
            claims["integration_id"], "error", f"authorization was not granted ({error or 'no code'})"
        )
        raise ProblemError(
            status=400, title="Authorization denied", detail=f"TikTok returned error={error or 'no code'}"
        )
    try:
        row = await connect(connector, claims["integration_id"], code)
    except TikTokApiError as failure:
        await connector.set_status(claims["integration_id"], "error", str(failure))
        raise ProblemError(status=502, title="TikTok authorization failed", detail=str(failure)) from None
    return _view(row)


@router.post("/v1/integrations/{integration_id}/sync", tags=["integrations"])
async def sync_now(integration_id: str, principal: Writer, request: Request) -> dict[str, Any]:
    """Run a sync round now and return the status.

    The round covers webhooks, orders, labels, fulfillments, inventory, commands and product push.
    """
    connector = _connector(request)
    async with connector.pool.acquire() as connection:
        row = await repository.integration(connection, integration_id, account_id=principal.account_id)
    if row is None:
        raise not_found("integration", integration_id)
    ran = await worker.sync_integration(connector, integration_id, wait_seconds=30)
    if not ran:
        raise ProblemError(
            status=409, title="Sync busy", detail="another sync round is still running; try again shortly"
        )
    return await integration_status(integration_id, principal, request)


@router.post("/v1/integrations/{integration_id}/products/pull", tags=["products"])
async def pull_products_now(integration_id: str, principal: Writer, request: Request) -> dict[str, Any]:
    """Pull the TikTok catalog now (needs products=pull) and return the report, with SKUs that could not link."""
    connector = _connector(request)
    async with connector.pool.acquire() as connection:
        row = await repository.integration(connection, integration_id, account_id=principal.account_id)
    if row is None:
        raise not_found("integration", integration_id)
    if row["settings"].get("products") != "pull":
        raise ProblemError(
            status=409, title="Products pull is off", detail="set products=pull to pull the TikTok catalog"
        )
    if row["status"] != "connected":
        raise ProblemError(
            status=409, title="Not connected", detail=f"integration status is {row['status']}; authorize the shop first"
        )
    return await products.pull_products(connector, integration_id)


@router.get("/v1/integrations/{integration_id}/status", tags=["integrations"])
async def integration_status(integration_id: str, principal: Reader, request: Request) -> dict[str, Any]:
    """Return the connection state, token expiry, last pulls and queued work of one integration."""
    async with _connector(request).pool.acquire() as connection:
        row = await repository.integration(connection, integration_id, account_id=principal.account_id)
        if row is None:
            raise not_found("integration", integration_id)
        inventory = await connection.fetch(
            "SELECT status, count(*) AS n FROM inventory_updates WHERE integration_id = $1 GROUP BY status",
            integration_id,
        )
        failed_inventory = await connection.fetch(
            "SELECT sku, warehouse_id, message FROM inventory_updates WHERE integration_id = $1 AND status = 'failed'",
            integration_id,
        )
        fulfillments = await connection.fetch(
            "SELECT fulfillment_id, order_id, status, message FROM fulfillments WHERE integration_id = $1 ORDER BY created_at",
            integration_id,
        )
        commands = await connection.fetch(
            "SELECT command_id, status, message FROM commands WHERE integration_id = $1 ORDER BY created_at",
            integration_id,
        )
        orders = await connection.fetchval("SELECT count(*) FROM orders WHERE integration_id = $1", integration_id)
        pushed = await product_push.push_status(connection, integration_id)
    expires = row["access_token_expires_at"]
    return {
        "integration_id": row["id"],
        "status": row["status"],
        "last_error": row["last_error"],
        "shop": _view(row)["shop"],
        "access_token_expires_at": expires.isoformat() if expires else None,
        "webhook_subscriptions": row["webhook_subscriptions"],
        "webhook_warning": row["webhook_warning"],
        "orders_seen": orders,
        "last_order_pull": row["last_order_pull"],
        "last_product_pull": row["last_product_pull"],
        "inventory": {r["status"]: r["n"] for r in inventory},
        "inventory_failures": [dict(r) for r in failed_inventory],
        "fulfillments": [dict(r) for r in fulfillments],
        "commands": [dict(r) for r in commands],
        "product_push": pushed,
    }


@router.post("/webhooks/tiktok", tags=["webhooks"])
async def receive_webhook(request: Request) -> Response:
    """Receive a TikTok webhook: verify the `Authorization` HMAC, queue it once and return 200 at once."""
    connector = _connector(request)
    settings = connector.settings
    raw = await request.body()
    if not verify_webhook(
        app_key=settings.tiktok_app_key,
        app_secret=settings.app_secret(),
        raw_body=raw,
        authorization=request.headers.get("Authorization"),
    ):
        raise ProblemError(
            status=401, title="Unauthorized", detail="invalid webhook signature in the Authorization header"
        )
    try:
        body = json.loads(raw)
        notification_id = str(body["tts_notification_id"])
    except (ValueError, KeyError, TypeError):
        raise ProblemError(
            status=400, title="Invalid webhook", detail="body must be JSON with tts_notification_id"
        ) from None
    new = await store_notification(connector, body)
    if new:
        worker.wake(request.app.state.runtime)
    logger.info("webhook %s type %s received (new: %s)", notification_id, body.get("type"), new)
    return Response(status_code=200)

