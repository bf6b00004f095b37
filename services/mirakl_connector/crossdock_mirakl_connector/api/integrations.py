"""Routes of Mirakl integrations: lifecycle, settings, actions and status."""

import uuid
from typing import Any
from urllib.parse import urlparse

import asyncpg
from crossdock_common.auth.dependencies import Reader, Writer
from crossdock_common.events import entity_key
from crossdock_common.service import ProblemError, ServiceRuntime, not_found
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, SecretStr, ValidationError

from crossdock_mirakl_connector.adapters import repository
from crossdock_mirakl_connector.domain.settings import IntegrationSettings, check_products_against_source
from crossdock_mirakl_connector.service_layer import commands, integrations, inventory

router = APIRouter(prefix="/v1/integrations", tags=["integrations"])


class IntegrationCreate(BaseModel):
    name: str = Field(default="Mirakl", min_length=1, description="display name")
    url: str = Field(description="full base URL of the Mirakl instance, e.g. https://marketplace.example.com")
    api_key: SecretStr = Field(description="shop API key (write-only, stored encrypted)")
    shop_id: int | None = Field(default=None, description="shop id, for keys that reach several shops")
    settings: dict[str, Any] = Field(default_factory=dict, description="settings; omitted ones take their defaults")


class IntegrationUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1)
    url: str | None = None
    api_key: SecretStr | None = Field(default=None, description="new shop API key (write-only)")
    shop_id: int | None = None


class OrderAction(BaseModel):
    line_ids: list[str] | None = Field(default=None, description="lines to act on; omitted means every line")
    reason_code: str | None = Field(default=None, description="Mirakl reason code (needed to cancel lines)")
    reason: str | None = None


def _runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime


def _check_url(url: str) -> str:
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ProblemError(
            status=422,
            title="Invalid URL",
            detail=f"url {url!r} is not an absolute http(s) URL; use the instance base URL, "
            "e.g. https://marketplace.example.com",
        )
    return url.strip()


async def _validated_settings(runtime: ServiceRuntime, account_id: str, values: dict[str, Any]) -> IntegrationSettings:
    try:
        settings = IntegrationSettings.model_validate(values)
    except ValidationError as error:
        problems = [
            {"setting": ".".join(str(part) for part in item["loc"]) or "settings", "message": item["msg"]}
            for item in error.errors()
        ]
        raise ProblemError(
            status=422,
            title="Invalid settings",
            detail="; ".join(f"{item['setting']}: {item['message']}" for item in problems),
            errors=problems,
        ) from None
    async with runtime.pool.acquire() as connection:
        source = await connection.fetchval(
            "SELECT catalog_source FROM catalog_sources WHERE account_id = $1", account_id
        )
    conflict = check_products_against_source(settings.products, source)
    if conflict:
        raise ProblemError(status=422, title="Invalid settings", detail=conflict, catalog_source=source)
    return settings


async def _owned(runtime: ServiceRuntime, account_id: str, integration_id: str) -> asyncpg.Record:
    async with runtime.pool.acquire() as connection:
        row = await repository.load_integration(connection, integration_id)
    if row is None or row["account_id"] != account_id:
        raise not_found("integration", integration_id)
    return row


@router.post("", status_code=201)
async def create_integration(body: IntegrationCreate, request: Request, principal: Writer) -> dict:
    """Create a Mirakl integration (status `disconnected` until connected)."""
    runtime = _runtime(request)
    settings = await _validated_settings(runtime, principal.account_id, body.settings)
    row = await integrations.create_integration(
        runtime,
        account_id=principal.account_id,
        name=body.name,
        url=_check_url(body.url),
        api_key=body.api_key.get_secret_value(),
        shop_id=body.shop_id,
        settings=settings,
    )
    return integrations.integration_view(row)


@router.get("")
async def list_integrations(request: Request, principal: Reader) -> list[dict]:
    """List the account's Mirakl integrations."""
    async with _runtime(request).pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT * FROM integrations WHERE account_id = $1 ORDER BY created_at", principal.account_id
        )
    return [integrations.integration_view(row) for row in rows]


@router.get("/{integration_id}")
async def get_integration(integration_id: str, request: Request, principal: Reader) -> dict:
    """Return one integration (never its API key)."""
    return integrations.integration_view(await _owned(_runtime(request), principal.account_id, integration_id))


@router.patch("/{integration_id}")
async def update_integration(integration_id: str, body: IntegrationUpdate, request: Request, principal: Writer) -> dict:
    """Change the name, URL, API key or shop id; a changed URL, key or shop needs a new connect."""
    runtime = _runtime(request)
    row = await _owned(runtime, principal.account_id, integration_id)
    credentials_changed = body.url is not None or body.api_key is not None or body.shop_id is not None
    async with runtime.pool.acquire() as connection, connection.transaction():
        row = await connection.fetchrow(
            "UPDATE integrations SET name = COALESCE($2, name), url = COALESCE($3, url), "
            "api_key_encrypted = COALESCE($4, api_key_encrypted), shop_id = COALESCE($5, shop_id), "
            "status = CASE WHEN $6 THEN 'disconnected' ELSE status END, updated_at = now() "
            "WHERE integration_id = $1 RETURNING *",
            integration_id,
            body.name,
            _check_url(body.url) if body.url is not None else None,
            runtime.secret_box.encrypt(body.api_key.get_secret_value()) if body.api_key is not None else None,
            body.shop_id,
            credentials_changed,
        )
        await integrations.publish_integration(runtime, connection, row)
    return integrations.integration_view(row)


