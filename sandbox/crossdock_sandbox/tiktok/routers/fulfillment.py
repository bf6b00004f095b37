"""Packages: detail, search, create, split, ship, Mark Package As Shipped, tracking fixes and shipping documents."""

from fastapi import APIRouter, Request

from crossdock_sandbox.tiktok import errors, order_flow, paging
from crossdock_sandbox.tiktok.gateway import OpenApiCall, ShopCall
from crossdock_sandbox.tiktok.store import MARK_AS_SHIPPED_REGIONS, Order, Package
from crossdock_sandbox.tiktok.views import package_view

router = APIRouter(tags=["fulfillment"])

# Tracking can be corrected once, within 72 hours of shipping.
TRACKING_UPDATE_WINDOW_SECONDS = 72 * 3600


@router.get("/fulfillment/202309/packages/{package_id}")
async def get_package_detail(package_id: str, call: ShopCall) -> dict:
    """Return one package with its orders, SKU counts and tracking."""
    package = _own_package(call, package_id)
    return errors.envelope(package_view(package, call.runtime.store))


@router.post("/fulfillment/202309/packages/search")
async def search_packages(call: ShopCall) -> dict:
    """Page through the shop's packages, optionally by `package_status`."""
    size = paging.page_size(call.query, error_code=errors.FULFILLMENT_INVALID_PARAMETERS)
    offset = paging.page_offset(call.query, error_code=errors.FULFILLMENT_INVALID_PARAMETERS)
    status_filter = call.json_body().get("package_status")
    store = call.runtime.store
    packages = sorted(
        (
            p
            for p in store.packages.values()
            if p.shop_id == call.require_shop().id and (not status_filter or p.status == status_filter)
        ),
        key=lambda p: (p.create_time, p.id),
    )
    page = packages[offset : offset + size]
    views = []
    for package in page:
        view = package_view(package, store)
        views.append(
            {
                key: view[key]
                for key in (
                    "orders",
                    "create_time",
                    "update_time",
                    "tracking_number",
                    "shipping_provider_name",
                    "shipping_provider_id",
                    "order_line_item_ids",
                )
            }
            | {"id": package.id, "status": package.status}
        )
    return errors.envelope(
        {
            "packages": views,
            "total_count": len(packages),
            "next_page_token": paging.next_token(offset, size, len(packages)),
        }
    )


@router.post("/fulfillment/202309/packages")
async def create_package(call: ShopCall) -> dict:
    """Buy a TikTok shipping label for order lines, creating their package."""
    body = call.json_body()
    order = _own_order(call, str(body.get("order_id") or ""))
    _require_seller_fulfilled(order)
    _require_awaiting_shipment(order)
    lines = _chosen_lines(order, body.get("order_line_item_ids"))

    store = call.runtime.store
    package = order_flow.split_lines(
        store, order, [line.id for line in lines], now=call.now, events=call.runtime.webhooks
    )
    package.weight = body.get("weight")
    package.dimension = body.get("dimension")
    service_id = str(body.get("shipping_service_id") or "")
    return errors.envelope(
        {
            "package_id": package.id,
            "order_id": order.id,
            "order_line_item_ids": list(package.line_item_ids),
            "create_time": package.create_time,
            "weight": package.weight,
            "dimension": package.dimension,
            "shipping_service_info": {
                "id": service_id,
                "name": "Sandbox label",
                "price": "0",
                "currency": order.currency,
                "earliest_delivery_days": 2,
                "latest_delivery_days": 5,
                "shipping_provider_id": "",
                "shipping_provider_name": "TikTok Shipping",
            },
        }
    )


@router.get("/fulfillment/202309/orders/split_attributes")
async def get_order_split_attributes(call: ShopCall) -> dict:
    """Tell for each order whether it can be split into several packages."""
    attributes = []
    for order_id in [value for value in call.query.get("order_ids", "").split(",") if value]:
        order = _own_order(call, order_id)
        reason = _split_blocker(order)
        attributes.append(
            {
                "order_id": order.id,
                "can_split": reason == "",
                "reason": reason,
                "must_split": False,
                "must_split_reasons": [],
            }
        )
    return errors.envelope({"split_attributes": attributes})


