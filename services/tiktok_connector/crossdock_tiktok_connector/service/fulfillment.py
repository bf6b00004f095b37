"""Fulfillment push for seller-fulfilled orders, and shipping labels for TikTok-shipped orders.

Each hub shipment becomes its own TikTok package, so every tracking number
lands on the unit line items it covers: never two tracking numbers on one
package, never one tracking number for the whole order when only part shipped.
"""

import logging
import time
from typing import Any

from crossdock_common.events import entity_key

from crossdock_tiktok_connector.adapters import repository
from crossdock_tiktok_connector.adapters.client import TikTokClient
from crossdock_tiktok_connector.adapters.errors import (
    ConfigurationError,
    FulfilledByPlatformError,
    RegionNotSupportedError,
    TikTokApiError,
)
from crossdock_tiktok_connector.domain.orders import FULFILLMENT_BY_TIKTOK, unit_lines
from crossdock_tiktok_connector.domain.settings import IntegrationSettings, choose_fulfillment_method
from crossdock_tiktok_connector.service.integrations import Connector
from crossdock_tiktok_connector.service.orders import record_order, republish_order

logger = logging.getLogger(__name__)


class FulfillmentRejected(Exception):
    """A shipment that cannot be pushed as it is. The message names the cause and the fix."""


def choose_unit_lines(order: dict[str, Any], lines: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Pick unshipped, uncancelled unit line ids for each (SKU id, quantity); return (ids, capped notes).

    A quantity beyond what is left to ship is capped, so shipped never exceeds ordered.
    """
    open_units: dict[str, list[str]] = {}
    for unit in unit_lines(order):
        if not unit.shipped and not unit.cancelled:
            open_units.setdefault(unit.sku_id, []).append(unit.id)
    chosen: list[str] = []
    notes: list[str] = []
    for line in lines:
        available = open_units.get(str(line["line_id"]), [])
        wanted = int(line["quantity"])
        if wanted > len(available):
            notes.append(f"line {line['line_id']}: {wanted} requested, {len(available)} left to ship")
        chosen.extend(available[:wanted])
        del available[:wanted]
    return chosen, notes


async def push_fulfillment(connector: Connector, fulfillment_id: str) -> None:
    """Push one recorded hub shipment to TikTok and publish `fulfillment.channel_result`."""
    async with connector.pool.acquire() as connection:
        record = await connection.fetchrow("SELECT * FROM fulfillments WHERE fulfillment_id = $1", fulfillment_id)
        row = await repository.integration(connection, record["integration_id"])
    payload = record["payload"]
    settings = IntegrationSettings.model_validate(row["settings"])
    region = (row["shop"] or {}).get("region")

    status, message, packages = "failed", "", []
    try:
        async with connector.shop_client(row) as client:
            order = (await client.order_details([record["order_id"]]))[0]
            packages, message = await _ship(client, order, payload, settings=settings, region=region)
            status = "confirmed"
            refreshed = (await client.order_details([record["order_id"]]))[0]
        await record_order(connector, row, refreshed)
    except FulfillmentRejected as error:
        message = str(error)
    except RegionNotSupportedError as error:
        message = (
            f"{error.api_message} (code {error.code}): Mark Package As Shipped is not available for region {region}; "
            "set fulfillmentMethod to ship_package"
        )
        logger.error("fulfillment push needs a configuration change: %s", message, extra={"integration_id": row["id"]})
    except (ConfigurationError, FulfilledByPlatformError) as error:
        message = str(error)
        logger.error("fulfillment push rejected: %s", message, extra={"integration_id": row["id"]})
    except TikTokApiError as error:
        message = str(error)
        logger.warning("fulfillment push failed: %s", message, extra={"integration_id": row["id"]})

    async with connector.pool.acquire() as connection, connection.transaction():
        await connection.execute(
            "UPDATE fulfillments SET status = $2, message = $3, package_ids = $4, attempts = attempts + 1, "
            "updated_at = now() WHERE fulfillment_id = $1",
            fulfillment_id,
            status,
            message or None,
            packages,
        )
        event = connector.runtime.event(
            type="fulfillment.channel_result",
            payload={
                "fulfillment_id": fulfillment_id,
                "integration_id": row["id"],
                "external_order_id": record["order_id"],
                "status": status,
                "message": message or None,
            },
            account_id=row["account_id"],
            key=entity_key(row["account_id"], f"tiktok:{record['order_id']}"),
            integration_id=row["id"],
        )
        await connector.runtime.publish(connection, event)


async def _ship(
    client: TikTokClient,
    order: dict[str, Any],
    shipment: dict[str, Any],
    *,
    settings: IntegrationSettings,
    region: str | None,
) -> tuple[list[str], str]:
    if order.get("fulfillment_type") == FULFILLMENT_BY_TIKTOK:
        raise FulfillmentRejected(f"order {order['id']} is fulfilled by TikTok; no seller shipment is pushed")
    if order.get("shipping_type") == "TIKTOK":
        tracking = order.get("tracking_number") or ""
        if not tracking:
            raise FulfillmentRejected(
                f"order {order['id']} ships on a TikTok label that is not arranged yet; the connector arranges it first"
            )
        return [], f"shipped on the TikTok label, tracking {tracking}"

    unit_ids, notes = choose_unit_lines(order, shipment["lines"])
    if not unit_ids:
        raise FulfillmentRejected(f"nothing left to ship on order {order['id']}: {'; '.join(notes) or 'no open lines'}")
    tracking = (shipment.get("tracking_number") or "").strip()
    if not tracking:
        raise FulfillmentRejected(f"shipment of order {order['id']} has no tracking number; the 3PL must send one")
    provider_id = await _provider_id(client, order, shipment["carrier"], settings)

    method = choose_fulfillment_method(setting=settings.fulfillmentMethod, region=region)
    if method == "mark_package_as_shipped":
        data = await client.mark_package_as_shipped(
            order["id"], tracking_number=tracking, provider_id=provider_id, line_item_ids=unit_ids
        )
        package_ids = [str(data.get("package_id") or "")]
    else:
        package_id = await _package_for(client, order, unit_ids)
        await client.ship_package(
            package_id,
            {
                "handover_method": "DROP_OFF",
                "self_shipment": {"tracking_number": tracking, "shipping_provider_id": provider_id},
            },
        )
        package_ids = [package_id]
    message = f"shipped {len(unit_ids)} units with {method}"
    if notes:
        message += "; capped: " + "; ".join(notes)
    return package_ids, message


async def _package_for(client: TikTokClient, order: dict[str, Any], unit_ids: list[str]) -> str:
    """Return a package holding exactly `unit_ids`, splitting the order's package when the shipment is partial."""
    units = [unit for unit in unit_lines(order) if not unit.cancelled]
    by_package: dict[str, set[str]] = {}
    for unit in units:
        by_package.setdefault(unit.package_id, set()).add(unit.id)
    wanted = set(unit_ids)
    for package_id, ids in by_package.items():
        if package_id and ids == wanted:
            return package_id
    rest = [unit.id for unit in units if unit.id not in wanted and not unit.shipped]
    if not rest:
        raise FulfillmentRejected(f"order {order['id']}: the shipped lines do not match any package")
    created = await client.split_order(order["id"], [list(unit_ids), rest])
    return str(created[0]["id"])


async def _provider_id(client: TikTokClient, order: dict[str, Any], carrier: str, settings: IntegrationSettings) -> str:
    if carrier in settings.carrierMap:
        return settings.carrierMap[carrier]
    providers = await client.shipping_providers(order.get("delivery_option_id") or "")
    for provider in providers:
        if provider.get("name", "").strip().lower() == carrier.strip().lower():
            return str(provider["id"])
    names = ", ".join(provider.get("name", "") for provider in providers)
    raise FulfillmentRejected(
        f"carrier {carrier!r} matches no TikTok shipping provider of this delivery option ({names}); "
        "add it to the carrierMap setting"
    )


async def arrange_labels(connector: Connector, integration_id: str) -> int:
    """Arrange shipment of TikTok-label orders awaiting shipment and publish their shipping document reference."""
    async with connector.pool.acquire() as connection:
        row = await repository.integration(connection, integration_id)
        orders = await connection.fetch(
            "SELECT order_id, raw FROM orders WHERE integration_id = $1 AND shipping_type = 'TIKTOK' "
            "AND channel_status = 'AWAITING_SHIPMENT' AND fulfillment_type <> $2 AND shipping_document_ref IS NULL "
            "AND (label_status IS NULL OR label_status <> 'failed')",
            integration_id,
            FULFILLMENT_BY_TIKTOK,
        )
    settings = IntegrationSettings.model_validate(row["settings"])
    arranged = 0
    async with connector.shop_client(row) as client:
        for stored in orders:
            order = stored["raw"]
            paid = int(order.get("paid_time") or order.get("create_time") or 0)
            if paid + settings.holdMinutes * 60 > _now():
                continue
            try:
                document = await _arrange_label(client, order)
            except (TikTokApiError, FulfillmentRejected) as error:
                logger.warning("label for order %s failed: %s", order["id"], error, extra={"integration_id": row["id"]})
                async with connector.pool.acquire() as connection:
                    await connection.execute(
                        "UPDATE orders SET label_status = 'failed', label_error = $3 "
                        "WHERE integration_id = $1 AND order_id = $2",
                        integration_id,
                        stored["order_id"],
                        str(error),
                    )
                continue
            async with connector.pool.acquire() as connection:
                await connection.execute(
                    "UPDATE orders SET label_status = 'arranged', shipping_document_ref = $3 "
                    "WHERE integration_id = $1 AND order_id = $2",
                    integration_id,
                    stored["order_id"],
                    document,
                )
            refreshed = (await client.order_details([stored["order_id"]]))[0]
            await record_order(connector, row, refreshed)
            await republish_order(connector, integration_id, stored["order_id"])
            arranged += 1
    return arranged


async def _arrange_label(client: TikTokClient, order: dict[str, Any]) -> str:
    package_ids = [str(package["id"]) for package in order.get("packages") or []]
    if not package_ids:
        raise FulfillmentRejected(f"order {order['id']} has no package yet")
    documents = []
    for package_id in package_ids:
        await client.ship_package(package_id, {"handover_method": "PICKUP"})
        documents.append((await client.shipping_document(package_id)).get("doc_url") or "")
    return " ".join(documents)


def _now() -> int:
    return int(time.time())
