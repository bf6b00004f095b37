"""Integrations: one connected account of one connector type, and the settings others need."""

from typing import Any, Literal

from pydantic import Field

from crossdock_common.events.payloads.common import Payload
from crossdock_common.events.types import Text

IntegrationType = Literal["mirakl", "tiktok", "http_3pl"]
IntegrationStatus = Literal["disconnected", "connected", "error"]


class IntegrationPayload(Payload):
    """An integration's public state. Secrets never appear here.

    `settings` carries the settings other services use, under the names users
    set them with: for Mirakl `products`, `ordersStatuses`, `ordersAutoAccept`,
    `inventorySKUs`, `inventorySKUsExclude`, `pullLocations`, `syncOrders`,
    `syncInventory`, `syncFulfillments`; for TikTok `products`, `region`,
    `locationPreference`, `warehouseMap`, `holdMinutes` and the sync flags; for
    HTTP-3PL `url`.
    """

    integration_id: str
    type: IntegrationType
    name: Text
    status: IntegrationStatus
    last_error: Text | None = None
    supports_channel_sku: bool = False
    settings: dict[str, Any] = Field(default_factory=dict)


class IntegrationDeletedPayload(Payload):
    """An integration removed from its owner."""

    integration_id: str
    type: IntegrationType
