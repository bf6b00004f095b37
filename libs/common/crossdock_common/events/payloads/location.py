"""Locations: warehouses and 3PL sites that stock is kept at and orders are routed to."""

from typing import Literal

from pydantic import Field

from crossdock_common.events.payloads.common import Address, Payload
from crossdock_common.events.types import Identifier, Text


class DiscoveredLocationPayload(Payload):
    """A warehouse a connector found on its channel; inventory turns it into a hub location."""

    integration_id: str
    external_code: Identifier = Field(
        description="the channel's warehouse code; empty string for the shop's global stock"
    )
    name: Text
    address: Address | None = None
    evidence: list[Text] = Field(default_factory=list, description="where the code was seen, e.g. 'OF21 offer SKU-1'")


class LocationPayload(Payload):
    """A hub location and the fulfillment integration it is linked to."""

    location_id: str
    name: Text
    address: Address | None = None
    source_integration_id: str | None = None
    external_code: Identifier | None = None
    status: Literal["active", "paused"] = "active"
    fulfillment_integration_id: str | None = Field(default=None, description="linked 3PL or warehouse integration")
    exclude_from_totals: bool = False
    excluded_integration_ids: list[str] = Field(default_factory=list)
    priority: int = 100
