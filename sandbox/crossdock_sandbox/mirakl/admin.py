"""Admin API under /_sandbox/: seeding, platform switches, faults, order events, time travel and the request log.

None of this exists on Mirakl; tests and `make run` use it to drive the sandbox.
"""

from dataclasses import asdict, fields

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from crossdock_sandbox.mirakl.auth import get_store
from crossdock_sandbox.mirakl.clock import format_datetime
from crossdock_sandbox.mirakl.errors import bad_request, not_found
from crossdock_sandbox.mirakl.order_factory import recompute_totals
from crossdock_sandbox.mirakl.seed import DEFAULT_ORDER_STATES, DEFAULT_SHOP_ID, SeedRequest, seed_store
from crossdock_sandbox.mirakl.store import ORDER_ACCEPTANCE_MODES, FaultPlan

router = APIRouter(prefix="/_sandbox", tags=["sandbox admin"])


class SeedBody(BaseModel):
    seed: int = 0
    order_count: int = Field(default=12, ge=0, le=1000)
    order_states: list[str] = list(DEFAULT_ORDER_STATES)


class PlatformBody(BaseModel):
    order_acceptance: str | None = None
    multi_shipment: bool | None = None
    multi_part_item_shipment: bool | None = None
    shipping_and_billing_details_before_acceptance: bool | None = None


class FaultBody(BaseModel):
    kind: str = Field(pattern="^(429|500|timeout)$")
    count: int = Field(ge=1)
    path_prefix: str = "/api/"
    method: str | None = None
    retry_after_seconds: int = Field(default=1, ge=0)


class LatencyBody(BaseModel):
    seconds: float = Field(ge=0, le=60)


class ClockBody(BaseModel):
    seconds: float = Field(ge=0)


class OrderImportBody(BaseModel):
    shop_id: int = DEFAULT_SHOP_ID
    orders: list[dict]


class OrderEditBody(BaseModel):
    shop_id: int = DEFAULT_SHOP_ID
    shipping_address: dict | None = None
    line_quantities: dict[str, int] | None = None


def _store(request: Request):
    return get_store(request)


def _order(store, shop_id: int, order_id: str):
    record = store.find_order(shop_id, order_id)
    if record is None:
        raise not_found(f"The order {order_id} does not exist in shop {shop_id}.")
    return record


@router.post("/seed")
async def seed(body: SeedBody, request: Request) -> dict:
    """Replace all data with the deterministic data set of `seed`."""
    store = _store(request)
    try:
        seed_store(
            store, SeedRequest(seed=body.seed, order_count=body.order_count, order_states=tuple(body.order_states))
        )
    except ValueError as error:
        raise bad_request(str(error)) from None
    return summary(store)


@router.get("/state")
async def get_state(request: Request) -> dict:
    """Summarize shops, keys, offers, orders and platform switches."""
    return summary(_store(request))


def summary(store) -> dict:
    return {
        "seed": store.seed,
        "shops": [
            {"shop_id": shop.shop_id, "shop_name": shop.shop_name, "warehouse_codes": shop.warehouse_codes}
            for shop in store.shops.values()
        ],
        "api_keys": [
            {"key": key.key, "shop_ids": key.shop_ids, "roles": sorted(key.roles), "label": key.label}
            for key in store.api_keys.values()
        ],
        "offers": {str(shop_id): sorted(offers) for shop_id, offers in store.offers.items()},
        "orders": {
            str(shop_id): {order_id: record.state for order_id, record in orders.items()}
            for shop_id, orders in store.orders.items()
        },
        "platform": asdict(store.platform),
        "clock_offset_seconds": store.clock.offset_seconds,
    }


@router.patch("/platform")
async def update_platform(body: PlatformBody, request: Request) -> dict:
    """Switch PC01 features such as automatic order acceptance or multi-shipment."""
    store = _store(request)
    if body.order_acceptance is not None and body.order_acceptance not in ORDER_ACCEPTANCE_MODES:
        raise bad_request(f"order_acceptance must be one of {', '.join(ORDER_ACCEPTANCE_MODES)}.")
    for name, value in body.model_dump(exclude_none=True).items():
        setattr(store.platform, name, value)
    return asdict(store.platform)


@router.patch("/settings")
async def update_settings(request: Request) -> dict:
    """Change timers and limits (see SandboxSettings); unknown names are rejected."""
    store = _store(request)
    changes = await request.json()
    known = {item.name for item in fields(store.settings)} - {"time_scale"}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise bad_request(f"Unknown settings {', '.join(unknown)}; use {', '.join(sorted(known))}.")
    for name, value in changes.items():
        setattr(store.settings, name, value)
    try:
        store.settings.__post_init__()
    except ValueError as error:
        raise bad_request(str(error)) from None
    store.limiter.enabled = store.settings.rate_limits_enabled
    return asdict(store.settings)


@router.post("/faults")
async def add_fault(body: FaultBody, request: Request) -> dict:
    """Make the next `count` matching API calls fail with 429 or 500, or hang and then return 504."""
    store = _store(request)
    store.faults.plans.append(FaultPlan(**body.model_dump()))
    return {
        "plans": [asdict(plan) for plan in store.faults.plans if plan.count > 0],
        "latency_seconds": store.faults.latency_seconds,
    }


