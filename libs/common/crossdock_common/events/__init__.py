"""Canonical events: the envelope, payload models, topics and the registry of every type.

`REGISTRY` contains every event type crossdock publishes. Services publish with
`REGISTRY.build(...)` and read with `REGISTRY.parse(raw_bytes)`, so a producer
and a consumer built separately agree on the wire.
"""

from crossdock_common.events import topics
from crossdock_common.events.envelope import EventEnvelope, EventSource, entity_key
from crossdock_common.events.payloads.command import CommandResultPayload, InventoryResyncPayload, OrderCommandPayload
from crossdock_common.events.payloads.fulfillment import FulfillmentChannelResultPayload, FulfillmentPayload
from crossdock_common.events.payloads.integration import IntegrationDeletedPayload, IntegrationPayload
from crossdock_common.events.payloads.inventory import ChannelAvailabilityPayload, StockLevelPayload
from crossdock_common.events.payloads.location import DiscoveredLocationPayload, LocationPayload
from crossdock_common.events.payloads.order import OrderLinesResolvedPayload, OrderPayload, OrderStatusChangedPayload
from crossdock_common.events.payloads.product import (
    CatalogSettingsPayload,
    ChannelProductPayload,
    ProductDeletedPayload,
    ProductPayload,
    ProductPushResultPayload,
)
from crossdock_common.events.registry import (
    EventRegistry,
    EventSchemaError,
    InvalidEventError,
    UnknownEventTypeError,
    UnsupportedEventVersionError,
)

REGISTRY = EventRegistry()

_TYPES = [
    (
        "integration.upserted",
        topics.INTEGRATIONS,
        IntegrationPayload,
        "an integration was created, connected or changed",
    ),
    ("integration.deleted", topics.INTEGRATIONS, IntegrationDeletedPayload, "an integration was removed"),
    ("product.upserted", topics.PRODUCTS, ProductPayload, "a master product, its channel options or links changed"),
    ("product.deleted", topics.PRODUCTS, ProductDeletedPayload, "a master product was removed"),
    ("catalog.settings_changed", topics.PRODUCTS, CatalogSettingsPayload, "the account's catalog source changed"),
    (
        "channel_product.upserted",
        topics.CHANNEL_PRODUCTS,
        ChannelProductPayload,
        "a connector saw a product on its channel",
    ),
    ("product.push_result", topics.CHANNEL_PRODUCTS, ProductPushResultPayload, "a product push to a channel finished"),
    (
        "location.discovered",
        topics.LOCATIONS,
        DiscoveredLocationPayload,
        "a connector found a warehouse on its channel",
    ),
    ("location.upserted", topics.LOCATIONS, LocationPayload, "a hub location or its link changed"),
    ("stock.changed", topics.INVENTORY, StockLevelPayload, "stock of a SKU at a location changed"),
    ("availability.changed", topics.INVENTORY, ChannelAvailabilityPayload, "what a channel should advertise changed"),
    ("order.received", topics.ORDERS, OrderPayload, "a connector ingested an order for the first time"),
    ("order.updated", topics.ORDERS, OrderPayload, "an ingested order changed on its channel"),
    ("order.lines_resolved", topics.ORDERS, OrderLinesResolvedPayload, "unresolved lines resolved to master SKUs"),
    (
        "order.status_changed",
        topics.ORDERS,
        OrderStatusChangedPayload,
        "order routing changed an order's canonical status",
    ),
    ("fulfillment.created", topics.FULFILLMENTS, FulfillmentPayload, "a 3PL shipped (part of) an order"),
    (
        "fulfillment.channel_result",
        topics.FULFILLMENTS,
        FulfillmentChannelResultPayload,
        "a fulfillment push to a channel finished",
    ),
    ("command.order.accept", topics.COMMANDS, OrderCommandPayload, "accept an order (or lines) on its channel"),
    ("command.order.refuse", topics.COMMANDS, OrderCommandPayload, "refuse an order (or lines) on its channel"),
    ("command.order.cancel", topics.COMMANDS, OrderCommandPayload, "cancel an order (or lines) on its channel"),
    ("command.inventory.resync", topics.COMMANDS, InventoryResyncPayload, "publish a full availability snapshot"),
    ("command.result", topics.COMMANDS, CommandResultPayload, "what became of a command"),
]
for _name, _topic, _model, _description in _TYPES:
    REGISTRY.register(name=_name, topic=_topic, version=1, model=_model, description=_description)

__all__ = [
    "REGISTRY",
    "EventEnvelope",
    "EventRegistry",
    "EventSchemaError",
    "EventSource",
    "InvalidEventError",
    "UnknownEventTypeError",
    "UnsupportedEventVersionError",
    "entity_key",
    "topics",
]