@router.post("/fulfillment/202309/orders/{order_id}/split")
async def split_order(order_id: str, call: ShopCall) -> dict:
    """Split an order's unshipped lines into one package per group."""
    order = _own_order(call, order_id)
    _require_seller_fulfilled(order)
    reason = _split_blocker(order)
    if reason:
        raise errors.TikTokApiError(errors.SPLIT_NOT_ALLOWED, f"split order not allowed: {reason}")

    groups = call.json_body().get("splittable_groups") or []
    open_ids = {line.id for line in order_flow.active_lines(order) if not line.tracking_number}
    seen: set[str] = set()
    for group in groups:
        ids = set(group.get("order_line_item_ids") or [])
        if not ids or not ids <= open_ids or ids & seen:
            raise errors.TikTokApiError(
                errors.SPLIT_INVALID_PARAMETERS,
                "Invalid parameters: each group needs unshipped line items of this order, each used once",
            )
        seen |= ids
    if len(groups) < 2 and seen == open_ids:
        raise errors.TikTokApiError(
            errors.SPLIT_INVALID_PARAMETERS, "Invalid parameters: a split needs at least two groups"
        )

    packages = []
    for group in groups:
        package = order_flow.split_lines(
            call.runtime.store, order, list(group["order_line_item_ids"]), now=call.now, events=call.runtime.webhooks
        )
        packages.append({"splittable_group_id": str(group.get("id", "")), "id": package.id})
    return errors.envelope({"packages": packages})


@router.post("/fulfillment/202309/packages/{package_id}/ship")
async def ship_package(package_id: str, call: ShopCall) -> dict:
    """Ship one package: TikTok shipping by handover, or seller shipping with `self_shipment` tracking."""
    package = _own_package(call, package_id)
    _ship(call, package, call.json_body())
    return errors.envelope({})


@router.post("/fulfillment/202309/packages/ship")
async def batch_ship_packages(call: ShopCall) -> dict:
    """Ship several packages; failures come back per package in `data.errors` with code 0."""
    failures = []
    for entry in call.json_body().get("packages") or []:
        package_id = str(entry.get("id") or "")
        try:
            _ship(call, _own_package(call, package_id), entry)
        except errors.TikTokApiError as error:
            failures.append({"code": error.code, "message": error.message, "detail": {"package_id": package_id}})
    return errors.envelope({"errors": failures})


@router.post("/fulfillment/202309/orders/{order_id}/packages")
async def mark_package_as_shipped(order_id: str, call: ShopCall) -> dict:
    """Upload tracking for order lines shipped by the seller's own carrier (only in the markets the API serves)."""
    order = _own_order(call, order_id)
    shop = call.require_shop()
    _require_seller_fulfilled(order)
    if shop.region not in MARK_AS_SHIPPED_REGIONS:
        raise errors.TikTokApiError(errors.REGION_NOT_SUPPORTED, "This interface cannot be used in this region.")
    body = call.json_body()
    tracking, provider_id = _tracking(call, order, body)
    _require_awaiting_shipment(order)
    lines = _chosen_lines(order, body.get("order_line_item_ids"))

    store = call.runtime.store
    package_ids = {line.package_id for line in lines}
    whole = (
        len(package_ids) == 1
        and "" not in package_ids
        and set(store.packages[next(iter(package_ids))].line_item_ids) == {line.id for line in lines}
    )
    package = (
        store.packages[next(iter(package_ids))]
        if whole
        else order_flow.split_lines(
            store, order, [line.id for line in lines], now=call.now, events=call.runtime.webhooks
        )
    )
    order_flow.ship_package(
        store,
        package,
        tracking_number=tracking,
        provider_id=provider_id,
        handover_method="DROP_OFF",
        now=call.now,
        events=call.runtime.webhooks,
    )
    return errors.envelope(
        {
            "order_id": order.id,
            "order_line_item_ids": list(package.line_item_ids),
            "package_id": package.id,
            "warning": {"message": ""},
        }
    )