@router.put("/latency")
async def set_latency(body: LatencyBody, request: Request) -> dict:
    """Delay every API response by `seconds`."""
    store = _store(request)
    store.faults.latency_seconds = body.seconds
    return {"latency_seconds": body.seconds}


@router.delete("/faults")
async def clear_faults(request: Request) -> dict:
    """Remove every pending fault and the added latency."""
    store = _store(request)
    store.faults.plans.clear()
    store.faults.latency_seconds = 0.0
    return {"plans": [], "latency_seconds": 0.0}


@router.post("/clock/advance")
async def advance_clock(body: ClockBody, request: Request) -> dict:
    """Move sandbox time forward: deadlines, timers and rate-limit windows all pass."""
    store = _store(request)
    store.clock.advance(body.seconds)
    store.tick()
    return {"clock_offset_seconds": store.clock.offset_seconds, "now": store.clock.now().isoformat()}


@router.get("/requests")
async def list_requests(request: Request) -> dict:
    """List every seller-API request received, oldest first (the key itself is never logged)."""
    store = _store(request)
    return {"requests": [asdict(entry) for entry in store.request_log]}


@router.delete("/requests")
async def clear_requests(request: Request) -> dict:
    _store(request).request_log.clear()
    return {"requests": []}


@router.post("/orders/import")
async def import_orders(body: OrderImportBody, request: Request) -> dict:
    """Load OR11 order payloads (such as the public examples) unchanged into a shop."""
    store = _store(request)
    loaded = []
    for payload in body.orders:
        try:
            record = store.add_order(body.shop_id, payload)
        except ValueError as error:
            raise bad_request(str(error)) from None
        loaded.append(record.order_id)
    return {"order_ids": loaded}


@router.get("/orders/{order_id}")
async def get_order(order_id: str, request: Request, shop_id: int = DEFAULT_SHOP_ID) -> dict:
    """Return the stored order with its acceptance deadline, addresses included."""
    store = _store(request)
    record = _order(store, shop_id, order_id)
    payload = record.to_payload(show_addresses_before_acceptance=True)
    deadline = None
    if record.state == "WAITING_ACCEPTANCE":
        remaining = store.settings.acceptance_deadline_seconds - (store.clock.monotonic() - record.entered_state_at)
        deadline = store.clock.now().timestamp() + remaining
    return {"order": payload, "acceptance_deadline_epoch_seconds": deadline}


ORDER_EVENTS = {
    "release": "WAITING_ACCEPTANCE",  # operator validation of a STAGING order
    "debit": "SHIPPING",  # payment captured
    "receive": "RECEIVED",
    "close": "CLOSED",
}


@router.post("/orders/{order_id}/{event}")
async def apply_order_event(order_id: str, event: str, request: Request, shop_id: int = DEFAULT_SHOP_ID) -> dict:
    """Apply a platform or customer event: release, debit, payment-refused, customer-cancel, receive or close."""
    store = _store(request)
    record = _order(store, shop_id, order_id)
    now, monotonic = store.clock.now(), store.clock.monotonic()
    if event in ORDER_EVENTS:
        record.move_to(ORDER_EVENTS[event], now=now, monotonic=monotonic)
    elif event == "payment-refused":
        record.cancel_lines(now=now, monotonic=monotonic, reason_code="PAYMENT_REFUSED")
    elif event == "customer-cancel":
        if record.state not in ("WAITING_ACCEPTANCE", "WAITING_DEBIT", "WAITING_DEBIT_PAYMENT", "SHIPPING"):
            raise bad_request(f"The customer cannot cancel order {order_id} in state '{record.state}'.")
        record.cancel_lines(now=now, monotonic=monotonic, reason_code="CUSTOMER_CANCELED")
    else:
        raise not_found(
            f"Unknown order event '{event}'; use {', '.join([*ORDER_EVENTS, 'payment-refused', 'customer-cancel'])}."
        )
    return {"order_id": order_id, "order_state": record.state}


@router.patch("/orders/{order_id}")
async def edit_order(order_id: str, body: OrderEditBody, request: Request) -> dict:
    """Edit an order as a customer-service agent would: shipping address or line quantities."""
    store = _store(request)
    record = _order(store, body.shop_id, order_id)
    if body.shipping_address:
        record.payload.setdefault("customer", {}).setdefault("shipping_address", {}).update(body.shipping_address)
    for line_id, quantity in (body.line_quantities or {}).items():
        line = record.line(line_id)
        if line is None:
            raise not_found(f"The order line {line_id} does not exist in order {order_id}.")
        if quantity < 1:
            raise bad_request(f"Quantity {quantity} for line {line_id} must be at least 1; cancel the line instead.")
        line["quantity"] = quantity
    recompute_totals(record.payload)
    record.payload["last_updated_date"] = format_datetime(store.clock.now())
    return {"order": record.to_payload(show_addresses_before_acceptance=True)}
