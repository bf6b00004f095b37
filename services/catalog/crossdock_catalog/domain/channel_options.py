"""Channel options of one product on one integration, and when a channel SKU may be set."""

from dataclasses import dataclass

from crossdock_common.events.types import Identifier
from pydantic import BaseModel, ConfigDict, Field

SALES_CHANNEL_TYPES = ("mirakl", "tiktok")


class ChannelOptionsInput(BaseModel):
    """A change to a product's options on one integration; fields left out keep their value.

    Field names follow the settings users see (`syncToChannel`, `inventoryBuffer`,
    `channelSku`); the snake_case names are accepted too.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sync_to_channel: bool | None = Field(default=None, alias="syncToChannel")
    inventory_buffer: int | None = Field(
        default=None, ge=0, alias="inventoryBuffer", description="units held back from this channel"
    )
    channel_sku: Identifier | None = Field(
        default=None,
        alias="channelSku",
        description="SKU on the channel when it differs from the master SKU; null or empty clears it",
    )


@dataclass(frozen=True)
class IntegrationView:
    """An integration as recorded from its integration events."""

    integration_id: str
    type: str
    name: str
    status: str
    supports_channel_sku: bool


class ChannelSkuRejected(ValueError):
    """A channel SKU cannot be set on this product and integration. The message gives the reason and the fix."""


def check_channel_sku_allowed(
    *, integration: IntegrationView, sku: str, product_type: str, parent_has_channel_skus: bool
) -> None:
    """Raise `ChannelSkuRejected` when a channel SKU may not be set on this product and integration."""
    if integration.type == "tiktok":
        raise ChannelSkuRejected(
            f"TikTok integration {integration.integration_id!r} has no channelSku: TikTok SKUs must equal the "
            f"master SKU, so set the seller SKU in TikTok Shop to {sku!r}"
        )
    if not integration.supports_channel_sku:
        raise ChannelSkuRejected(
            f"integration {integration.integration_id!r} ({integration.type}) does not support channelSku; "
            f"its SKUs must equal the master SKU {sku!r}"
        )
    if product_type == "parent" and not parent_has_channel_skus:
        raise ChannelSkuRejected(
            f"{sku!r} is a parent product without channel SKUs, so channelSku is not offered on it; "
            "set channelSku on its variants instead"
        )


def channel_sku_offered(*, integration: IntegrationView, product_type: str, parent_has_channel_skus: bool) -> bool:
    """Tell whether the channelSku option is shown for this product and integration."""
    if not integration.supports_channel_sku or integration.type == "tiktok":
        return False
    return product_type != "parent" or parent_has_channel_skus
