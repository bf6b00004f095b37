"""Records the sandbox keeps for shops, keys, catalog products, offers and shipments."""

from dataclasses import dataclass, field
from datetime import datetime

# Roles named in the seller OpenAPI security requirements. ROLE_SHOP_ADMIN is
# accepted by every shop operation.
ROLE_SHOP_ADMIN = "ROLE_SHOP_ADMIN"


@dataclass(kw_only=True)
class Shop:
    shop_id: int
    shop_name: str
    currency_iso_code: str = "EUR"
    shipping_country: str = "FRA"
    warehouse_codes: list[str] = field(default_factory=list)
    date_created: datetime


@dataclass(kw_only=True)
class ApiKey:
    """A shop user's key: the shops it reaches, its default shop and its roles."""

    key: str
    shop_ids: list[int]
    roles: frozenset[str]
    label: str = ""

    @property
    def default_shop_id(self) -> int:
        return self.shop_ids[0]

    def allows(self, required_roles: frozenset[str]) -> bool:
        return bool(self.roles & required_roles)


@dataclass(kw_only=True)
class Product:
    """An operator catalog product, found through P31 by its references."""

    product_sku: str
    title: str
    category_code: str
    category_label: str
    references: list[tuple[str, str]]  # (reference_type, reference), e.g. ("EAN", "3760...")
    brand: str = ""
    variant_group_code: str | None = None


@dataclass(kw_only=True)
class Offer:
    """A shop's offer on a catalog product; `shop_sku` is the seller's SKU."""

    offer_id: int
    shop_id: int
    shop_sku: str
    product_sku: str
    price: float
    state_code: str = "11"
    quantity: int = 0
    warehouses: dict[str, int] = field(default_factory=dict)
    description: str = ""
    internal_description: str | None = None
    leadtime_to_ship: int | None = None
    logistic_class: str | None = None
    min_quantity_alert: int | None = None
    min_order_quantity: int | None = None
    max_order_quantity: int | None = None
    package_quantity: int | None = None
    discount_price: float | None = None
    active: bool = True

    def available_quantity(self) -> int:
        """Return the sellable quantity: the sum over warehouses when stock is per warehouse."""
        if self.warehouses:
            return sum(self.warehouses.values())
        return self.quantity


@dataclass(kw_only=True)
class Shipment:
    """A multi-shipment record created by ST01."""

    shipment_id: str
    shop_id: int
    order_id: str
    lines: list[dict]
    status: str
    tracking: dict | None
    warehouse_code: str | None
    invoice_reference: str | None
    additional_information: list[dict] | None
    created_date: datetime
    last_updated_date: datetime
    shipped_date: datetime | None = None


@dataclass(kw_only=True)
class ImportJob:
    """An asynchronous import (STO01 stock, OF24 offers, P41 products).

    The job is WAITING until `running_at`, RUNNING until `done_at`, then its
    effect is applied once and it reports COMPLETE (or FAILED).
    """

    import_id: str
    kind: str  # "stock", "offers" or "products"
    shop_id: int
    created_date: datetime
    running_at: float
    done_at: float
    payload: object
    applied: bool = False
    failed: bool = False
    lines_read: int = 0
    lines_in_success: int = 0
    lines_in_error: int = 0
    offer_inserted: int = 0
    offer_updated: int = 0
    offer_deleted: int = 0
    error_lines: list[tuple[int, str, str]] = field(default_factory=list)  # (line number, reason, raw line)
    header: str = ""

    def status_at(self, now: float) -> str:
        if now < self.running_at:
            return "WAITING"
        if not self.applied:
            return "RUNNING"
        return "FAILED" if self.failed else "COMPLETE"
