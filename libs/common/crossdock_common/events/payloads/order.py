"""Orders: as a channel shows them (connectors) and as the hub routes them (order routing)."""

from typing import Literal

from pydantic import Field, model_validator

from crossdock_common.events.payloads.common import Address, Channel, Payload
from crossdock_common.events.types import CurrencyCode, Identifier, Money, Text, UtcDatetime

OrderStatus = Literal[
    "pending",
    "stalled",
    "routed",
    "sent_to_fulfillment",
    "partially_fulfilled",
    "fulfilled",
    "cancelled",
    "refused",
]
PendingReason = Literal["awaiting_acceptance", "awaiting_payment", "hold_window", "on_hold"]
StallReason = Literal[
    "no_location",
    "location_not_linked",
    "location_paused",
    "unknown_sku",
    "insufficient_inventory",
    "no_rule_matched",
    "awaiting_label",
    "dispatch_failed",
    "missing_address",
]
FulfillmentType = Literal["seller", "channel"]


class Tax(Payload):
    """One tax on an order line, as the channel reports it."""

    code: Text
    amount: Money
    rate: Money | None = None


class OrderLine(Payload):
    """One order line. TikTok's one-item-per-unit lines are aggregated by SKU before they get here."""

    line_id: Identifier
    channel_sku: Identifier
    master_sku: Identifier | None = Field(default=None, description="set once the channel SKU resolves to a master SKU")
    quantity: int = Field(gt=0)
    cancelled_quantity: int = Field(default=0, ge=0)
    unit_price: Money | None = None
    taxes: list[Tax] = Field(default_factory=list)
    title: Text | None = None
    channel_warehouse_id: str | None = None
    channel_status: Text | None = None


class OrderPayload(Payload):
    """An order. Connectors fill the channel view; order routing sets the canonical status."""

    integration_id: str
    channel: Channel
    external_id: Identifier
    channel_status: Text
    status: OrderStatus
    status_reason: str | None = None
    fulfillment_type: FulfillmentType = "seller"
    shipping_type: Text | None = Field(
        default=None, description="TikTok SELLER or TIKTOK (platform label); None on Mirakl"
    )
    currency: CurrencyCode
    total: Money | None = None
    lines: list[OrderLine] = Field(min_length=1)
    ship_to: Address | None = Field(
        default=None, description="None until the channel reveals it (Mirakl: from SHIPPING)"
    )
    created_at: UtcDatetime
    updated_at: UtcDatetime
    acceptance_deadline: UtcDatetime | None = None
    channel_warehouse_id: str | None = None
    shipping_document_ref: str | None = None

    @model_validator(mode="after")
    def _reason_fits_status(self) -> "OrderPayload":
        # Connectors publish orders in routable channel states (Mirakl SHIPPING,
        # TikTok AWAITING_SHIPMENT) as pending with no reason: order routing
        # decides what happens next. A reason, when given, must fit the status.
        allowed: dict[str, tuple[str, ...]] = {
            "pending": PendingReason.__args__,
            "stalled": StallReason.__args__,
        }
        if self.status_reason is not None and self.status in allowed and self.status_reason not in allowed[self.status]:
            raise ValueError(
                f"order {self.external_id!r} with status {self.status!r} needs status_reason "
                f"in {list(allowed[self.status])} or none, got {self.status_reason!r}"
            )
        return self


class OrderLinesResolvedPayload(Payload):
    """Lines of an order that resolved to master SKUs after catalog mappings changed."""

    integration_id: str
    channel: Channel
    external_id: Identifier
    lines: list[OrderLine]


class Allocation(Payload):
    """Quantities of order lines sent to one location."""

    location_id: str
    fulfillment_integration_id: str
    shipping_request_id: str
    lines: list[dict[str, int]] = Field(description="[{line_id: quantity}] for this location")


class OrderStatusChangedPayload(Payload):
    """A change of an order's canonical status in order routing, with the allocations when routed."""

    integration_id: str
    channel: Channel
    external_id: Identifier
    status: OrderStatus
    previous_status: OrderStatus | None = None
    status_reason: str | None = None
    detail: Text | None = None
    fulfillment_type: FulfillmentType = "seller"
    lines: list[OrderLine] = Field(default_factory=list)
    allocations: list[Allocation] = Field(default_factory=list)
