"""Admin API under /_sandbox: seeding, state changes, faults, token expiry, clock, webhooks and the request log.

None of this exists on TikTok; tests and `make run` use it to drive the sandbox.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from crossdock_sandbox.tiktok import order_flow, seed
from crossdock_sandbox.tiktok.catalog import finish_audit
from crossdock_sandbox.tiktok.routers.oauth import approve_redirect_url
from crossdock_sandbox.tiktok.runtime import SandboxRuntime, get_runtime
from crossdock_sandbox.tiktok.store import FULFILLMENT_BY_SELLER, ORDER_STATUSES, App, Order
from crossdock_sandbox.tiktok.views import order_view, product_detail_view, shop_view

router = APIRouter(prefix="/_sandbox", tags=["sandbox admin"])
Runtime = Annotated[SandboxRuntime, Depends(get_runtime)]
JsonBody = Annotated[dict[str, Any], Body(default_factory=dict)]

# A one-page PDF served as every shipping label.
LABEL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 288 432]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@router.get("/state")
async def get_state(runtime: Runtime) -> dict:
    """Summarize apps, sellers, shops (with ciphers and warehouses) and record counts."""
    store = runtime.store
    return {
        "seed": store.seed,
        "apps": [
            {
                "app_key": a.app_key,
                "app_secret": a.app_secret,
                "service_id": a.service_id,
                "redirect_url": a.redirect_url,
                "auto_approve": a.auto_approve,
            }
            for a in store.apps.values()
        ],
        "sellers": [
            {"open_id": s.open_id, "name": s.name, "base_region": s.base_region, "shop_ids": s.shop_ids}
            for s in store.sellers.values()
        ],
        "shops": [
            shop_view(shop) | {"warehouse_ids": [w.id for w in store.shop_warehouses(shop.id)]}
            for shop in store.shops.values()
        ],
        "counts": {
            "products": len(store.products),
            "orders": len(store.orders),
            "packages": len(store.packages),
            "grants": len(store.grants),
        },
    }


@router.post("/reset")
async def reset(runtime: Runtime, body: JsonBody) -> dict:
    """Replace all data with a fresh deterministic data set for `seed` (default 1)."""
    seed_value = int(body.get("seed", seed.DEFAULT_SEED))
    orders_per_shop = int(body.get("orders_per_shop", 12))
    runtime.replace_store(
        seed.build_store(
            seed=seed_value,
            redirect_url=runtime.redirect_url,
            now=runtime.clock.now_int(),
            orders_per_shop=orders_per_shop,
        )
    )
    runtime.request_log.clear()
    runtime.faults.clear()
    return await get_state(runtime)


@router.put("/apps/{app_key}")
async def put_app(app_key: str, runtime: Runtime, body: JsonBody) -> dict:
    """Create or change an app: secret, redirect URL, service id and auto-approve of the consent page."""
    existing = runtime.store.apps.get(app_key)
    app = App(
        app_key=app_key,
        app_secret=body.get("app_secret", existing.app_secret if existing else ""),
        redirect_url=body.get("redirect_url", existing.redirect_url if existing else runtime.redirect_url),
        service_id=body.get("service_id", existing.service_id if existing else ""),
        auto_approve=bool(body.get("auto_approve", existing.auto_approve if existing else False)),
    )
    if not app.app_secret:
        raise HTTPException(422, "app_secret is required for a new app")
    runtime.store.apps[app_key] = app
    return {
        "app_key": app.app_key,
        "service_id": app.service_id,
        "redirect_url": app.redirect_url,
        "auto_approve": app.auto_approve,
    }


@router.get("/oauth/authorize", response_model=None)
async def auto_authorize(request: Request, runtime: Runtime) -> RedirectResponse | dict:
    """Approve at once, without the consent page: redirect to the app's callback with a code (or return it with `redirect=false`)."""
    app = runtime.store.apps.get(request.query_params.get("app_key", ""))
    if app is None:
        raise HTTPException(404, "unknown app_key")
    url = approve_redirect_url(
        runtime,
        app,
        state=request.query_params.get("state", ""),
        seller_open_id=request.query_params.get("seller_open_id"),
    )
    if request.query_params.get("redirect", "true") == "false":
        return {"redirect_url": url}
    return RedirectResponse(url, status_code=302)


