"""Availability API: what each channel was last sent, a simulation with reasons, and a forced resync."""

import uuid
from typing import Annotated, Any

from crossdock_common.auth.dependencies import Reader, Writer
from crossdock_common.service import ProblemError, not_found
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from crossdock_inventory.service_layer.availability import compute_for_skus, resync_integration

router = APIRouter(prefix="/v1/availability", tags=["availability"])


class ResyncIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    integration_id: Annotated[str, Field(min_length=1)]


@router.get("")
async def list_published(
    principal: Reader,
    request: Request,
    integration_id: str | None = None,
    sku: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """List the last availability published per integration, SKU and channel warehouse."""
    async with request.app.state.runtime.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT integration_id, sku, channel_sku, NULLIF(channel_warehouse_id, '') AS channel_warehouse_id, "
            "quantity, published_at FROM published_availability WHERE account_id = $1 "
            "AND ($2::text IS NULL OR integration_id = $2) AND ($3::text IS NULL OR sku = $3) "
            "ORDER BY integration_id, sku, channel_warehouse_id LIMIT $4",
            principal.account_id,
            integration_id,
            sku,
            limit,
        )
    return [dict(row) for row in rows]


@router.get("/simulate")
async def simulate(
    principal: Reader,
    request: Request,
    sku: Annotated[str, Query(min_length=1, description="master SKU, matched exactly")],
    integration_id: str | None = None,
) -> dict[str, Any]:
    """Show what each channel would receive for a SKU and why: per-location contributions, buffer, exclusions, lists."""
    async with request.app.state.runtime.pool.acquire() as connection:
        product = await connection.fetchrow(
            "SELECT status FROM products WHERE account_id = $1 AND sku = $2", principal.account_id, sku
        )
        if integration_id is not None:
            kind = await connection.fetchval(
                "SELECT type FROM integrations WHERE account_id = $1 AND integration_id = $2 AND NOT deleted",
                principal.account_id,
                integration_id,
            )
            if kind is None:
                raise not_found("integration", integration_id)
        results = await compute_for_skus(connection, principal.account_id, [sku], integration_id=integration_id)

    notes: list[str] = []
    if product is None:
        notes.append(f"product {sku!r} is unknown to inventory: nothing is published until catalog publishes it")
    elif product["status"] == "deleted":
        notes.append(f"product {sku!r} is deleted: nothing is published for it")
    elif not results:
        notes.append("no Mirakl or TikTok integration is known to inventory for this account")
    return {"sku": sku, "notes": notes, "channels": [result.to_dict() for result in results]}


@router.post("/resync", status_code=202)
async def resync(body: ResyncIn, principal: Writer, request: Request) -> dict[str, Any]:
    """Publish the current availability of every SKU for one integration as a full snapshot."""
    runtime = request.app.state.runtime
    snapshot_id = f"snapshot-{uuid.uuid4().hex[:12]}"
    async with runtime.pool.acquire() as connection, connection.transaction():
        kind = await connection.fetchval(
            "SELECT type FROM integrations WHERE account_id = $1 AND integration_id = $2 AND NOT deleted",
            principal.account_id,
            body.integration_id,
        )
        if kind is None:
            raise not_found("integration", body.integration_id)
        if kind not in ("mirakl", "tiktok"):
            raise ProblemError(
                status=422,
                title="Invalid integration",
                detail=f"integration {body.integration_id!r} is a {kind} integration; resync a Mirakl or TikTok one",
            )
        count = await resync_integration(
            connection,
            runtime,
            account_id=principal.account_id,
            integration_id=body.integration_id,
            snapshot_id=snapshot_id,
        )
    return {"snapshot_id": snapshot_id, "events": count}
