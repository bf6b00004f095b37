"""Order search and detail."""

from fastapi import APIRouter

from crossdock_sandbox.tiktok import errors, paging
from crossdock_sandbox.tiktok.gateway import ShopCall
from crossdock_sandbox.tiktok.store import ORDER_STATUSES, Order
from crossdock_sandbox.tiktok.views import order_view

router = APIRouter(tags=["order"])

DETAIL_MAX_IDS = 50


@router.post("/order/202309/orders/search")
async def search_orders(call: ShopCall) -> dict:
    """Page through the shop's orders; filters go in the body, paging and sorting in the query."""
    size = paging.page_size(call.query, error_code=errors.INVALID_COMMON_PARAMETER)
    offset = paging.page_offset(call.query, error_code=errors.INVALID_COMMON_PARAMETER)
    sort_field = call.query.get("sort_field", "create_time")
    sort_order = call.query.get("sort_order", "DESC")
    if sort_field not in ("create_time", "update_time") or sort_order not in ("ASC", "DESC"):
        raise errors.TikTokApiError(
            errors.INVALID_COMMON_PARAMETER, "sort_field must be create_time or update_time and sort_order ASC or DESC"
        )

    body = call.json_body()
    status = body.get("order_status")
    if status is not None and status not in ORDER_STATUSES:
        raise errors.TikTokApiError(errors.INVALID_COMMON_PARAMETER, f"Invalid order_status {status!r}")

    shop = call.require_shop()
    orders = [o for o in call.runtime.store.orders.values() if o.shop_id == shop.id and _matches(o, body)]
    orders.sort(key=lambda o: (getattr(o, sort_field), o.id), reverse=sort_order == "DESC")
    page = orders[offset : offset + size]
    return errors.envelope(
        {
            "orders": [order_view(o, call.runtime.store) for o in page],
            "total_count": len(orders),
            "next_page_token": paging.next_token(offset, size, len(orders)),
        }
    )


@router.get("/order/202309/orders")
@router.get("/order/202507/orders")
async def get_order_detail(call: ShopCall) -> dict:
    """Return up to 50 orders by comma-separated `ids`."""
    ids = [value for value in call.query.get("ids", "").split(",") if value]
    if not ids or len(ids) > DETAIL_MAX_IDS:
        raise errors.TikTokApiError(
            errors.INVALID_COMMON_PARAMETER, f"ids must list 1 to {DETAIL_MAX_IDS} order ids separated by commas"
        )

    store = call.runtime.store
    shop = call.require_shop()
    for order_id in ids:
        order = store.orders.get(order_id)
        if order is None or order.shop_id != shop.id:
            raise errors.TikTokApiError(
                errors.ORDER_NOT_OWNED, f"The order or package {order_id} does not belong to the current seller."
            )
    return errors.envelope({"orders": [order_view(store.orders[order_id], store) for order_id in ids]})


def _matches(order: Order, body: dict) -> bool:
    if body.get("order_status") and order.status != body["order_status"]:
        return False
    if body.get("shipping_type") and order.shipping_type != body["shipping_type"]:
        return False
    if body.get("buyer_user_id") and order.user_id != body["buyer_user_id"]:
        return False
    if (
        body.get("is_buyer_request_cancel") is not None
        and order.is_buyer_request_cancel != body["is_buyer_request_cancel"]
    ):
        return False
    if body.get("warehouse_ids") and order.warehouse_id not in body["warehouse_ids"]:
        return False
    bounds = (
        ("create_time_ge", order.create_time, lambda value, bound: value >= bound),
        ("create_time_lt", order.create_time, lambda value, bound: value < bound),
        ("update_time_ge", order.update_time, lambda value, bound: value >= bound),
        ("update_time_lt", order.update_time, lambda value, bound: value < bound),
    )
    return all(body.get(name) is None or compare(value, int(body[name])) for name, value, compare in bounds)
