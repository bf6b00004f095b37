"""Order search and detail."""

from collections.abc import Callable

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
    orders = _sorted_matches(call.runtime.store, shop.id, body, sort_field=sort_field, descending=sort_order == "DESC")
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


def _sorted_matches(store, shop_id: str, body: dict, *, sort_field: str, descending: bool) -> list[Order]:
    """Return the shop's orders that pass the body's filters, in page order.

    Sorting by create_time reuses the store's sorted list, so a page costs one
    pass over the shop's orders; update_time changes, so that sort runs per page.
    """
    checks = _filter_checks(body)
    if sort_field == "create_time":
        ordered = store.orders.by_creation(shop_id)
        matches = [o for o in ordered if _passes(o, checks)] if checks else ordered
        return matches[::-1] if descending else matches
    matches = [o for o in store.orders.values() if o.shop_id == shop_id and _passes(o, checks)]
    matches.sort(key=lambda o: (o.update_time, o.id), reverse=descending)
    return matches


def _passes(order: Order, checks: list[Callable[[Order], bool]]) -> bool:
    # A plain loop: search calls this for every order of the shop on every page, and all() over a generator is slower.
    for check in checks:
        if not check(order):
            return False
    return True


def _filter_checks(body: dict) -> list[Callable[[Order], bool]]:
    """Turn the search body into one check per filter that is set."""
    checks: list[Callable[[Order], bool]] = []
    if body.get("order_status"):
        checks.append(lambda o, wanted=body["order_status"]: o.status == wanted)
    if body.get("shipping_type"):
        checks.append(lambda o, wanted=body["shipping_type"]: o.shipping_type == wanted)
    if body.get("buyer_user_id"):
        checks.append(lambda o, wanted=body["buyer_user_id"]: o.user_id == wanted)
    if body.get("is_buyer_request_cancel") is not None:
        checks.append(lambda o, wanted=body["is_buyer_request_cancel"]: o.is_buyer_request_cancel == wanted)
    if body.get("warehouse_ids"):
        checks.append(lambda o, wanted=body["warehouse_ids"]: o.warehouse_id in wanted)
    if body.get("create_time_ge") is not None:
        checks.append(lambda o, bound=int(body["create_time_ge"]): o.create_time >= bound)
    if body.get("create_time_lt") is not None:
        checks.append(lambda o, bound=int(body["create_time_lt"]): o.create_time < bound)
    if body.get("update_time_ge") is not None:
        checks.append(lambda o, bound=int(body["update_time_ge"]): o.update_time >= bound)
    if body.get("update_time_lt") is not None:
        checks.append(lambda o, bound=int(body["update_time_lt"]): o.update_time < bound)
    return checks
