"""Deterministic seeding: the same seed value always yields the same shops, offers and orders."""

from dataclasses import dataclass
from datetime import timedelta

from crossdock_sandbox.mirakl.models import ROLE_SHOP_ADMIN, ApiKey, Offer, Product, Shop
from crossdock_sandbox.mirakl.order_factory import build_address, build_order
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

CUSTOMERS = (
    ("Camille", "Martin", "12 rue des Lilas", "75011", "Paris"),
    ("Lucas", "Bernard", "4 quai Saint-Antoine", "69002", "Lyon"),
    ("Chloé", "Dubois", "27 avenue Jean Médecin", "06000", "Nice"),
    ("Hugo", "Lefèvre", "9 place du Capitole", "31000", "Toulouse"),
    ("Léa", "Moreau", "55 cours de l'Intendance", "33000", "Bordeaux"),
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
    offers = list(store.shop_offers(DEFAULT_SHOP_ID).values())
    now = store.clock.now()
    for number in range(1, request.order_count + 1):
        state = request.order_states[(number - 1) % len(request.order_states)]
        firstname, lastname, street, zip_code, city = store.random.choice(CUSTOMERS)
        address = build_address(
            firstname=firstname,
            lastname=lastname,
            street=street,
            zip_code=zip_code,
            city=city,
            country="France",
            country_iso_code="FRA",
            phone="+33612345678",
        )
        customer = {
            "customer_id": f"C{store.random.randrange(10_000, 99_999)}",
            "firstname": firstname,
            "lastname": lastname,
            "locale": "fr_FR",
            "shipping_address": address,
            "billing_address": dict(address),
        }
        chosen = store.random.sample(offers, k=store.random.choice((1, 1, 2, 3)))
        lines = [(offer, store.products[offer.product_sku], store.random.randrange(1, 4)) for offer in chosen]
        commercial_id = f"SBX{request.seed:03d}{number:05d}"
        payload = build_order(
            order_id=f"{commercial_id}-A",
            commercial_id=commercial_id,
            created=now - timedelta(minutes=5 * (request.order_count - number + 1)),
            lines=lines,
            customer=customer,
            currency_iso_code="EUR",
            state=state,
        )
        record = store.add_order(DEFAULT_SHOP_ID, payload)
        record.refresh_flags()
        if state in ("SHIPPING", "SHIPPED", "RECEIVED", "CLOSED"):
            payload["acceptance_decision_date"] = payload["created_date"]
            payload["customer_debited_date"] = payload["created_date"]
            record.refresh_flags()
