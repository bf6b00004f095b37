"""Seller cancellation of an order (Return and Refund API)."""

from fastapi import APIRouter

from crossdock_sandbox.tiktok import errors, order_flow
from crossdock_sandbox.tiktok.gateway import ShopCall
from crossdock_sandbox.tiktok.store import PARTIAL_CANCEL_REGIONS

router = APIRouter(tags=["return_refund"])


@router.post("/return_refund/202309/cancellations")
async def cancel_order(call: ShopCall) -> dict:
    """Cancel an order, or single line items in US and GB shops, before it ships."""
    body = call.json_body()
    order = call.runtime.store.orders.get(str(body.get("order_id") or ""))
    shop = call.require_shop()
    if order is None or order.shop_id != shop.id:
        raise errors.TikTokApiError(25020005, "No permission to process this order")
    reason = body.get("cancel_reason")
    if not isinstance(reason, str) or not reason.strip():
        raise errors.TikTokApiError(errors.CANCEL_INVALID_PARAMETER, "cancel_reason is required")

    if order.status in order_flow.CLOSED_STATUSES:
        raise errors.TikTokApiError(
            errors.CANCEL_ORDER_CLOSED, "Not allowed to return or cancel since order is completed or cancelled"
        )
    if order.status in order_flow.SHIPPED_STATUSES or any(line.tracking_number for line in order.line_items):
        raise errors.TikTokApiError(
            errors.CANCEL_AFTER_SHIPMENT,
            "The order has already been shipped and we are unable to cancel shipment with the courier.",
        )
    if not order_flow.is_seller_fulfilled(order):
        raise errors.TikTokApiError(25020005, "No permission to process this order: it is fulfilled by TikTok")

    line_ids = list(body.get("order_line_item_ids") or [])
    if line_ids and shop.region not in PARTIAL_CANCEL_REGIONS:
        raise errors.TikTokApiError(
            errors.CANCEL_LINE_ITEMS_NOT_SUPPORTED, "Unable to cancel individual line items within this request."
        )
    open_ids = {line.id for line in order_flow.active_lines(order)}
    if any(line_id not in open_ids for line_id in line_ids):
        raise errors.TikTokApiError(
            errors.CANCEL_INVALID_PARAMETER, "order_line_item_ids lists a line that is unknown or already cancelled"
        )

    record = order_flow.cancel(
        call.runtime.store,
        order,
        initiator="SELLER",
        reason=reason,
        line_ids=line_ids,
        now=call.now,
        events=call.runtime.webhooks,
    )
    return errors.envelope({"cancel_id": record["cancel_id"], "cancel_status": record["cancel_status"]})
