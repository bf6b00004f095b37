"""Location discovery (only with `pullLocations` on).

Mirakl's seller API has no warehouse list, so warehouse codes are collected
where they appear: `warehouses[]` of OF21 offers and `shipping_from.warehouse`
of order lines. The shop's global stock is one more location, with code "".
Each code is published once as `location.discovered`; inventory turns it into
a hub location.
"""

import logging

import asyncpg
from crossdock_common.events import entity_key
from crossdock_common.service import ServiceRuntime

logger = logging.getLogger(__name__)

GLOBAL_CODE = ""


async def publish_discovered(
    runtime: ServiceRuntime, connection: asyncpg.Connection, integration: asyncpg.Record, code: str, evidence: str
) -> bool:
    """Publish a warehouse code the first time it is seen; return True when it was new."""
    new = await connection.fetchval(
        "INSERT INTO discovered_locations (integration_id, external_code, evidence) VALUES ($1, $2, $3) "
        "ON CONFLICT (integration_id, external_code) DO NOTHING RETURNING true",
        integration["integration_id"],
        code,
        [evidence],
    )
    if not new:
        return False
    shop = integration["shop_name"] or f"shop {integration['shop_id']}"
    name = f"{shop} global stock" if code == GLOBAL_CODE else f"{shop} warehouse {code}"
    event = runtime.event(
        type="location.discovered",
        payload={
            "integration_id": integration["integration_id"],
            "external_code": code,
            "name": name,
            "evidence": [evidence],
        },
        account_id=integration["account_id"],
        key=entity_key(integration["account_id"], f"{integration['integration_id']}:{code}"),
        integration_id=integration["integration_id"],
    )
    await runtime.publish(connection, event)
    logger.info("discovered Mirakl location %r", code, extra={"integration_id": integration["integration_id"]})
    return True


async def note_order_warehouses(
    runtime: ServiceRuntime, connection: asyncpg.Connection, integration: asyncpg.Record, canonical
) -> None:
    """Publish the shipping-origin warehouse codes of an order's lines."""
    for line in canonical.lines:
        if line.channel_warehouse_id:
            await publish_discovered(
                runtime,
                connection,
                integration,
                line.channel_warehouse_id,
                f"OR11 order {canonical.external_id} line {line.line_id}",
            )


async def note_offer_warehouses(
    runtime: ServiceRuntime, connection: asyncpg.Connection, integration: asyncpg.Record, offers: list[dict]
) -> int:
    """Publish the global location and the warehouse codes of OF21 offers; return how many were new."""
    new = 0
    if await publish_discovered(runtime, connection, integration, GLOBAL_CODE, "the shop's global offer quantity"):
        new += 1
    for offer in offers:
        for warehouse in offer.get("warehouses") or []:
            code = warehouse.get("code")
            if code and await publish_discovered(
                runtime, connection, integration, str(code), f"OF21 offer {offer.get('shop_sku')}"
            ):
                new += 1
    return new