@router.post("/fulfillment/202309/orders/{order_id}/shipping_info/update")
async def update_order_shipping_info(order_id: str, call: ShopCall) -> dict:
    """Correct the tracking of a seller-shipped order that has one shipped package."""
    order = _own_order(call, order_id)
    shipped = [p for p in call.runtime.store.order_packages(order.id) if p.tracking_number]
    if len(shipped) != 1:
        raise errors.TikTokApiError(
            errors.MULTIPLE_PACKAGES_TO_SHIP,
            "There is not exactly one shipped package; update the package's shipping info instead",
        )
    _update_tracking(call, order, shipped[0])
    return errors.envelope({})


@router.post("/fulfillment/202309/packages/{package_id}/shipping_info/update")
async def update_package_shipping_info(package_id: str, call: ShopCall) -> dict:
    """Correct the tracking of one seller-shipped package."""
    package = _own_package(call, package_id)
    _update_tracking(call, call.runtime.store.orders[package.order_id], package)
    return errors.envelope({})


@router.get("/fulfillment/202309/packages/{package_id}/shipping_documents")
async def get_package_shipping_document(package_id: str, request: Request, call: ShopCall) -> dict:
    """Return the label URL of a TikTok-shipped package once shipment is arranged."""
    package = _own_package(call, package_id)
    order = call.runtime.store.orders[package.order_id]
    if not order_flow.is_seller_fulfilled(order):
        raise errors.TikTokApiError(
            errors.PLATFORM_PACKAGE_DOCUMENT,
            "This package is fulfilled by TikTok. Shipping documents cannot be printed.",
        )
    if package.shipping_type != "TIKTOK":
        raise errors.TikTokApiError(
            errors.SELLER_SHIPPING_DOCUMENT,
            "This API is only applicable to TikTok Shipping orders. For seller shipping, obtain the shipping label offline.",
        )
    document_type = call.query.get("document_type", "")
    if document_type not in (
        "SHIPPING_LABEL",
        "PACKING_SLIP",
        "SHIPPING_LABEL_AND_PACKING_SLIP",
        "SHIPPING_LABEL_PICTURE",
        "HAZMAT_LABEL",
        "INVOICE_LABEL",
    ):
        raise errors.TikTokApiError(errors.FULFILLMENT_INVALID_PARAMETERS, f"Invalid document_type {document_type!r}")
    if not package.tracking_number:
        raise errors.TikTokApiError(
            errors.ARRANGE_SHIPMENT_FIRST, "Please arrange shipment before retrieving the shipping document."
        )

    doc_url = str(request.base_url) + f"_sandbox/documents/{package.id}.pdf"
    return errors.envelope({"doc_url": doc_url, "tracking_number": package.tracking_number})


def _ship(call: OpenApiCall, package: Package, body: dict) -> None:
    store = call.runtime.store
    order = store.orders[package.order_id]
    _require_seller_fulfilled(order)
    if package.status == "CANCELLED" or order.status == "CANCELLED":
        raise errors.TikTokApiError(errors.ORDER_CANCELLED, "Cannot complete the operation when order is cancelled.")
    if package.tracking_number:
        raise errors.TikTokApiError(
            errors.ALREADY_SHIPPED, "Package has been shipped. Please not ship the package again."
        )
    _require_awaiting_shipment(order)

    if package.shipping_type == "SELLER":
        tracking, provider_id = _tracking(call, order, body.get("self_shipment") or {})
        handover = body.get("handover_method") or "DROP_OFF"
    else:
        # TikTok shipping: the platform's carrier assigns the tracking number.
        tracking, provider_id = "TT" + store.ids.token(12).upper(), ""
        handover = body.get("handover_method") or "PICKUP"
    order_flow.ship_package(
        store,
        package,
        tracking_number=tracking,
        provider_id=provider_id,
        handover_method=handover,
        now=call.now,
        events=call.runtime.webhooks,
    )


