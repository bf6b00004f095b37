"""Order and package state changes shared by the Open API handlers and the admin API.

Each change updates the order, its line items and packages together and sends the
webhooks TikTok sends for it.
"""

from crossdock_sandbox.tiktok.store import FULFILLMENT_BY_SELLER, LineItem, Order, Package, SandboxStore
from crossdock_sandbox.tiktok.webhooks import WebhookDispatcher

SHIPPED_STATUSES = frozenset({"AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED"})
CLOSED_STATUSES = frozenset({"CANCELLED", "COMPLETED"})


def active_lines(order: Order) -> list[LineItem]:
    return [line for line in order.line_items if line.display_status != "CANCELLED"]


def set_status(order: Order, status: str, *, now: int, events: WebhookDispatcher) -> None:
    """Move the order and its open lines to `status` and send ORDER_STATUS_CHANGE."""
    order.status = status
    order.update_time = now
    for line in active_lines(order):
        if not (status == "PARTIALLY_SHIPPING" and line.tracking_number):
            line.display_status = status
    announce_status(order, now=now, events=events)


def announce_status(order: Order, *, now: int, events: WebhookDispatcher) -> None:
    """Send ORDER_STATUS_CHANGE with the order's current status."""
    events.emit(
        shop_id=order.shop_id,
        event_type="ORDER_STATUS_CHANGE",
        data={
            "order_id": order.id,
            "order_status": order.status,
            "is_on_hold_order": order.is_on_hold_order,
            "update_time": now,
        },
    )


def mark_paid(store: SandboxStore, order: Order, *, now: int, events: WebhookDispatcher) -> None:
    """Record payment: ON_HOLD first for on-hold orders, else straight to AWAITING_SHIPMENT."""
    order.paid_time = now
    if order.is_on_hold_order and order.status == "UNPAID":
        set_status(order, "ON_HOLD", now=now, events=events)
        return
    set_status(order, "AWAITING_SHIPMENT", now=now, events=events)
    ensure_package(store, order, now=now)


def ensure_package(store: SandboxStore, order: Order, *, now: int) -> Package | None:
    """Put the open, unpackaged lines of an order awaiting shipment into one package."""
    loose = [line for line in active_lines(order) if not line.package_id]
    if not loose or order.status not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
        return None
    return new_package(store, order, loose, now=now)


def new_package(store: SandboxStore, order: Order, lines: list[LineItem], *, now: int) -> Package:
    package = Package(
        id=store.ids.numeric(),
        shop_id=order.shop_id,
        order_id=order.id,
        line_item_ids=[line.id for line in lines],
        shipping_type=order.shipping_type,
        delivery_option_id=order.delivery_option_id,
        create_time=now,
        update_time=now,
    )
    store.packages[package.id] = package
    for line in lines:
        line.package_id = package.id
    return package


def ship_package(
    store: SandboxStore,
    package: Package,
    *,
    tracking_number: str,
    provider_id: str,
    handover_method: str,
    now: int,
    events: WebhookDispatcher,
) -> None:
    """Mark a package shipped, copy tracking onto its lines and recompute the order status."""
    order = store.orders[package.order_id]
    provider = store.shipping_providers.get(provider_id)
    package.status = "FULFILLING"
    package.tracking_number = tracking_number
    package.shipping_provider_id = provider_id
    package.handover_method = handover_method
    package.shipped_time = now
    package.update_time = now

    for line in order.line_items:
        if line.id in package.line_item_ids and line.display_status != "CANCELLED":
            line.tracking_number = tracking_number
            line.shipping_provider_id = provider_id
            line.shipping_provider_name = provider.name if provider else ""
            line.rts_time = now
    order.rts_time = now
    recompute_shipping_status(order, now=now, events=events)


def recompute_shipping_status(order: Order, *, now: int, events: WebhookDispatcher) -> None:
    lines = active_lines(order)
    shipped = [line for line in lines if line.tracking_number]
    if not shipped:
        return
    if len(shipped) < len(lines):
        if order.status != "PARTIALLY_SHIPPING":
            set_status(order, "PARTIALLY_SHIPPING", now=now, events=events)
            for line in shipped:
                line.display_status = "IN_TRANSIT"
        return
    final = "IN_TRANSIT" if order.shipping_type == "SELLER" else "AWAITING_COLLECTION"
    set_status(order, final, now=now, events=events)


def split_lines(
    store: SandboxStore, order: Order, line_ids: list[str], *, now: int, events: WebhookDispatcher
) -> Package:
    """Move the given unshipped lines into a package of their own, splitting their old package when needed."""
    lines = [line for line in order.line_items if line.id in line_ids]
    old_ids = {line.package_id for line in lines if line.package_id}
    for package_id in old_ids:
        old = store.packages[package_id]
        old.line_item_ids = [line_id for line_id in old.line_item_ids if line_id not in line_ids]
        old.split_and_combine_tag = "SPLIT"
        old.update_time = now
        if not old.line_item_ids:
            del store.packages[package_id]

    package = new_package(store, order, lines, now=now)
    if old_ids:
        package.split_and_combine_tag = "SPLIT"
        package_list = [
            {"package_id": pid, "order_id_list": [order.id]}
            for pid in sorted(old_ids | {package.id})
            if pid in store.packages
        ]
        events.emit(
            shop_id=order.shop_id,
            event_type="PACKAGE_UPDATE",
            data={"sc_type": "SPLIT", "role_type": "ROLE_SELLER", "package_list": package_list, "update_time": now},
        )
    return package


def cancel(
    store: SandboxStore,
    order: Order,
    *,
    initiator: str,
    reason: str,
    line_ids: list[str] | None,
    now: int,
    events: WebhookDispatcher,
) -> dict:
    """Cancel the whole order, or only `line_ids`; return the cancellation record."""
    cancel_id = store.ids.numeric()
    targets = [line for line in active_lines(order) if not line_ids or line.id in line_ids]
    for line in targets:
        line.display_status = "CANCELLED"
        line.cancel_user = initiator
        line.cancel_reason = reason
        if line.package_id in store.packages:
            package = store.packages[line.package_id]
            package.line_item_ids = [line_id for line_id in package.line_item_ids if line_id != line.id]
            if not package.line_item_ids:
                package.status = "CANCELLED"
            package.update_time = now

    record = {
        "cancel_id": cancel_id,
        "cancel_status": "CANCELLATION_REQUEST_SUCCESS",
        "order_id": order.id,
        "role": initiator,
    }
    store.cancellations[cancel_id] = record
    events.emit(
        shop_id=order.shop_id,
        event_type="CANCELLATION_STATUS_CHANGE",
        data={
            "order_id": order.id,
            "cancellations_role": initiator,
            "cancel_status": "CANCELLATION_REQUEST_SUCCESS",
            "cancel_id": cancel_id,
            "create_time": now,
        },
    )

    if not active_lines(order):
        order.cancel_reason = reason
        order.cancellation_initiator = initiator
        order.cancel_time = now
        order.is_buyer_request_cancel = initiator == "BUYER"
        set_status(order, "CANCELLED", now=now, events=events)
    else:
        order.update_time = now
    return record


def is_seller_fulfilled(order: Order) -> bool:
    return order.fulfillment_type == FULFILLMENT_BY_SELLER