@router.post("/tokens/issue")
async def issue_tokens(runtime: Runtime, body: JsonBody) -> dict:
    """Authorize an app for a seller and return the token data, skipping the redirect entirely."""
    app = runtime.store.apps.get(body.get("app_key", seed.DEFAULT_APP_KEY))
    if app is None:
        raise HTTPException(404, "unknown app_key")
    seller_id = body.get("seller_open_id") or next(iter(runtime.store.sellers))
    if seller_id not in runtime.store.sellers:
        raise HTTPException(404, f"unknown seller_open_id {seller_id!r}")
    code = runtime.tokens.issue_code(app=app, seller=runtime.store.sellers[seller_id])
    grant = runtime.tokens.exchange_code(
        app_key=app.app_key, app_secret=app.app_secret, auth_code=code.code, grant_type="authorized_code"
    )
    return runtime.tokens.token_data(grant)


@router.post("/tokens/expire")
async def expire_tokens(runtime: Runtime, body: JsonBody) -> dict:
    """Force expiry: `kind` access, refresh or both, for one `token` or all tokens of an `app_key` (all when neither is given)."""
    try:
        changed = runtime.tokens.expire(
            kind=body.get("kind", "access"), token=body.get("token"), app_key=body.get("app_key")
        )
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    return {"expired_grants": changed}


@router.post("/faults")
async def add_fault(runtime: Runtime, body: JsonBody) -> dict:
    """Make the next `count` API calls under `path_prefix` fail with `kind`: rate_limit, server_error or timeout."""
    try:
        runtime.faults.add(
            kind=body.get("kind", ""), count=int(body.get("count", 1)), path_prefix=body.get("path_prefix", "/")
        )
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    if "timeout_seconds" in body:
        runtime.timeout_fault_seconds = float(body["timeout_seconds"])
    return _faults(runtime)


@router.put("/latency")
async def set_latency(runtime: Runtime, body: JsonBody) -> dict:
    """Add `seconds` of delay before every API call is handled."""
    seconds = float(body.get("seconds", 0))
    if seconds < 0:
        raise HTTPException(422, "seconds must not be negative")
    runtime.faults.latency_seconds = seconds
    return _faults(runtime)


@router.get("/faults")
async def get_faults(runtime: Runtime) -> dict:
    """List queued faults and the added latency."""
    return _faults(runtime)


@router.delete("/faults")
async def clear_faults(runtime: Runtime) -> dict:
    """Remove queued faults and the added latency."""
    runtime.faults.clear()
    return _faults(runtime)


@router.get("/clock")
async def get_clock(runtime: Runtime) -> dict:
    """Return the sandbox time used for timestamps, expiry and rate limits."""
    return {
        "now": runtime.clock.now(),
        "frozen_at": runtime.clock.frozen_at,
        "offset_seconds": runtime.clock.offset_seconds,
    }


@router.post("/clock")
async def move_clock(runtime: Runtime, body: JsonBody) -> dict:
    """Move the clock by `advance_seconds`, or freeze it at `freeze_at` (null lets it run)."""
    if "freeze_at" in body:
        runtime.clock.freeze(body["freeze_at"])
    runtime.clock.advance(float(body.get("advance_seconds", 0)))
    return await get_clock(runtime)


@router.get("/requests")
async def get_requests(runtime: Runtime) -> dict:
    """List every API request received (method, path, query, body) with its HTTP status, code and message."""
    return {"requests": [entry.as_dict() for entry in runtime.request_log.entries]}


@router.delete("/requests")
async def clear_requests(runtime: Runtime) -> dict:
    """Empty the request log."""
    runtime.request_log.clear()
    return {"requests": []}


@router.post("/products")
async def add_product(runtime: Runtime, body: JsonBody) -> dict:
    """Add an ACTIVATE product to `shop_id` with one SKU per entry of `seller_skus`."""
    shop = _shop(runtime, body.get("shop_id", ""))
    product = seed.add_product(
        runtime.store,
        shop=shop,
        title=body.get("title", "Sandbox product"),
        seller_skus=list(body.get("seller_skus") or ["SANDBOX-SKU"]),
        now=runtime.clock.now_int(),
        status=body.get("status", "ACTIVATE"),
        price=str(body.get("price", "19.99")),
    )
    return product_detail_view(product, shop)