def _tracking(call: OpenApiCall, order: Order, body: dict) -> tuple[str, str]:
    tracking = str(body.get("tracking_number") or "").strip()
    provider_id = str(body.get("shipping_provider_id") or "")
    option = call.runtime.store.delivery_options.get(order.delivery_option_id)
    if not tracking or option is None or provider_id not in option.provider_ids:
        raise errors.TikTokApiError(
            errors.INVALID_TRACKING_OR_PROVIDER,
            "Invalid tracking number or provider ID. Please double check and try again.",
        )
    return tracking, provider_id


def _update_tracking(call: OpenApiCall, order: Order, package: Package) -> None:
    if package.shipping_type != "SELLER":
        raise errors.TikTokApiError(
            21011004,
            "This API cannot be used to update package shipping information for packages that are not shipped by sellers.",
        )
    if not package.tracking_number:
        raise errors.TikTokApiError(
            errors.FULFILLMENT_INVALID_PARAMETERS, "The package has not been shipped yet; ship it first"
        )
    if package.tracking_updates >= 1:
        raise errors.TikTokApiError(errors.TRACKING_UPDATED_ONCE, "The tracking number can only be updated once.")
    if call.now - package.shipped_time > TRACKING_UPDATE_WINDOW_SECONDS:
        raise errors.TikTokApiError(
            errors.TRACKING_UPDATE_WINDOW_PASSED, "The tracking number can only be updated within 72 hours of shipping."
        )

    tracking, provider_id = _tracking(call, order, call.json_body())
    package.tracking_updates += 1
    order_flow.ship_package(
        call.runtime.store,
        package,
        tracking_number=tracking,
        provider_id=provider_id,
        handover_method=package.handover_method,
        now=call.now,
        events=call.runtime.webhooks,
    )


def _own_order(call: OpenApiCall, order_id: str) -> Order:
    order = call.runtime.store.orders.get(order_id)
    if order is None or order.shop_id != call.require_shop().id:
        raise errors.TikTokApiError(
            errors.ORDER_NOT_OWNED, f"The order or package {order_id} does not belong to the current seller."
        )
    return order


def _own_package(call: OpenApiCall, package_id: str) -> Package:
    package = call.runtime.store.packages.get(package_id)
    if package is None or package.shop_id != call.require_shop().id:
        raise errors.TikTokApiError(
            errors.PACKAGE_NOT_OWNED, f"The package {package_id} does not belong to the current shop."
        )
    return package


def _require_seller_fulfilled(order: Order) -> None:
    if not order_flow.is_seller_fulfilled(order):
        raise errors.TikTokApiError(
            errors.FULFILLED_BY_PLATFORM, "Seller cannot operate orders which are fulfilled by platform"
        )


def _require_awaiting_shipment(order: Order) -> None:
    if order.status == "CANCELLED":
        raise errors.TikTokApiError(errors.ORDER_CANCELLED, "Cannot complete the operation when order is cancelled.")
    if order.status in order_flow.SHIPPED_STATUSES:
        raise errors.TikTokApiError(21011020, "These orders are already shipped.")
    if order.status not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
        raise errors.TikTokApiError(
            errors.ORDERS_NOT_AWAITING_SHIPMENT, f"The order is {order.status}, not awaiting shipment."
        )


def _chosen_lines(order: Order, line_ids) -> list:
    """Return the named unshipped lines, or every unshipped line when none are named."""
    open_lines = [line for line in order_flow.active_lines(order) if not line.tracking_number]
    if not line_ids:
        if not open_lines:
            raise errors.TikTokApiError(21011020, "These orders are already shipped.")
        return open_lines
    by_id = {line.id: line for line in open_lines}
    missing = [line_id for line_id in line_ids if line_id not in by_id]
    if missing:
        raise errors.TikTokApiError(
            errors.FULFILLMENT_INVALID_PARAMETERS,
            f"Invalid parameters: line items {', '.join(missing)} are unknown, cancelled or already shipped",
        )
    return [by_id[line_id] for line_id in line_ids]


def _split_blocker(order: Order) -> str:
    if order.status == "CANCELLED":
        return "Order has been canceled"
    if order.status not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
        return "Order is not awaiting shipment"
    if len([line for line in order_flow.active_lines(order) if not line.tracking_number]) < 2:
        return "Order has fewer than two unshipped items"
    return ""
