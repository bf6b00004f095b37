"""Master products, owned by catalog, and channel products as a connector reads them from its channel."""

from typing import Literal

from pydantic import Field, model_validator

from crossdock_common.events.payloads.common import Channel, Payload
from crossdock_common.events.types import CurrencyCode, Identifier, Money, Text, UtcDatetime

ProductType = Literal["simple", "parent", "variant"]
CatalogSource = Literal["mirakl", "tiktok", "both", "other"]


class ChannelOptions(Payload):
    """Options of one product on one integration: sync flag, inventory buffer and channel SKU."""

    integration_id: str
    sync_to_channel: bool = True
    inventory_buffer: int = Field(default=0, ge=0)
    channel_sku: Identifier | None = Field(default=None, min_length=1)


class ChannelLink(Payload):
    """A channel product linked to the master product."""

    integration_id: str
    channel_product_id: Identifier | None = None
    channel_sku: Identifier


class ProductPayload(Payload):
    """A master product. `sku` is the account's unique key, matched exactly."""

    sku: Identifier = Field(min_length=1)
    product_type: ProductType = "simple"
    parent_sku: Identifier | None = None
    title: Text = ""
    description: Text | None = None
    gtin: Identifier | None = None
    price: Money | None = None
    currency: CurrencyCode | None = None
    images: list[str] = Field(default_factory=list)
    attributes: dict[str, Text] = Field(default_factory=dict)
    status: Literal["active", "inactive", "deleted"] = "active"
    owner_integration_id: str | None = Field(
        default=None,
        description="integration whose pull created the master and alone updates it; None for hub-made masters",
    )
    channel_options: list[ChannelOptions] = Field(default_factory=list)
    channel_links: list[ChannelLink] = Field(default_factory=list)
    updated_at: UtcDatetime | None = None

    @model_validator(mode="after")
    def _variant_has_parent(self) -> "ProductPayload":
        if self.product_type == "variant" and not self.parent_sku:
            raise ValueError(f"variant {self.sku!r} needs parent_sku")
        if self.product_type != "variant" and self.parent_sku:
            raise ValueError(f"{self.product_type} product {self.sku!r} cannot have parent_sku")
        if self.price is not None and self.currency is None:
            raise ValueError(f"product {self.sku!r} has a price but no currency")
        return self


class ProductDeletedPayload(Payload):
    """A master product removed from the catalog."""

    sku: Identifier = Field(min_length=1)


class CatalogSettingsPayload(Payload):
    """Account-wide catalog settings that connectors check their `products` setting against."""

    catalog_source: CatalogSource


class ChannelProductPayload(Payload):
    """A product (one SKU) as a channel shows it; catalog links it to a master or creates one."""

    integration_id: str
    channel: Channel
    channel_product_id: Identifier
    channel_sku: Identifier = Field(description="seller SKU on the channel, kept exactly as the channel sent it")
    product_type: ProductType = "simple"
    parent_channel_product_id: Identifier | None = None
    title: Text = ""
    description: Text | None = None
    gtin: Identifier | None = None
    price: Money | None = None
    currency: CurrencyCode | None = None
    images: list[str] = Field(default_factory=list)
    attributes: dict[str, Text] = Field(default_factory=dict)
    status: Text = "active"
    problems: list[Text] = Field(
        default_factory=list, description="what the connector could not map, e.g. an empty seller_sku"
    )
    updated_at: UtcDatetime | None = None


class ProductPushResultPayload(Payload):
    """Outcome of pushing one master product to a channel (product push status per SKU)."""

    integration_id: str
    sku: Identifier
    status: Literal["pending", "succeeded", "failed"]
    message: Text | None = None
    import_id: str | None = None
