"""Fulfillments: what a 3PL shipped, and what the channel confirmed."""

from typing import Literal

from pydantic import Field

from crossdock_common.events.payloads.common import Channel, Payload
from crossdock_common.events.types import Identifier, Text, UtcDatetime


class FulfilledLine(Payload):
    """Quantity of one order line in one shipment."""

    line_id: Identifier
    quantity: int = Field(gt=0)
    master_sku: Identifier | None = None
    channel_sku: Identifier | None = None


class FulfillmentPayload(Payload):
    """One shipment of (part of) an order, with its tracking."""

    fulfillment_id: str
    integration_id: str
    channel: Channel
    external_order_id: Identifier
    location_id: str | None = None
    shipping_request_id: str | None = None
    lines: list[FulfilledLine] = Field(min_length=1)
    carrier: Text
    tracking_number: Text | None = None
    tracking_url: Text | None = None
    shipped_at: UtcDatetime
    order_fully_shipped: bool = False


class FulfillmentChannelResultPayload(Payload):
    """Outcome of pushing a fulfillment to the order's channel."""

    fulfillment_id: str
    integration_id: str
    external_order_id: Identifier
    status: Literal["confirmed", "waiting", "failed"]
    message: Text | None = None
