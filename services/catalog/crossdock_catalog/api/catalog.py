"""Catalog settings, channel products (linked and unmatched), integrations and the SKU audit."""

from typing import Annotated, Any, Literal

from crossdock_common.auth.dependencies import Reader, Writer
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from crossdock_catalog.adapters import repository
from crossdock_catalog.api.common import channel_product_json, runtime_of, transaction
from crossdock_catalog.domain.source import CatalogSource
from crossdock_catalog.service_layer import catalog_settings
from crossdock_catalog.service_layer.audit import audit_account

router = APIRouter(prefix="/v1", tags=["catalog"])


class CatalogSettingsInput(BaseModel):
    """The account's catalog settings."""

    model_config = ConfigDict(extra="forbid")

    catalog_source: CatalogSource


@router.get("/catalog/settings")
async def get_settings(request: Request, principal: Reader) -> dict[str, Any]:
    """Return the catalog source (`other` until set)."""
    async with transaction(request) as connection:
        return await catalog_settings.read_settings(connection, principal.account_id)


@router.put("/catalog/settings")
async def put_settings(
    request: Request,
    principal: Writer,
    settings: CatalogSettingsInput,
    force: Annotated[bool, Query(description="switch even though products exist from both channels")] = False,
) -> dict[str, Any]:
    """Set the catalog source; 409 with the number of affected products when both channels have products."""
    async with transaction(request) as connection:
        return await catalog_settings.change_source(
            connection, runtime_of(request), principal.account_id, settings.catalog_source, force=force
        )


@router.get("/channel-products")
async def list_channel_products(
    request: Request,
    principal: Reader,
    state: Literal["linked", "unmatched"] | None = None,
    integration_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """List channel products as the connectors sent them, with their master or the reason they are unmatched."""
    async with transaction(request) as connection:
        rows = await repository.list_channel_products(
            connection, principal.account_id, state=state, integration_id=integration_id, limit=limit, offset=offset
        )
    return {"items": [channel_product_json(row) for row in rows], "limit": limit, "offset": offset}


@router.get("/integrations")
async def list_integrations(request: Request, principal: Reader) -> list[dict[str, Any]]:
    """List the integrations recorded from integration events."""
    async with transaction(request) as connection:
        rows = await repository.list_integrations(connection, principal.account_id)
    return [
        {
            "integration_id": row["integration_id"],
            "type": row["type"],
            "name": row["name"],
            "status": row["status"],
            "supports_channel_sku": row["supports_channel_sku"],
        }
        for row in rows
    ]


@router.get("/audit/skus")
async def sku_audit(request: Request, principal: Reader) -> dict[str, Any]:
    """Report SKU collisions, near-misses, duplicate channel SKUs and masters without a channel link."""
    async with transaction(request) as connection:
        return await audit_account(connection, principal.account_id)