@router.post("/products/{product_id}/audit")
async def audit_product(product_id: str, runtime: Runtime, body: JsonBody) -> dict:
    """Finish a product's audit as approved (default) or failed, sending PRODUCT_STATUS_CHANGE."""
    product = runtime.store.products.get(product_id)
    if product is None:
        raise HTTPException(404, f"unknown product {product_id}")
    finish_audit(runtime, product, approved=bool(body.get("approved", True)), reason=body.get("reason", ""))
    return product_detail_view(product, runtime.store.shops[product.shop_id])


@router.put("/settings")
async def put_settings(runtime: Runtime, body: JsonBody) -> dict:
    """Change sandbox behaviour: `auto_audit` approves new and edited products at once (default true)."""
    if "auto_audit" in body:
        runtime.auto_audit = bool(body["auto_audit"])
    return {"auto_audit": runtime.auto_audit}


@router.post("/orders")
async def add_order(runtime: Runtime, body: JsonBody) -> dict:
    """Place an order: `shop_id`, `lines` of {sku_id, quantity}, optional status, fulfillment_type and shipping_type."""
    shop = _shop(runtime, body.get("shop_id", ""))
    status = body.get("status", "UNPAID")
    if status not in ORDER_STATUSES:
        raise HTTPException(422, f"unknown status {status!r}")
    lines = _lines(runtime, shop.id, body.get("lines") or [])
    now = runtime.clock.now_int()
    order = seed.add_order(
        runtime.store,
        shop=shop,
        lines=lines,
        status=status,
        now=now,
        fulfillment_type=body.get("fulfillment_type", FULFILLMENT_BY_SELLER),
        shipping_type=body.get("shipping_type", "SELLER"),
        create_time=now,
    )
    order.is_on_hold_order = bool(body.get("is_on_hold_order", False)) or status == "ON_HOLD"
    order_flow.announce_status(order, now=now, events=runtime.webhooks)
    return order_view(order, runtime.store)


@router.post("/orders/{order_id}/pay")
async def pay_order(order_id: str, runtime: Runtime) -> dict:
    """Buyer pays: UNPAID becomes ON_HOLD (on-hold orders) or AWAITING_SHIPMENT with a package."""
    order = _order(runtime, order_id, allowed=("UNPAID",))
    order_flow.mark_paid(runtime.store, order, now=runtime.clock.now_int(), events=runtime.webhooks)
    return order_view(order, runtime.store)


@router.post("/orders/{order_id}/release-hold")
async def release_hold(order_id: str, runtime: Runtime) -> dict:
    """End the ON_HOLD window: the order moves to AWAITING_SHIPMENT."""
    order = _order(runtime, order_id, allowed=("ON_HOLD",))
    now = runtime.clock.now_int()
    order_flow.set_status(order, "AWAITING_SHIPMENT", now=now, events=runtime.webhooks)
    order_flow.ensure_package(runtime.store, order, now=now)
    return order_view(order, runtime.store)


@router.post("/orders/{order_id}/buyer-cancel")
async def buyer_cancel(order_id: str, runtime: Runtime, body: JsonBody) -> dict:
    """Buyer cancels an order that has not shipped."""
    order = _order(runtime, order_id, allowed=("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"))
    order_flow.cancel(
        runtime.store,
        order,
        initiator="BUYER",
        reason=body.get("reason", "No longer needed"),
        line_ids=None,
        now=runtime.clock.now_int(),
        events=runtime.webhooks,
    )
    return order_view(order, runtime.store)


@router.post("/orders/{order_id}/address")
async def edit_address(order_id: str, runtime: Runtime, body: JsonBody) -> dict:
    """Buyer edits the shipping address: the given fields replace the old ones and RECIPIENT_ADDRESS_UPDATE is sent."""
    order = _order(runtime, order_id, allowed=("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"))
    now = runtime.clock.now_int()
    order.recipient_address.update(body)
    order.has_updated_recipient_address = True
    order.update_time = now
    runtime.webhooks.emit(
        shop_id=order.shop_id, event_type="RECIPIENT_ADDRESS_UPDATE", data={"order_id": order.id, "update_time": now}
    )
    return order_view(order, runtime.store)