@router.patch("/{integration_id}/settings")
async def update_settings(integration_id: str, body: dict[str, Any], request: Request, principal: Writer) -> dict:
    """Change settings; fields left out keep their values. Invalid values get a 422 naming the setting."""
    runtime = _runtime(request)
    row = await _owned(runtime, principal.account_id, integration_id)
    settings = await _validated_settings(runtime, principal.account_id, {**row["settings"], **body})
    return integrations.integration_view(await integrations.update_settings(runtime, integration_id, settings))


@router.post("/{integration_id}/connect")
async def connect(integration_id: str, request: Request, principal: Writer) -> dict:
    """Check the URL and key with A01 (once; Mirakl allows it once a day) and store the shop."""
    runtime = _runtime(request)
    await _owned(runtime, principal.account_id, integration_id)
    return integrations.integration_view(await integrations.connect(runtime, integration_id))


@router.post("/{integration_id}/disconnect")
async def disconnect(integration_id: str, request: Request, principal: Writer) -> dict:
    """Stop every sync of the integration; settings and data stay."""
    runtime = _runtime(request)
    await _owned(runtime, principal.account_id, integration_id)
    return integrations.integration_view(await integrations.disconnect(runtime, integration_id))


@router.post("/{integration_id}/inventory/resync", status_code=202)
async def force_resync(integration_id: str, request: Request, principal: Writer) -> dict:
    """Force a full inventory resync: inventory sends every SKU's availability and all are pushed."""
    runtime = _runtime(request)
    row = await _owned(runtime, principal.account_id, integration_id)
    if row["status"] != "connected":
        raise ProblemError(
            status=409,
            title="Not connected",
            detail=f"integration {integration_id} is {row['status']}; connect it first",
        )
    command_id = await inventory.request_resync(runtime, row, requested_by=f"user:{principal.account_id}")
    return {"command_id": command_id}


async def _order_action(
    request: Request, principal, integration_id: str, order_id: str, action: str, body: OrderAction
):
    runtime = _runtime(request)
    row = await _owned(runtime, principal.account_id, integration_id)
    command_id = f"api-{uuid.uuid4().hex}"
    async with runtime.pool.acquire() as connection, connection.transaction():
        await commands.record_command(
            connection,
            command_id=command_id,
            command_type=action,
            integration=row,
            order_id=order_id,
            line_ids=body.line_ids,
            reason_code=body.reason_code,
            requested_by=f"user:{principal.account_id}",
        )
        event = runtime.event(
            type=commands.COMMAND_TYPES[action],
            payload={
                "command_id": command_id,
                "integration_id": integration_id,
                "channel": "mirakl",
                "external_id": order_id,
                "line_ids": body.line_ids,
                "reason_code": body.reason_code,
                "reason": body.reason,
                "requested_by": f"user:{principal.account_id}",
            },
            account_id=principal.account_id,
            key=entity_key(principal.account_id, f"{integration_id}:{order_id}"),
            integration_id=integration_id,
        )
        await runtime.publish(connection, event)
    return {"command_id": command_id, "status": "pending"}


@router.post("/{integration_id}/orders/{order_id}/accept", status_code=202)
async def accept_order(integration_id: str, order_id: str, body: OrderAction, request: Request, principal: Writer):
    """Accept an order on Mirakl (OR21; lines not named are refused)."""
    return await _order_action(request, principal, integration_id, order_id, "accept", body)


@router.post("/{integration_id}/orders/{order_id}/refuse", status_code=202)
async def refuse_order(integration_id: str, order_id: str, body: OrderAction, request: Request, principal: Writer):
    """Refuse an order on Mirakl (OR21; lines not named are accepted)."""
    return await _order_action(request, principal, integration_id, order_id, "refuse", body)


@router.post("/{integration_id}/orders/{order_id}/cancel", status_code=202)
async def cancel_order(integration_id: str, order_id: str, body: OrderAction, request: Request, principal: Writer):
    """Cancel an order (OR29) or some of its lines (OR30, with a reason code)."""
    return await _order_action(request, principal, integration_id, order_id, "cancel", body)


@router.get("/{integration_id}/orders/awaiting-acceptance")
async def awaiting_acceptance(integration_id: str, request: Request, principal: Reader) -> list[dict]:
    """List orders waiting in WAITING_ACCEPTANCE with the reason and the acceptance deadline."""
    runtime = _runtime(request)
    await _owned(runtime, principal.account_id, integration_id)
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT order_id, acceptance_status, acceptance_reason, acceptance_deadline FROM orders "
            "WHERE integration_id = $1 AND state = 'WAITING_ACCEPTANCE' ORDER BY acceptance_deadline",
            integration_id,
        )
    return [dict(row) for row in rows]


