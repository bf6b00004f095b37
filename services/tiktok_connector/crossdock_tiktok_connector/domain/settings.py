"""Integration settings of a TikTok Shop connector and the rules that check them."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

PUSH_REGIONS = frozenset({"US", "GB"})
# Mark Package As Shipped serves only these markets (TikTok API 202309 reference); elsewhere it returns 21008106.
MARK_AS_SHIPPED_REGIONS = frozenset({"US", "GB", "ES", "IE", "IT", "DE", "FR", "JP"})

ProductsMode = Literal["pull", "push", "disabled"]
FulfillmentMethod = Literal["auto", "mark_package_as_shipped", "ship_package"]


class SettingsError(ValueError):
    """A setting value is invalid; the message names the value and the fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class IntegrationSettings(BaseModel):
    """User-set options of one TikTok Shop integration, under the names the API uses."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    products: ProductsMode = "disabled"
    syncOrders: bool = True
    syncInventory: bool = True
    syncFulfillments: bool = True
    shopId: str | None = Field(default=None, description="the authorized shop this integration serves")
    locationPreference: str | None = Field(default=None, description="hub location routing seller-fulfilled orders")
    warehouseMap: dict[str, list[str]] = Field(default_factory=dict, description="TikTok warehouse id → hub locations")
    holdMinutes: int = Field(default=60, ge=0, le=24 * 60, description="minutes a new order waits before routing")
    fulfillmentMethod: FulfillmentMethod = Field(
        default="auto", description="auto picks Mark Package As Shipped where the region allows it"
    )
    carrierMap: dict[str, str] = Field(
        default_factory=dict, description="hub carrier name → TikTok shipping provider id"
    )
    defaultCategoryId: str | None = Field(default=None, description="leaf category for pushed products")

    @field_validator("warehouseMap")
    @classmethod
    def _locations_listed(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for warehouse_id, locations in value.items():
            if not locations or any(not location for location in locations):
                raise ValueError(f"warehouseMap[{warehouse_id!r}] must list at least one hub location id")
        return value


def check_products_mode(*, mode: str, region: str | None, catalog_source: str | None) -> None:
    """Reject a `products` setting that the shop's region or the account's catalog source forbids."""
    if mode == "push":
        if region is None:
            raise SettingsError(
                "products", "products=push needs a connected shop to check its region; connect the shop first"
            )
        if region not in PUSH_REGIONS:
            raise SettingsError(
                "products",
                f"products=push is not available for a shop in region {region}: pushing products to TikTok is "
                "supported only for US and GB shops; manage the catalog in TikTok Shop directly and use pull or disabled",
            )
        if catalog_source in ("tiktok", "both"):
            raise SettingsError(
                "products",
                f"products=push contradicts the catalog source {catalog_source!r}: TikTok is a catalog source, so use pull",
            )
        if catalog_source == "mirakl":
            raise SettingsError(
                "products",
                "products=push contradicts the catalog source 'mirakl': products come from Mirakl; "
                "use pull to link TikTok products, or disabled",
            )
    if mode == "disabled" and catalog_source in ("tiktok", "both"):
        raise SettingsError(
            "products", f"products=disabled contradicts the catalog source {catalog_source!r}; use pull"
        )


def choose_fulfillment_method(*, setting: str, region: str | None) -> str:
    """Return `mark_package_as_shipped` or `ship_package` for a seller-shipped order of this shop."""
    if setting != "auto":
        return setting
    return "mark_package_as_shipped" if region in MARK_AS_SHIPPED_REGIONS else "ship_package"


def public_settings(settings: IntegrationSettings, shop: dict[str, Any] | None, warehouses: list[dict]) -> dict:
    """Build the `settings` of `integration.upserted`: what other services need."""
    return {
        "products": settings.products,
        "region": (shop or {}).get("region"),
        "shopId": (shop or {}).get("id") or settings.shopId,
        "warehouses": [{"id": w["id"], "name": w.get("name", "")} for w in warehouses],
        "locationPreference": settings.locationPreference,
        "warehouseMap": settings.warehouseMap,
        "holdMinutes": settings.holdMinutes,
        "syncOrders": settings.syncOrders,
        "syncInventory": settings.syncInventory,
        "syncFulfillments": settings.syncFulfillments,
    }
