"""Bulk order generation over a shop's active SKUs, through the same `seed.add_order` as single admin orders."""

import random
from dataclasses import dataclass

from crossdock_sandbox.tiktok import seed
from crossdock_sandbox.tiktok.store import FULFILLMENT_BY_TIKTOK, Order, Product, SandboxStore, Shop, Sku


@dataclass(kw_only=True)
class OrderBatch:
    """A batch of orders to build: the order count, status, fulfillment type and max SKUs per order."""

    count: int
    status: str
    fulfillment_type: str
    max_lines: int = 3


def active_skus(store: SandboxStore, shop: Shop) -> dict[str, tuple[Sku, Product]]:
    """Return the SKUs of the shop's ACTIVATE products by SKU id, with their product."""
    return {
        sku.id: (sku, product)
        for product in store.products.values()
        if product.shop_id == shop.id and product.status == "ACTIVATE"
        for sku in product.skus
    }


def generate_orders(store: SandboxStore, shop: Shop, batch: OrderBatch, *, seed_value: int, now: int) -> list[Order]:
    """Add `batch.count` orders created at `now` and return them, with SKUs and quantities fixed by `seed_value`.

    Each order names 1 to `max_lines` distinct SKUs with 1 to 3 units each, and
    TikTok lists every unit as its own line item. Order ids come from the store's
    id factory and are drawn again when an order already uses one. Raises
    ValueError when the shop has no active SKU.
    """
    skus = active_skus(store, shop)
    if not skus:
        raise ValueError(f"shop {shop.id} has no SKU of an ACTIVATE product to order; load the catalog first")
    sku_list = [sku for sku, _product in skus.values()]
    sku_products = {sku_id: product for sku_id, (_sku, product) in skus.items()}
    line_counts = (1, *range(1, batch.max_lines + 1))
    shipping_type = "TIKTOK" if batch.fulfillment_type == FULFILLMENT_BY_TIKTOK else "SELLER"
    rng = random.Random(seed_value)

    orders = []
    for _ in range(batch.count):
        chosen = rng.sample(sku_list, k=min(rng.choice(line_counts), len(sku_list)))
        order = seed.add_order(
            store,
            shop=shop,
            lines=[(sku, rng.randint(1, 3)) for sku in chosen],
            status=batch.status,
            now=now,
            fulfillment_type=batch.fulfillment_type,
            shipping_type=shipping_type,
            order_id=_unused_order_id(store),
            create_time=now,
            sku_products=sku_products,
        )
        orders.append(order)
    return orders


def _unused_order_id(store: SandboxStore) -> str:
    while True:
        candidate = store.ids.numeric()
        if candidate not in store.orders:
            return candidate
