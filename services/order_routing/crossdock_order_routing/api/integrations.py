"""HTTP-3PL integrations: create, change, test; secrets are write-only."""

import logging
import uuid
from datetime import datetime
from typing import Annotated

import asyncpg
from crossdock_common.auth.dependencies import Reader, Writer
from crossdock_common.events import entity_key
from crossdock_common.http.errors import ClientError
from crossdock_common.service import ServiceRuntime, not_found
from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from crossdock_order_routing.adapters.threepl import ThreePLClient
from crossdock_order_routing.api.deps import Runtime
from crossdock_order_routing.service_layer.reevaluation import STALLED, reevaluate

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/integrations/http-3pl", tags=["HTTP-3PL integrations"])

Url = Annotated[str, Field(pattern=r"^https?://[^\s]+$", max_length=2048, description="base URL of the 3PL API")]
Secret = Annotated[str, Field(min_length=16, max_length=512, description="shared secret; write-only")]


class IntegrationCreate(BaseModel):
    """A new HTTP-3PL integration."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=255)]
    url: Url
    secret: Secret


class IntegrationChange(BaseModel):
    """Fields to change; omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    url: Url | None = None
    secret: Secret | None = None


class IntegrationView(BaseModel):
    """An HTTP-3PL integration. The secret is never returned."""

    integration_id: str
    name: str
    url: str
    status: str
    last_error: str | None
    last_tested_at: datetime | None
    shipments_path: str = Field(description="path the 3PL posts shipments to, on this service's base URL")


def _view(row: asyncpg.Record) -> IntegrationView:
    return IntegrationView(
        integration_id=row["integration_id"],
        name=row["name"],
        url=row["url"],
        status=row["status"],
        last_error=row["last_error"],
        last_tested_at=row["last_tested_at"],
        shipments_path=f"/v1/3pl/{row['integration_id']}/shipments",
    )


async def _publish(runtime: ServiceRuntime, connection: asyncpg.Connection, row: asyncpg.Record) -> None:
    """Publish `integration.upserted`, which lets inventory offer the integration as a link target."""
    event = runtime.event(
        type="integration.upserted",
        payload={
            "integration_id": row["integration_id"],
            "type": "http_3pl",
            "name": row["name"],
            "status": row["status"],
            "last_error": row["last_error"],
            "supports_channel_sku": False,
            "settings": {"url": row["url"]},
        },
        account_id=row["account_id"],
        key=entity_key(row["account_id"], row["integration_id"]),
        integration_id=row["integration_id"],
    )
    await runtime.publish(connection, event)


async def _load(connection: asyncpg.Connection, account_id: str, integration_id: str) -> asyncpg.Record:
    row = await connection.fetchrow(
        "SELECT * FROM threepl_integrations WHERE integration_id = $1 AND account_id = $2", integration_id, account_id
    )
    if row is None:
        raise not_found("HTTP-3PL integration", integration_id)
    return row


@router.post("", status_code=status.HTTP_201_CREATED, response_model=IntegrationView)
async def create_integration(body: IntegrationCreate, principal: Writer, runtime: Runtime) -> IntegrationView:
    """Create an HTTP-3PL integration; test it next with `POST …/{integration_id}/test`."""
    integration_id = f"3pl-{uuid.uuid4().hex[:12]}"
    encrypted = runtime.secret_box.encrypt(body.secret)
    async with runtime.pool.acquire() as connection, connection.transaction():
        row = await connection.fetchrow(
            "INSERT INTO threepl_integrations (integration_id, account_id, name, url, secret_encrypted) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING *",
            integration_id,
            principal.account_id,
            body.name,
            body.url.rstrip("/"),
            encrypted,
        )
        await _publish(runtime, connection, row)
        # A location may already be linked to this id (the link can come first).
        await reevaluate(runtime, connection, account_id=principal.account_id, where=STALLED)
    logger.info("created HTTP-3PL integration", extra={"integration_id": integration_id})
    return _view(row)


@router.get("", response_model=list[IntegrationView])
async def list_integrations(principal: Reader, runtime: Runtime) -> list[IntegrationView]:
    """List the account's HTTP-3PL integrations."""
    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT * FROM threepl_integrations WHERE account_id = $1 ORDER BY created_at", principal.account_id
        )
    return [_view(row) for row in rows]


@router.get("/{integration_id}", response_model=IntegrationView)
async def get_integration(integration_id: str, principal: Reader, runtime: Runtime) -> IntegrationView:
    """Show one HTTP-3PL integration."""
    async with runtime.pool.acquire() as connection:
        return _view(await _load(connection, principal.account_id, integration_id))


@router.patch("/{integration_id}", response_model=IntegrationView)
async def change_integration(
    integration_id: str, body: IntegrationChange, principal: Writer, runtime: Runtime
) -> IntegrationView:
    """Change name, URL or secret. A new URL or secret sets the status back to `disconnected` until tested."""
    async with runtime.pool.acquire() as connection, connection.transaction():
        row = await _load(connection, principal.account_id, integration_id)
        reconnect = body.url is not None or body.secret is not None
        row = await connection.fetchrow(
            "UPDATE threepl_integrations SET name = $2, url = $3, secret_encrypted = $4, status = $5, "
            "last_error = $6, updated_at = now() WHERE integration_id = $1 RETURNING *",
            integration_id,
            body.name or row["name"],
            body.url.rstrip("/") if body.url else row["url"],
            runtime.secret_box.encrypt(body.secret) if body.secret else row["secret_encrypted"],
            "disconnected" if reconnect else row["status"],
            None if reconnect else row["last_error"],
        )
        await _publish(runtime, connection, row)
    return _view(row)


@router.post("/{integration_id}/test", response_model=IntegrationView)
async def test_integration(integration_id: str, principal: Writer, runtime: Runtime) -> IntegrationView:
    """Check the URL and the shared secret with a signed call that changes nothing at the 3PL."""
    async with runtime.pool.acquire() as connection:
        row = await _load(connection, principal.account_id, integration_id)
    client = ThreePLClient(
        base_url=row["url"],
        secret=runtime.secret_box.decrypt(row["secret_encrypted"]),
        integration_id=integration_id,
        timeout=runtime.settings.threepl_timeout_seconds,
        attempts=1,
        backoff_seconds=runtime.settings.threepl_backoff_seconds,
    )
    status_value, error = "connected", None
    try:
        response = await client.probe()
        if response.status_code == 401:
            status_value, error = "error", "the 3PL rejected the signature (401); re-check the shared secret"
    except ClientError as failure:
        status_value, error = (
            "error",
            f"the call to the 3PL at the configured URL failed: {failure}; re-check the URL",
        )
    if error is not None:
        logger.warning("HTTP-3PL integration test failed: %s", error, extra={"integration_id": integration_id})

    async with runtime.pool.acquire() as connection, connection.transaction():
        row = await connection.fetchrow(
            "UPDATE threepl_integrations SET status = $2, last_error = $3, last_tested_at = now(), updated_at = now() "
            "WHERE integration_id = $1 RETURNING *",
            integration_id,
            status_value,
            error,
        )
        await _publish(runtime, connection, row)
    return _view(row)
