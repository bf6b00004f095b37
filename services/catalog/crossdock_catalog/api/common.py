"""Helpers shared by the catalog routers: the runtime, transactions and response shapes."""

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from crossdock_common.service import ServiceRuntime
from fastapi import Request

from crossdock_catalog.domain.channel_options import channel_sku_offered


def runtime_of(request: Request) -> ServiceRuntime:
    return request.app.state.runtime


@contextlib.asynccontextmanager
async def transaction(request: Request) -> AsyncIterator[asyncpg.Connection]:
    """Yield a connection inside a transaction that commits when the block ends without error."""
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as connection, connection.transaction():
        yield connection


def product_json(row: Any) -> dict[str, Any]:
    return {
        "sku": row["sku"],
        "product_type": row["product_type"],
        "parent_sku": row["parent_sku"],
        "title": row["title"],
        "description": row["description"],
        "gtin": row["gtin"],
        "price": str(row["price"]) if row["price"] is not None else None,
        "currency": row["currency"],
        "images": row["images"],
        "attributes": row["attributes"],
        "status": row["status"],
        "owner_integration_id": row["owner_integration_id"],
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }


def channel_options_json(
    option: dict[str, Any], integration: Any, product_type: str, parent_has_channel_skus: bool
) -> dict[str, Any]:
    return {
        "integrationId": option["integration_id"],
        "integrationType": integration.type,
        "syncToChannel": option["sync_to_channel"],
        "inventoryBuffer": option["inventory_buffer"],
        "channelSku": option["channel_sku"],
        "channelSkuOffered": channel_sku_offered(
            integration=integration, product_type=product_type, parent_has_channel_skus=parent_has_channel_skus
        ),
    }


def channel_product_json(row: Any) -> dict[str, Any]:
    return {
        "integration_id": row["integration_id"],
        "channel": row["channel"],
        "channel_product_id": row["channel_product_id"],
        "channel_sku": row["channel_sku"],
        "product_type": row["product_type"],
        "parent_channel_product_id": row["parent_channel_product_id"],
        "title": row["title"],
        "gtin": row["gtin"],
        "channel_status": row["channel_status"],
        "problems": row["problems"],
        "master_sku": row["master_sku"],
        "state": "linked" if row["master_sku"] is not None else "unmatched",
        "unmatched_reason": row["unmatched_reason"],
        "channel_updated_at": row["channel_updated_at"].isoformat() if row["channel_updated_at"] else None,
    }
