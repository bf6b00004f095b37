"""Stock per location (owned by inventory) and availability per channel."""

from pydantic import Field, model_validator

from crossdock_common.events.payloads.common import Payload
from crossdock_common.events.types import Identifier, Text


class StockLevelPayload(Payload):
    """Stock of one SKU at one location. `available` = on hand − committed, never below 0."""

    sku: Identifier
    location_id: str
    on_hand: int
    committed: int = Field(ge=0)
    available: int = Field(ge=0)
    cause: Text | None = None

    @model_validator(mode="after")
    def _available_matches(self) -> "StockLevelPayload":
        expected = max(self.on_hand - self.committed, 0)
        if self.available != expected:
            raise ValueError(
                f"available {self.available} for {self.sku!r} at {self.location_id} "
                f"must be max(on_hand - committed, 0) = {expected}"
            )
        return self


class ChannelAvailabilityPayload(Payload):
    """What one channel should advertise for one SKU, optionally per channel warehouse.

    `snapshot` marks a full resync: the connector pushes it even when unchanged.
    """

    integration_id: str
    sku: Identifier
    channel_sku: Identifier
    channel_warehouse_id: str | None = None
    quantity: int = Field(ge=0)
    snapshot: bool = False
    snapshot_id: str | None = None