@router.get("/{integration_id}/orders/{order_id}")
async def get_order(integration_id: str, order_id: str, request: Request, principal: Reader) -> dict:
    """Return the hub's copy of one order: the canonical view, Mirakl state and acceptance state."""
    runtime = _runtime(request)
    await _owned(runtime, principal.account_id, integration_id)
    async with runtime.pool.acquire() as connection:
        row = await connection.fetchrow(
            "SELECT order_id, state, canonical, acceptance_status, acceptance_reason, acceptance_deadline, "
            "last_updated_date FROM orders WHERE integration_id = $1 AND order_id = $2",
            integration_id,
            order_id,
        )
        command_rows = await connection.fetch(
            "SELECT command_id, command_type, status, attempts, last_error, requested_by FROM order_commands "
            "WHERE integration_id = $1 AND order_id = $2 ORDER BY created_at",
            integration_id,
            order_id,
        )
    if row is None:
        raise not_found("order", order_id)
    return {**dict(row), "commands": [dict(item) for item in command_rows]}


@router.get("/{integration_id}/carriers")
async def list_carriers(integration_id: str, request: Request, principal: Reader) -> list[dict]:
    """List the carrier table used for tracking (seeded from SH21 at connect)."""
    runtime = _runtime(request)
    await _owned(runtime, principal.account_id, integration_id)
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT carrier_key, carrier_code, carrier_name, tracking_url FROM carriers WHERE integration_id = $1 "
            "ORDER BY carrier_key",
            integration_id,
        )
    return [dict(row) for row in rows]


class CarrierMapping(BaseModel):
    carrier: str = Field(min_length=1, description="carrier name as 3PLs report it, matched case-insensitively")
    carrier_code: str | None = Field(default=None, description="Mirakl carrier code (SH21); None sends the name")
    carrier_name: str = Field(min_length=1)
    tracking_url: str | None = None


@router.put("/{integration_id}/carriers")
async def put_carrier(integration_id: str, body: CarrierMapping, request: Request, principal: Writer) -> dict:
    """Map a 3PL carrier name to a Mirakl carrier code, or to a free-text name and URL."""
    runtime = _runtime(request)
    await _owned(runtime, principal.account_id, integration_id)
    async with runtime.pool.acquire() as connection:
        await connection.execute(
            "INSERT INTO carriers (integration_id, carrier_key, carrier_code, carrier_name, tracking_url) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (integration_id, carrier_key) DO UPDATE SET "
            "carrier_code = EXCLUDED.carrier_code, carrier_name = EXCLUDED.carrier_name, "
            "tracking_url = EXCLUDED.tracking_url",
            integration_id,
            body.carrier.strip().lower(),
            body.carrier_code,
            body.carrier_name,
            body.tracking_url,
        )
    return body.model_dump()


@router.get("/{integration_id}/status")
async def integration_status(integration_id: str, request: Request, principal: Reader) -> dict:
    """Report each job's last run and counts, recent errors, per-SKU stock and product errors, and missed orders."""
    runtime = _runtime(request)
    row = await _owned(runtime, principal.account_id, integration_id)
    async with runtime.pool.acquire() as connection:
        jobs = await connection.fetch(
            "SELECT job, last_run_at, last_success_at, counts, details FROM job_status WHERE integration_id = $1 "
            "ORDER BY job",
            integration_id,
        )
        errors = await connection.fetch(
            "SELECT job, message, response, created_at FROM integration_errors WHERE integration_id = $1 "
            "ORDER BY id DESC LIMIT 20",
            integration_id,
        )
        inventory_errors = await connection.fetch(
            "SELECT channel_sku, warehouse_code, master_sku, last_error FROM inventory_lines "
            "WHERE integration_id = $1 AND last_error IS NOT NULL ORDER BY channel_sku",
            integration_id,
        )
        product_errors = await connection.fetch(
            "SELECT master_sku, channel_sku, 'product' AS stage, import_id, message FROM product_pushes "
            "WHERE integration_id = $1 AND status = 'failed' "
            "UNION ALL SELECT master_sku, channel_sku, 'offer' AS stage, import_id, message FROM offer_pushes "
            "WHERE integration_id = $1 AND status = 'failed' ORDER BY master_sku, stage",
            integration_id,
        )
        cursor = await repository.read_cursor(connection, integration_id, "orders")
    by_job = {job["job"]: dict(job) for job in jobs}
    return {
        "integration_id": integration_id,
        "status": row["status"],
        "last_error": row["last_error"],
        "warnings": row["warnings"],
        "settings": row["settings"],
        "jobs": by_job,
        "orders_cursor": cursor.get("since"),
        "reconciliation": (by_job.get("reconciliation") or {}).get("details"),
        "inventory_errors": [dict(item) for item in inventory_errors],
        "product_errors": [dict(item) for item in product_errors],
        "recent_errors": [dict(item) for item in errors],
    }
