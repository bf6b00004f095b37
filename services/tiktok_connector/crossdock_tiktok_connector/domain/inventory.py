"""Inventory updates for TikTok: per SKU and warehouse, every assigned warehouse listed, one call per product."""

from dataclasses import dataclass

# TikTok accepts quantities up to 99,999 per SKU and warehouse.
MAX_QUANTITY = 99_999


@dataclass(frozen=True)
class ClampedQuantity:
    quantity: int
    adjusted_from: int | None


def clamp_quantity(quantity: int) -> ClampedQuantity:
    """Keep a quantity within 0..99,999. Out of stock is 0, never 1."""
    if quantity > MAX_QUANTITY:
        return ClampedQuantity(MAX_QUANTITY, quantity)
    if quantity < 0:
        return ClampedQuantity(0, quantity)
    return ClampedQuantity(quantity, None)


def build_sku_update(*, sku_id: str, assigned: dict[str, int], wanted: dict[str, int]) -> list[dict[str, object]]:
    """Return the `inventory` list of one SKU: every assigned warehouse, with the wanted quantity where known.

    `assigned` maps each warehouse TikTok assigned to the SKU to its current
    quantity; warehouses without a wanted quantity keep that value, because
    leaving one out makes TikTok reject the whole update.
    """
    entries = []
    for warehouse_id, current in assigned.items():
        entries.append({"warehouse_id": warehouse_id, "quantity": wanted.get(warehouse_id, current)})
    return entries
