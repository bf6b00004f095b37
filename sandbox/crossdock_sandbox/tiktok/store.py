"""In-memory state of one sandbox instance: apps, sellers, shops, catalog, orders, packages, tokens."""

import random
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field

# Regions where Mark Package As Shipped works (its reference page lists US, UK, ES,
# IE, IT, DE, FR and JP; TikTok writes the UK as region code GB).
MARK_AS_SHIPPED_REGIONS = frozenset({"US", "GB", "ES", "IE", "IT", "DE", "FR", "JP"})

# Markets where a seller may cancel single line items of an order.
PARTIAL_CANCEL_REGIONS = frozenset({"US", "GB"})

FULFILLMENT_BY_SELLER = "FULFILLMENT_BY_SELLER"
FULFILLMENT_BY_TIKTOK = "FULFILLMENT_BY_TIKTOK"

ORDER_STATUSES = (
    "UNPAID",
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
    "CANCELLED",
)


@dataclass
class App:
    """A partner app: its key, secret, where the consent page redirects, and how it behaves in tests."""

    app_key: str
    app_secret: str
    redirect_url: str
    service_id: str = ""
    auto_approve: bool = False


@dataclass
class Seller:
    """A seller account; one authorization covers all of its shops."""

    open_id: str
    name: str
    base_region: str
    shop_ids: list[str] = field(default_factory=list)


@dataclass
class Warehouse:
    id: str
    shop_id: str
    name: str
    type: str = "SALES_WAREHOUSE"
    sub_type: str = "DOMESTIC_WAREHOUSE"
    effect_status: str = "ENABLED"
    is_default: bool = False
    region_code: str = "US"
    delivery_option_ids: list[str] = field(default_factory=list)


@dataclass
class ShippingProvider:
    id: str
    name: str


@dataclass
class DeliveryOption:
    """A delivery option of a shop; platform options have no seller-chosen providers."""

    id: str
    name: str
    type: str = "STANDARD"
    platform_fulfilled: bool = False
    provider_ids: list[str] = field(default_factory=list)


@dataclass
class Shop:
    id: str
    name: str
    region: str
    cipher: str
    code: str
    seller_type: str = "LOCAL"
    currency: str = "USD"
    seller_open_id: str = ""


@dataclass
class Sku:
    id: str
    seller_sku: str
    sale_price: str
    currency: str
    inventory: dict[str, int] = field(default_factory=dict)
    external_sku_id: str = ""
    sales_attributes: list[dict] = field(default_factory=list)
    identifier_code: dict | None = None


@dataclass
class Product:
    id: str
    shop_id: str
    title: str
    description: str
    category_id: str
    status: str
    skus: list[Sku]
    create_time: int
    update_time: int
    audit_status: str = "APPROVED"
    main_images: list[dict] = field(default_factory=list)
    package_weight: dict = field(default_factory=lambda: {"value": "0.5", "unit": "KILOGRAM"})
    package_dimensions: dict | None = None
    brand_id: str = ""
    external_product_id: str = ""
    product_attributes: list[dict] = field(default_factory=list)


@dataclass
class LineItem:
    """One unit of one SKU; TikTok order lines carry no quantity."""

    id: str
    sku_id: str
    product_id: str
    product_name: str
    sku_name: str
    seller_sku: str
    sale_price: str
    original_price: str
    currency: str
    display_status: str = "UNPAID"
    package_id: str = ""
    tracking_number: str = ""
    shipping_provider_id: str = ""
    shipping_provider_name: str = ""
    rts_time: int = 0
    cancel_user: str = ""
    cancel_reason: str = ""


@dataclass
class Order:
    id: str
    shop_id: str
    status: str
    fulfillment_type: str
    shipping_type: str
    warehouse_id: str
    delivery_option_id: str
    delivery_option_name: str
    recipient_address: dict
    line_items: list[LineItem]
    create_time: int
    update_time: int
    user_id: str
    buyer_email: str
    currency: str
    shipping_fee: str = "0"
    paid_time: int = 0
    rts_time: int = 0
    cancel_time: int = 0
    delivery_time: int = 0
    collection_time: int = 0
    cancel_reason: str = ""
    cancellation_initiator: str = ""
    is_on_hold_order: bool = False
    is_buyer_request_cancel: bool = False
    has_updated_recipient_address: bool = False
    buyer_message: str = ""
    seller_note: str = ""
    delivery_type: str = "HOME_DELIVERY"


@dataclass
class Package:
    id: str
    shop_id: str
    order_id: str
    line_item_ids: list[str]
    shipping_type: str
    delivery_option_id: str
    create_time: int
    update_time: int
    status: str = "PROCESSING"
    tracking_number: str = ""
    shipping_provider_id: str = ""
    handover_method: str = ""
    shipped_time: int = 0
    tracking_updates: int = 0
    split_and_combine_tag: str = "DEFAULT"
    weight: dict | None = None
    dimension: dict | None = None


