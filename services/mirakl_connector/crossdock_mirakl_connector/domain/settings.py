"""Per-integration settings, their defaults and validation.

Names follow the product spec (`ordersStatuses`, `inventorySKUs`, ...) because
users set them under those names and other services read them from
`integration.upserted` events.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Order states of Mirakl's OR11 `order_state_codes` enumeration (seller OpenAPI).
MIRAKL_ORDER_STATES = (
    "STAGING",
    "WAITING_ACCEPTANCE",
    "WAITING_DEBIT",
    "WAITING_DEBIT_PAYMENT",
    "SHIPPING",
    "SHIPPED",
    "TO_COLLECT",
    "RECEIVED",
    "CLOSED",
    "REFUSED",
    "CANCELED",
)
DEFAULT_ORDER_STATES = ["WAITING_ACCEPTANCE", "REFUSED", "CANCELED"]

# Mirakl's published maximum call frequencies, in seconds between two calls
# (OR11 list orders: once a minute; STO01 stock import: once a minute; STO02
# import status: every 15 s). Poll intervals below these are rejected.
OR11_MIN_SECONDS = 60
STO01_MIN_SECONDS = 60
STO02_MIN_SECONDS = 15

ProductsMode = Literal["pull", "push", "disabled"]


class IntegrationSettings(BaseModel):
    """Settings of one Mirakl integration, as users set them through the API."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    products: ProductsMode = Field(
        default="disabled",
        description="pull offers and products from Mirakl, push the master catalog (P41 products and OF24 offers), "
        "or neither",
    )
    offerStateCode: str = Field(
        default="11",
        min_length=1,
        description="Mirakl offer condition (`state_code`) of pushed offers; 11 is 'new' on most operators, "
        "and OF61 lists the operator's codes",
    )
    ordersStatuses: list[str] = Field(
        default_factory=lambda: list(DEFAULT_ORDER_STATES),
        description="Mirakl order states that let an order enter the hub; tracked orders are followed in every state",
    )
    ordersAutoAccept: bool = Field(
        default=False, description="accept WAITING_ACCEPTANCE orders whose lines all resolve to master SKUs"
    )
    inventorySKUs: list[str] = Field(
        default_factory=list, description="allow list of master SKUs whose stock is pushed; empty means every SKU"
    )
    inventorySKUsExclude: list[str] = Field(
        default_factory=list, description="block list of master SKUs whose stock is never pushed"
    )
    pullLocations: bool = Field(default=False, description="discover Mirakl warehouse codes and publish them")
    syncOrders: bool = Field(default=True, description="pull orders")
    syncInventory: bool = Field(default=True, description="push stock")
    syncFulfillments: bool = Field(default=True, description="push tracking and ship confirmations")
    ordersPollSeconds: float = Field(
        default=300,
        description=f"seconds between two order pulls (OR11), at least {OR11_MIN_SECONDS}; "
        "multiplied by CROSSDOCK_MARKETPLACE_TIME_SCALE",
    )
    inventoryPushSeconds: float = Field(
        default=300,
        description=f"seconds between two stock imports (STO01), at least {STO01_MIN_SECONDS}; "
        "multiplied by CROSSDOCK_MARKETPLACE_TIME_SCALE",
    )
    importStatusSeconds: float = Field(
        default=60,
        description=f"seconds between two checks of a stock import (STO02), at least {STO02_MIN_SECONDS}; "
        "multiplied by CROSSDOCK_MARKETPLACE_TIME_SCALE",
    )
    reconcileSeconds: float = Field(
        default=3600,
        description=f"seconds between two missed-order checks (OR11), at least {OR11_MIN_SECONDS}; "
        "multiplied by CROSSDOCK_MARKETPLACE_TIME_SCALE",
    )
    acceptanceDeadlineHours: float = Field(
        default=72,
        gt=0,
        description="hours after creation when the operator auto-refuses an unaccepted order (operator-specific)",
    )
    inventoryMaxQuantity: int | None = Field(
        default=None, ge=0, description="largest quantity the operator accepts; higher quantities are clamped to it"
    )

    @field_validator("ordersStatuses")
    @classmethod
    def _known_states(cls, states: list[str]) -> list[str]:
        unknown = [state for state in states if state not in MIRAKL_ORDER_STATES]
        if unknown:
            raise ValueError(f"unknown Mirakl order state(s) {unknown}; use values from {list(MIRAKL_ORDER_STATES)}")
        if not states:
            raise ValueError("ordersStatuses is empty; select at least one Mirakl order state")
        return list(dict.fromkeys(states))

    @model_validator(mode="after")
    def _check_lists_and_intervals(self) -> "IntegrationSettings":
        overlap = sorted(set(self.inventorySKUs) & set(self.inventorySKUsExclude))
        if overlap:
            raise ValueError(
                f"SKUs {overlap} are in both inventorySKUs and inventorySKUsExclude; "
                "remove them from one list (use either an allow list or a block list for a SKU)"
            )
        minimums = {
            "ordersPollSeconds": OR11_MIN_SECONDS,
            "inventoryPushSeconds": STO01_MIN_SECONDS,
            "importStatusSeconds": STO02_MIN_SECONDS,
            "reconcileSeconds": OR11_MIN_SECONDS,
        }
        for name, minimum in minimums.items():
            value = getattr(self, name)
            if value < minimum:
                raise ValueError(
                    f"{name}={value:g} is below Mirakl's maximum call frequency; use at least {minimum} seconds"
                )
        return self

    def sku_eligible(self, master_sku: str) -> bool:
        """Return whether stock of `master_sku` may be pushed under the allow and block lists."""
        if self.inventorySKUs and master_sku not in self.inventorySKUs:
            return False
        return master_sku not in self.inventorySKUsExclude

    def public(self, *, shop_id: int | None) -> dict:
        """Return the settings other services read from `integration.upserted`, with `shopId`."""
        return {**self.model_dump(), "shopId": shop_id}


def check_products_against_source(mode: str, catalog_source: str | None) -> str | None:
    """Return why `products=mode` contradicts the account's catalog source, or None when it fits."""
    if catalog_source is None:
        return None
    if catalog_source in ("mirakl", "both") and mode != "pull":
        return (
            f"products={mode!r} contradicts the catalog source {catalog_source!r}: Mirakl is a catalog source, "
            "so this connector must pull products; set products to 'pull' or change the catalog source"
        )
    if catalog_source == "tiktok" and mode == "push":
        return (
            "products='push' contradicts the catalog source 'tiktok': only the source's catalog may be pushed "
            "from the hub when the source is 'other'; set products to 'pull' or 'disabled'"
        )
    return None
