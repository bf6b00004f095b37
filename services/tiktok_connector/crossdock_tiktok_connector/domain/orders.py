"""TikTok orders as canonical orders.

TikTok sends one line item per unit and no quantity, so lines are aggregated by
SKU id; the SKU id is the canonical `line_id`. Status mapping (channel status →
connector status and reason):

| TikTok status | status | reason |
| --- | --- | --- |
| UNPAID | pending | awaiting_payment |
| ON_HOLD | pending | on_hold |
| AWAITING_SHIPMENT, PARTIALLY_SHIPPING | pending | none (order routing decides) |
| AWAITING_COLLECTION, IN_TRANSIT, DELIVERED, COMPLETED | fulfilled | none |
| CANCELLED | cancelled | none |
| any, with fulfillment_type FULFILLMENT_BY_TIKTOK | fulfilled (type `channel`) unless cancelled | none |
"""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

FULFILLMENT_BY_TIKTOK = "FULFILLMENT_BY_TIKTOK"
CANCELLED = "CANCELLED"
SHIPPED_STATUSES = frozenset({"AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED"})
ROUTABLE_STATUSES = frozenset({"AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"})
PENDING_REASONS = {"UNPAID": "awaiting_payment", "ON_HOLD": "on_hold"}


@dataclass(frozen=True)
class UnitLine:
    """One TikTok line item (one unit) with what fulfillment and cancellation need."""

    id: str
    sku_id: str
    package_id: str
    shipped: bool
    cancelled: bool


def map_status(order: dict[str, Any]) -> tuple[str, str | None]:
    """Return (canonical status, reason) for a TikTok order."""
    channel_status = order.get("status") or ""
    if channel_status == CANCELLED or channel_status == "CANCEL":
        return "cancelled", None
    if order.get("fulfillment_type") == FULFILLMENT_BY_TIKTOK:
        return "fulfilled", None
    if channel_status in SHIPPED_STATUSES:
        return "fulfilled", None
    if channel_status in PENDING_REASONS:
        return "pending", PENDING_REASONS[channel_status]
    return "pending", None


def unit_lines(order: dict[str, Any]) -> list[UnitLine]:
    return [
        UnitLine(
            id=str(item.get("id")),
            sku_id=str(item.get("sku_id")),
            package_id=str(item.get("package_id") or ""),
            shipped=bool(item.get("tracking_number")),
            cancelled=(item.get("display_status") == CANCELLED),
        )
        for item in order.get("line_items") or []
    ]


def aggregate_lines(order: dict[str, Any], known_skus: set[str] | None = None) -> list[dict[str, Any]]:
    """Aggregate unit line items by SKU id into canonical order lines.

    `master_sku` is set when the seller SKU is a known master SKU (TikTok SKUs
    equal master SKUs, so resolution is identity).
    """
    grouped: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for item in order.get("line_items") or []:
        grouped.setdefault(str(item.get("sku_id")), []).append(item)

    lines = []
    for sku_id, items in grouped.items():
        first = items[0]
        seller_sku = first.get("seller_sku") or ""
        cancelled = sum(1 for item in items if item.get("display_status") == CANCELLED)
        statuses = sorted(
            {item.get("display_status") or "" for item in items if item.get("display_status") != CANCELLED}
        )
        lines.append(
            {
                "line_id": sku_id,
                "channel_sku": seller_sku or sku_id,
                "master_sku": seller_sku if known_skus is not None and seller_sku in known_skus else None,
                "quantity": len(items),
                "cancelled_quantity": cancelled,
                "unit_price": _amount(first.get("sale_price")),
                "title": first.get("product_name") or first.get("sku_name") or None,
                "channel_warehouse_id": order.get("warehouse_id") or None,
                "channel_status": ",".join(statuses) or CANCELLED,
            }
        )
    return lines


def ship_to(order: dict[str, Any]) -> dict[str, Any] | None:
    """Return the canonical address, or None while TikTok withholds it (UNPAID, ON_HOLD) or it has no country."""
    if order.get("status") in PENDING_REASONS:
        return None
    address = order.get("recipient_address") or {}
    country = (address.get("region_code") or "").strip()
    if not country:
        return None
    levels = {
        entry.get("address_level"): entry.get("address_name") or "" for entry in address.get("district_info") or []
    }
    lines = [address.get(f"address_line{index}") or "" for index in range(1, 5)]
    return {
        "name": address.get("name") or " ".join(filter(None, [address.get("first_name"), address.get("last_name")])),
        "lines": [line for line in lines if line.strip()] or [address.get("full_address") or ""],
        "city": address.get("post_town") or levels.get("L3") or levels.get("L2") or "",
        "postal_code": address.get("postal_code") or "",
        "state": levels.get("L1") or None,
        "country": country,
        "phone": address.get("phone_number") or None,
        "email": order.get("buyer_email") or None,
    }


def canonical_order(
    order: dict[str, Any],
    *,
    integration_id: str,
    known_skus: set[str] | None = None,
    shipping_document_ref: str | None = None,
) -> dict[str, Any]:
    """Build the `order.received` / `order.updated` payload of a TikTok order."""
    status, reason = map_status(order)
    payment = order.get("payment") or {}
    fbt = order.get("fulfillment_type") == FULFILLMENT_BY_TIKTOK
    return {
        "integration_id": integration_id,
        "channel": "tiktok",
        "external_id": str(order["id"]),
        "channel_status": order.get("status") or "",
        "status": status,
        "status_reason": reason,
        "fulfillment_type": "channel" if fbt else "seller",
        "shipping_type": order.get("shipping_type") or None,
        "currency": payment.get("currency") or "USD",
        "total": _amount(payment.get("total_amount")),
        "lines": aggregate_lines(order, known_skus),
        "ship_to": ship_to(order),
        "created_at": _time(order.get("create_time")),
        "updated_at": _time(order.get("update_time") or order.get("create_time")),
        "channel_warehouse_id": order.get("warehouse_id") or None,
        "shipping_document_ref": shipping_document_ref,
    }


def should_apply(*, stored_status: str | None, stored_update_time: int | None, incoming: dict[str, Any]) -> bool:
    """Decide whether an incoming copy of an order replaces the stored one.

    Cancellation is terminal: no later copy reopens a cancelled order. An older
    copy (smaller `update_time`) than the stored one is ignored, because
    webhooks and polls can deliver states out of order.
    """
    if stored_status is None:
        return True
    if stored_status in (CANCELLED, "CANCEL") and incoming.get("status") not in (CANCELLED, "CANCEL"):
        return False
    incoming_time = int(incoming.get("update_time") or 0)
    return stored_update_time is None or incoming_time >= stored_update_time


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value))


def _time(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value or 0), tz=UTC)
