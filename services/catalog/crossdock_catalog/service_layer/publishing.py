"""Build product events from the database and queue them in the outbox with the change that caused them."""

from dataclasses import dataclass, field
from typing import Any

import asyncpg
from crossdock_common.events import EventEnvelope, entity_key
from crossdock_common.events.payloads.product import ProductPayload
from crossdock_common.service import ServiceRuntime

from crossdock_catalog.adapters import repository


@dataclass
class Changes:
    """Master SKUs touched in one transaction; each gets one event when the transaction publishes."""

    upserted: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)

    def touch(self, *skus: str | None) -> None:
        for sku in skus:
            if sku is not None:
                self.upserted.add(sku)


def product_key(account_id: str, sku: str) -> str:
    return entity_key(account_id, f"product:{sku}")


async def effective_options(
    connection: asyncpg.Connection, account_id: str, sku: str, integrations: list | None = None
) -> list[dict[str, Any]]:
    """Return one channel-options row per sales integration: stored values, or the defaults."""
    if integrations is None:
        integrations = await repository.list_sales_integrations(connection, account_id)
    stored = await repository.get_options(connection, account_id, sku)
    rows = []
    for integration in integrations:
        option = stored.get(integration.integration_id)
        rows.append(
            {
                "integration_id": integration.integration_id,
                "sync_to_channel": option["sync_to_channel"] if option else True,
                "inventory_buffer": option["inventory_buffer"] if option else 0,
                "channel_sku": option["channel_sku"] if option else None,
            }
        )
    return rows


async def build_product_payload(
    connection: asyncpg.Connection, account_id: str, sku: str, integrations: list | None = None
) -> ProductPayload | None:
    """Return the product event payload of a master, with its channel options and links, or None if absent."""
    row = await repository.get_product(connection, account_id, sku)
    if row is None:
        return None
    links = await repository.channel_products_linked_to(connection, account_id, sku)
    return ProductPayload(
        sku=row["sku"],
        product_type=row["product_type"],
        parent_sku=row["parent_sku"],
        title=row["title"],
        description=row["description"],
        gtin=row["gtin"],
        price=row["price"],
        currency=row["currency"],
        images=row["images"],
        attributes=row["attributes"],
        status=row["status"],
        owner_integration_id=row["owner_integration_id"],
        channel_options=await effective_options(connection, account_id, sku, integrations),
        channel_links=[
            {
                "integration_id": link["integration_id"],
                "channel_product_id": link["channel_product_id"],
                "channel_sku": link["channel_sku"],
            }
            for link in links
        ],
        updated_at=row["updated_at"],
    )


async def publish_changes(
    connection: asyncpg.Connection,
    runtime: ServiceRuntime,
    account_id: str,
    changes: Changes,
    cause: EventEnvelope | None = None,
) -> None:
    """Queue `product.upserted` for each touched master that exists and `product.deleted` for each removed one."""
    integrations = await repository.list_sales_integrations(connection, account_id)
    for sku in sorted(changes.deleted):
        event = runtime.event(
            type="product.deleted",
            payload={"sku": sku},
            account_id=account_id,
            key=product_key(account_id, sku),
            cause=cause,
        )
        await runtime.publish(connection, event)
    for sku in sorted(changes.upserted - changes.deleted):
        payload = await build_product_payload(connection, account_id, sku, integrations)
        if payload is None:
            continue
        event = runtime.event(
            type="product.upserted",
            payload=payload,
            account_id=account_id,
            key=product_key(account_id, sku),
            cause=cause,
        )
        await runtime.publish(connection, event)
