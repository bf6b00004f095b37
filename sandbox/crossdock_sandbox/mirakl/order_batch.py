"""Random OR11 orders over a shop's offers, shared by the seed and the admin order generator.

Both callers draw customers, offers and quantities the same way, so seeded and
generated orders look alike. Only the ids, dates and random source differ.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from crossdock_sandbox.mirakl.order_factory import build_address, build_order
from crossdock_sandbox.mirakl.orders import OrderRecord
from crossdock_sandbox.mirakl.store import SandboxStore

CUSTOMERS = (
    ("Camille", "Martin", "12 rue des Lilas", "75011", "Paris"),
    ("Lucas", "Bernard", "4 quai Saint-Antoine", "69002", "Lyon"),
    ("Chloé", "Dubois", "27 avenue Jean Médecin", "06000", "Nice"),
    ("Hugo", "Lefèvre", "9 place du Capitole", "31000", "Toulouse"),
    ("Léa", "Moreau", "55 cours de l'Intendance", "33000", "Bordeaux"),
)

GENERATED_PREFIX = "SBXG"

# States in which the platform has already accepted and debited the order.
DEBITED_STATES = frozenset({"SHIPPING", "SHIPPED", "RECEIVED", "CLOSED"})


@dataclass(kw_only=True)
class OrderBatch:
    """A batch of orders to build: the shop, order count, states to cycle through and max lines per order."""

    shop_id: int
    count: int
    states: tuple[str, ...]
    max_lines: int = 3


def line_counts(max_lines: int) -> tuple[int, ...]:
    """Return the choices for an order's line count: one line is twice as likely as any other count."""
    return (1, *range(1, max_lines + 1))


def build_orders(
    store: SandboxStore,
    batch: OrderBatch,
    *,
    rng: random.Random,
    commercial_id: Callable[[int], str],
    created: Callable[[int], datetime],
) -> list[OrderRecord]:
    """Add `batch.count` orders to the shop and return their records.

    Orders are numbered from 1, and `commercial_id` and `created` map a number to
    the order's commercial id and creation date. Raises ValueError when the shop
    has no offer to order.
    """
    offers = list(store.shop_offers(batch.shop_id).values())
    if not offers and batch.count:
        raise ValueError(f"shop_id={batch.shop_id} has no offers to order; seed the shop or load the catalog first")
    choices = line_counts(batch.max_lines)

    records = []
    for number in range(1, batch.count + 1):
        state = batch.states[(number - 1) % len(batch.states)]
        customer = _customer(rng)
        chosen = rng.sample(offers, k=min(rng.choice(choices), len(offers)))
        lines = [(offer, store.products[offer.product_sku], rng.randrange(1, 4)) for offer in chosen]
        order_number = commercial_id(number)
        payload = build_order(
            order_id=f"{order_number}-A",
            commercial_id=order_number,
            created=created(number),
            lines=lines,
            customer=customer,
            currency_iso_code="EUR",
            state=state,
        )
        record = store.add_order(batch.shop_id, payload)
        record.refresh_flags()
        if state in DEBITED_STATES:
            payload["acceptance_decision_date"] = payload["created_date"]
            payload["customer_debited_date"] = payload["created_date"]
            record.refresh_flags()
        records.append(record)
    return records


def generate_orders(store: SandboxStore, batch: OrderBatch, *, seed: int) -> list[OrderRecord]:
    """Add a batch of orders created now, with ids that no earlier batch, seed or import in the store uses.

    Ids are `SBXG<7-digit number>-A`, numbered by the store across all shops, and
    numbers already taken in the shop (by an imported order, say) are skipped.
    Every order is created and last updated now, so connectors that poll by
    update date see the whole batch. `seed` fixes the customers, offers and
    quantities, not the ids.
    """
    existing_ids = store.shop_orders(batch.shop_id)
    numbers = []
    while len(numbers) < batch.count:
        number = store.next_generated_order_number()
        if f"{GENERATED_PREFIX}{number:07d}-A" not in existing_ids:
            numbers.append(number)
    now = store.clock.now()
    return build_orders(
        store,
        batch,
        rng=random.Random(seed),
        commercial_id=lambda index: f"{GENERATED_PREFIX}{numbers[index - 1]:07d}",
        created=lambda _index: now,
    )


def _customer(rng: random.Random) -> dict:
    firstname, lastname, street, zip_code, city = rng.choice(CUSTOMERS)
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
    return {
        "customer_id": f"C{rng.randrange(10_000, 99_999)}",
        "firstname": firstname,
        "lastname": lastname,
        "locale": "fr_FR",
        "shipping_address": address,
        "billing_address": dict(address),
    }