class PackageTable(MutableMapping[str, Package]):
    """Packages by id, also indexed by order id so that rendering an order does not scan every package.

    A package's `order_id` must not change after it is stored; no handler changes it.
    """

    def __init__(self) -> None:
        self._packages: dict[str, Package] = {}
        self._by_order: dict[str, dict[str, Package]] = {}

    def __getitem__(self, package_id: str) -> Package:
        return self._packages[package_id]

    def __setitem__(self, package_id: str, package: Package) -> None:
        if package_id in self._packages:
            self._unindex(package_id)
        self._packages[package_id] = package
        self._by_order.setdefault(package.order_id, {})[package_id] = package

    def __delitem__(self, package_id: str) -> None:
        self._unindex(package_id)
        del self._packages[package_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._packages)

    def __len__(self) -> int:
        return len(self._packages)

    def of_order(self, order_id: str) -> list[Package]:
        """Return the order's packages in the order they were stored."""
        return list(self._by_order.get(order_id, {}).values())

    def _unindex(self, package_id: str) -> None:
        order_id = self._packages[package_id].order_id
        siblings = self._by_order[order_id]
        del siblings[package_id]
        if not siblings:
            del self._by_order[order_id]


class OrderTable(MutableMapping[str, Order]):
    """Orders by id, with a per-shop list sorted by creation time that order search reuses between pages.

    An order's `create_time` and `shop_id` must not change after it is stored; no handler changes them.
    """

    def __init__(self) -> None:
        self._orders: dict[str, Order] = {}
        self._by_creation: dict[str, list[Order]] = {}

    def __getitem__(self, order_id: str) -> Order:
        return self._orders[order_id]

    def __setitem__(self, order_id: str, order: Order) -> None:
        replaced = self._orders.get(order_id)
        self._orders[order_id] = order
        ordered = self._by_creation.get(order.shop_id)
        if replaced is not None:
            self._by_creation.pop(replaced.shop_id, None)
            self._by_creation.pop(order.shop_id, None)
        elif ordered is not None:
            # New orders usually sort last, so appending keeps the list sorted without a full sort.
            if not ordered or _creation_key(ordered[-1]) <= _creation_key(order):
                ordered.append(order)
            else:
                del self._by_creation[order.shop_id]

    def __delitem__(self, order_id: str) -> None:
        order = self._orders.pop(order_id)
        self._by_creation.pop(order.shop_id, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._orders)

    def __len__(self) -> int:
        return len(self._orders)

    def by_creation(self, shop_id: str) -> list[Order]:
        """Return the shop's orders sorted by (create_time, id) ascending; callers must not change the list."""
        ordered = self._by_creation.get(shop_id)
        if ordered is None:
            ordered = sorted((o for o in self._orders.values() if o.shop_id == shop_id), key=_creation_key)
            self._by_creation[shop_id] = ordered
        return ordered


def _creation_key(order: Order) -> tuple[int, str]:
    return (order.create_time, order.id)


@dataclass
class Grant:
    """An authorization of one app by one seller, with its current token pair."""

    app_key: str
    seller_open_id: str
    access_token: str
    access_token_expire_in: int
    refresh_token: str
    refresh_token_expire_in: int
    granted_scopes: list[str]
    revoked: bool = False


@dataclass
class AuthCode:
    code: str
    app_key: str
    seller_open_id: str
    expires_at: int
    used: bool = False


@dataclass
class WebhookSubscription:
    app_key: str
    shop_id: str
    event_type: str
    address: str
    create_time: int
    update_time: int


class IdFactory:
    """Deterministic 19-digit ids and random strings derived from the seed value."""

    def __init__(self, *, seed: int) -> None:
        self._random = random.Random(seed)

    def numeric(self) -> str:
        return str(self._random.randrange(10**18, 10**19))

    def token(self, length: int = 32) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self._random.choice(alphabet) for _ in range(length))

    def choice(self, options):
        return self._random.choice(options)

    def randint(self, low: int, high: int) -> int:
        return self._random.randint(low, high)


@dataclass
class SandboxStore:
    """Everything one sandbox instance knows; handlers mutate it directly, under one event loop."""

    seed: int
    ids: IdFactory
    apps: dict[str, App] = field(default_factory=dict)
    sellers: dict[str, Seller] = field(default_factory=dict)
    shops: dict[str, Shop] = field(default_factory=dict)
    warehouses: dict[str, Warehouse] = field(default_factory=dict)
    delivery_options: dict[str, DeliveryOption] = field(default_factory=dict)
    shipping_providers: dict[str, ShippingProvider] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    orders: OrderTable = field(default_factory=OrderTable)
    packages: PackageTable = field(default_factory=PackageTable)
    grants: list[Grant] = field(default_factory=list)
    auth_codes: dict[str, AuthCode] = field(default_factory=dict)
    webhooks: dict[tuple[str, str, str], WebhookSubscription] = field(default_factory=dict)
    cancellations: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def empty(cls, *, seed: int) -> "SandboxStore":
        return cls(seed=seed, ids=IdFactory(seed=seed))

    def shop_by_cipher(self, cipher: str) -> Shop | None:
        return next((shop for shop in self.shops.values() if shop.cipher == cipher), None)

    def shop_warehouses(self, shop_id: str) -> list[Warehouse]:
        return [warehouse for warehouse in self.warehouses.values() if warehouse.shop_id == shop_id]

    def find_sku(self, sku_id: str) -> tuple[Product, Sku] | None:
        for product in self.products.values():
            for sku in product.skus:
                if sku.id == sku_id:
                    return product, sku
        return None

    def order_packages(self, order_id: str) -> list[Package]:
        return self.packages.of_order(order_id)