@router.post("/orders/{order_id}/lines")
async def edit_lines(order_id: str, runtime: Runtime, body: JsonBody) -> dict:
    """Buyer changes what was ordered before shipment: `lines` of {sku_id, quantity} replace the line items."""
    order = _order(runtime, order_id, allowed=("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"))
    shop = runtime.store.shops[order.shop_id]
    now = runtime.clock.now_int()
    template = seed.add_order(
        runtime.store, shop=shop, lines=_lines(runtime, shop.id, body.get("lines") or []), status=order.status, now=now
    )
    for package in runtime.store.order_packages(order.id) + runtime.store.order_packages(template.id):
        del runtime.store.packages[package.id]
    del runtime.store.orders[template.id]

    order.line_items = template.line_items
    order.update_time = now
    order_flow.ensure_package(runtime.store, order, now=now)
    # NOTE: TikTok has no webhook for changed line items; clients see the change through update_time.
    return order_view(order, runtime.store)


@router.post("/orders/{order_id}/deliver")
async def deliver(order_id: str, runtime: Runtime) -> dict:
    """Carrier delivers a shipped order."""
    order = _order(runtime, order_id, allowed=("AWAITING_COLLECTION", "IN_TRANSIT"))
    now = runtime.clock.now_int()
    order.delivery_time = now
    for package in runtime.store.order_packages(order.id):
        if package.status == "FULFILLING":
            package.status = "COMPLETED"
    order_flow.set_status(order, "DELIVERED", now=now, events=runtime.webhooks)
    return order_view(order, runtime.store)


@router.post("/orders/{order_id}/status")
async def force_status(order_id: str, runtime: Runtime, body: JsonBody) -> dict:
    """Set any status directly (for states the other actions do not reach, such as COMPLETED)."""
    order = _order(runtime, order_id, allowed=ORDER_STATUSES)
    status = body.get("status")
    if status not in ORDER_STATUSES:
        raise HTTPException(422, f"unknown status {status!r}")
    order_flow.set_status(order, status, now=runtime.clock.now_int(), events=runtime.webhooks)
    return order_view(order, runtime.store)


@router.post("/webhooks/trigger")
async def trigger_webhook(runtime: Runtime, body: JsonBody) -> dict:
    """Send any event (`shop_id`, `event_type`, `data`) to the subscribed addresses."""
    _shop(runtime, body.get("shop_id", ""))
    deliveries = runtime.webhooks.emit(
        shop_id=body["shop_id"], event_type=body.get("event_type", ""), data=body.get("data") or {}
    )
    return {"deliveries": [delivery.as_dict() for delivery in deliveries]}


@router.get("/webhooks/deliveries")
async def get_deliveries(runtime: Runtime) -> dict:
    """List every webhook delivery with its body, signature and the status of each attempt."""
    return {"deliveries": [delivery.as_dict() for delivery in runtime.webhooks.deliveries]}


@router.get("/documents/{package_id}.pdf")
async def get_document(package_id: str, runtime: Runtime) -> Response:
    """Serve the shipping label PDF that Get Package Shipping Document links to."""
    if package_id not in runtime.store.packages:
        raise HTTPException(404, f"unknown package {package_id}")
    return Response(LABEL_PDF, media_type="application/pdf")


def _faults(runtime: SandboxRuntime) -> dict:
    return {
        "faults": [vars(f) for f in runtime.faults.faults],
        "latency_seconds": runtime.faults.latency_seconds,
        "timeout_seconds": runtime.timeout_fault_seconds,
    }


def _shop(runtime: SandboxRuntime, shop_id: str):
    shop = runtime.store.shops.get(shop_id)
    if shop is None:
        raise HTTPException(404, f"unknown shop_id {shop_id!r}")
    return shop


def _order(runtime: SandboxRuntime, order_id: str, *, allowed) -> Order:
    order = runtime.store.orders.get(order_id)
    if order is None:
        raise HTTPException(404, f"unknown order {order_id}")
    if order.status not in allowed:
        raise HTTPException(409, f"order {order_id} is {order.status}; this action needs one of {', '.join(allowed)}")
    return order


def _lines(runtime: SandboxRuntime, shop_id: str, lines: list[dict]) -> list:
    result = []
    for entry in lines:
        found = runtime.store.find_sku(str(entry.get("sku_id", "")))
        if found is None or found[0].shop_id != shop_id:
            raise HTTPException(422, f"sku_id {entry.get('sku_id')!r} is not a SKU of shop {shop_id}")
        result.append((found[1], int(entry.get("quantity", 1))))
    if not result:
        raise HTTPException(422, "lines must list at least one {sku_id, quantity}")
    return result
