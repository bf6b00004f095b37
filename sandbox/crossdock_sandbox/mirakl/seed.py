"""Deterministic seeding: the same seed value always yields the same shops, offers and orders."""

from dataclasses import dataclass
from datetime import timedelta

from crossdock_sandbox.mirakl.models import ROLE_SHOP_ADMIN, ApiKey, Offer, Product, Shop
from crossdock_sandbox.mirakl.order_batch import OrderBatch, build_orders
from crossdock_sandbox.mirakl.orders import ORDER_STATES
from crossdock_sandbox.mirakl.store import SandboxStore

# Credentials documented in sandbox/README-mirakl.md; connectors and tests rely on them.
DEFAULT_SHOP_ID = 2001
SECOND_SHOP_ID = 2002
DEFAULT_API_KEY = "mirakl-sandbox-key-2001"
SECOND_SHOP_API_KEY = "mirakl-sandbox-key-2002"
MULTI_SHOP_API_KEY = "mirakl-sandbox-key-multi"
READ_ONLY_API_KEY = "mirakl-sandbox-key-readonly"

DEFAULT_ORDER_STATES = (
    "WAITING_ACCEPTANCE",
    "WAITING_ACCEPTANCE",
    "SHIPPING",
    "WAITING_ACCEPTANCE",
    "SHIPPING",
    "WAITING_DEBIT_PAYMENT",
    "SHIPPED",
    "RECEIVED",
    "CANCELED",
    "REFUSED",
    "STAGING",
    "SHIPPING",
)

# Product families; every (colour, size) pair is one variant with its own EAN and offer.
FAMILIES = (
    ("TRAIL-SHOE", "Trail running shoe", "shoes", "Shoes", ("BLUE", "BLACK"), ("41", "42", "43")),
    ("RAIN-JACKET", "Packable rain jacket", "jackets", "Jackets", ("RED", "NAVY"), ("S", "M", "L")),
    ("MUG", "Enamel camping mug", "kitchen", "Kitchen", ("WHITE", "GREEN"), ("",)),
)

CARRIERS = (
    {
        "code": "UPS",
        "label": "UPS",
        "standard_code": "UPS",
        "tracking_url": "https://www.ups.com/track?tracknum={trackingId}",
    },
    {
        "code": "DHL",
        "label": "DHL Express",
        "standard_code": "DHL",
        "tracking_url": "https://www.dhl.com/track?AWB={trackingId}",
    },
    {
        "code": "DPD",
        "label": "DPD",
        "standard_code": "DPD",
        "tracking_url": "https://tracking.dpd.de/parcelstatus?query={trackingId}",
    },
    {
        "code": "COLISSIMO",
        "label": "Colissimo",
        "standard_code": "COLISSIMO",
        "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code={trackingId}",
    },
)

REASONS = {
    "CANCELATION": (("34", "Out of stock"), ("35", "Customer request"), ("36", "Price error")),
    "REFUND": (("20", "Item damaged"), ("21", "Item not received"), ("22", "Item returned")),
    "INCIDENT_CLOSE": (("40", "Resolved with the customer"),),
}

SHIPPING_TYPES = {
    "STD": {"label": "Standard", "mandatory_tracking": False},
    "EXP": {"label": "Express", "mandatory_tracking": True},
}


@dataclass(kw_only=True)
class SeedRequest:
    seed: int = 0
    order_count: int = 12
    order_states: tuple[str, ...] = DEFAULT_ORDER_STATES

    def __post_init__(self) -> None:
        if not 0 <= self.order_count <= 1000:
            raise ValueError(f"order_count={self.order_count} must be between 0 and 1000")
        unknown = [state for state in self.order_states if state not in ORDER_STATES]
        if unknown or not self.order_states:
            raise ValueError(f"order_states contains unknown states {unknown}; use values from {ORDER_STATES}")


def ean13(rng_digits: str) -> str:
    """Complete 12 digits with the EAN-13 check digit."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(rng_digits))
    return rng_digits + str((10 - total % 10) % 10)


def seed_store(store: SandboxStore, request: SeedRequest) -> None:
    """Replace all data with the deterministic data set for `request.seed`."""
    store.clear(seed=request.seed)
    _seed_reference_data(store)
    _seed_shops_and_keys(store)
    variants = _seed_catalog(store)
    _seed_offers(store, variants)
    _seed_orders(store, request)


def _seed_reference_data(store: SandboxStore) -> None:
    store.carriers = [dict(carrier) for carrier in CARRIERS]
    store.reasons = {kind: [{"code": code, "label": label} for code, label in items] for kind, items in REASONS.items()}
    store.shipping_types = {code: dict(value) for code, value in SHIPPING_TYPES.items()}


def _seed_shops_and_keys(store: SandboxStore) -> None:
    created = store.clock.now() - timedelta(days=400)
    store.shops = {
        DEFAULT_SHOP_ID: Shop(
            shop_id=DEFAULT_SHOP_ID,
            shop_name="Crossdock Sandbox Shop",
            warehouse_codes=["WH-PARIS", "WH-LYON"],
            date_created=created,
        ),
        SECOND_SHOP_ID: Shop(
            shop_id=SECOND_SHOP_ID,
            shop_name="Crossdock Second Shop",
            warehouse_codes=["WH-BERLIN"],
            date_created=created,
        ),
    }
    admin = frozenset({ROLE_SHOP_ADMIN})
    keys = (
        ApiKey(key=DEFAULT_API_KEY, shop_ids=[DEFAULT_SHOP_ID], roles=admin, label="shop 2001 administrator"),
        ApiKey(key=SECOND_SHOP_API_KEY, shop_ids=[SECOND_SHOP_ID], roles=admin, label="shop 2002 administrator"),
        ApiKey(
            key=MULTI_SHOP_API_KEY, shop_ids=[DEFAULT_SHOP_ID, SECOND_SHOP_ID], roles=admin, label="user of both shops"
        ),
        ApiKey(
            key=READ_ONLY_API_KEY,
            shop_ids=[DEFAULT_SHOP_ID],
            roles=frozenset({"ROLE_PARTNER_ORDER_READ"}),
            label="order reader",
        ),
    )
    store.api_keys = {key.key: key for key in keys}


def _seed_catalog(store: SandboxStore) -> list[tuple[str, Product]]:
    """Create one catalog product per variant and return (variant SKU, product) pairs."""
    variants = []
    for family_code, title, category_code, category_label, colours, sizes in FAMILIES:
        for colour in colours:
            for size in sizes:
                sku = "-".join(part for part in (family_code, colour, size) if part)
                product_sku = f"MKP{100000000000 + len(store.products) + 1}"
                name = f"{title}, {colour.lower()}" + (f", size {size}" if size else "")
                ean = ean13("376" + "".join(str(store.random.randrange(10)) for _ in range(9)))
                product = Product(
                    product_sku=product_sku,
                    title=name,
                    category_code=category_code,
                    category_label=category_label,
                    references=[("EAN", ean)],
                    brand="Crossdock Outdoor",
                    variant_group_code=family_code,
                )
                store.products[product_sku] = product
                variants.append((sku, product))

    # A different product whose shop SKU collides with a variant SKU in shop 2002.
    decoy = Product(
        product_sku=f"MKP{100000000000 + len(store.products) + 1}",
        title="Ceramic coffee mug, white",
        category_code="kitchen",
        category_label="Kitchen",
        references=[("EAN", ean13("376" + "".join(str(store.random.randrange(10)) for _ in range(9))))],
        brand="Other Brand",
    )
    store.products[decoy.product_sku] = decoy
    return variants


def _seed_offers(store: SandboxStore, variants: list[tuple[str, Product]]) -> None:
    for sku, product in variants:
        offer = Offer(
            offer_id=store.next_offer_id(),
            shop_id=DEFAULT_SHOP_ID,
            shop_sku=sku,
            product_sku=product.product_sku,
            price=float(store.random.choice((14.9, 39.0, 59.9, 89.0, 119.0))),
            description=product.title,
            leadtime_to_ship=2,
            logistic_class="M",
        )
        if store.random.random() < 0.5:
            offer.warehouses = {"WH-PARIS": store.random.randrange(0, 40), "WH-LYON": store.random.randrange(0, 40)}
        else:
            offer.quantity = store.random.randrange(0, 60)
        store.shop_offers(DEFAULT_SHOP_ID)[sku] = offer

    # Shop 2002 shares some SKUs (same product), has one conflicting SKU (same
    # text, different product) and one near miss that differs only by case.
    second = store.shop_offers(SECOND_SHOP_ID)
    decoy = list(store.products.values())[-1]
    for sku, product in variants[:3]:
        second[sku] = Offer(
            offer_id=store.next_offer_id(),
            shop_id=SECOND_SHOP_ID,
            shop_sku=sku,
            product_sku=product.product_sku,
            price=42.0,
            quantity=5,
            description=product.title,
        )
    second["MUG-WHITE"] = Offer(
        offer_id=store.next_offer_id(),
        shop_id=SECOND_SHOP_ID,
        shop_sku="MUG-WHITE",
        product_sku=decoy.product_sku,
        price=9.9,
        quantity=12,
        description=decoy.title,
    )
    near_sku, near_product = variants[4]
    second[near_sku.lower()] = Offer(
        offer_id=store.next_offer_id(),
        shop_id=SECOND_SHOP_ID,
        shop_sku=near_sku.lower(),
        product_sku=near_product.product_sku,
        price=44.0,
        quantity=3,
        description=near_product.title,
    )


def _seed_orders(store: SandboxStore, request: SeedRequest) -> None:
    now = store.clock.now()
    batch = OrderBatch(shop_id=DEFAULT_SHOP_ID, count=request.order_count, states=request.order_states)
    build_orders(
        store,
        batch,
        rng=store.random,
        commercial_id=lambda number: f"SBX{request.seed:03d}{number:05d}",
        created=lambda number: now - timedelta(minutes=5 * (request.order_count - number + 1)),
    )
