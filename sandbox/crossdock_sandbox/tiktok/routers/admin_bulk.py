"""Admin API under /_sandbox for bulk data: the demo catalog and generated orders.

`make run` loads the catalog and keeps orders coming, and benchmarks generate
tens of thousands of orders in one call.
"""

import logging
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException

from crossdock_sandbox.tiktok import order_flow
from crossdock_sandbox.tiktok.demo_loader import load_demo_catalog
from crossdock_sandbox.tiktok.order_batch import OrderBatch, generate_orders
from crossdock_sandbox.tiktok.runtime import SandboxRuntime, get_runtime
from crossdock_sandbox.tiktok.store import FULFILLMENT_BY_SELLER, FULFILLMENT_BY_TIKTOK, ORDER_STATUSES, Shop

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/_sandbox", tags=["sandbox admin"])
Runtime = Annotated[SandboxRuntime, Depends(get_runtime)]
JsonBody = Annotated[dict[str, Any], Body(default_factory=dict)]

MAX_GENERATED_ORDERS = 50_000
MAX_LINES_PER_ORDER = 10
# Above this many orders the response gives the first and last id instead of the full list.
MAX_LISTED_ORDER_IDS = 1000
FULFILLMENT_TYPES = (FULFILLMENT_BY_SELLER, FULFILLMENT_BY_TIKTOK)


@router.post("/catalog")
async def load_catalog(runtime: Runtime, body: JsonBody) -> dict:
    """Load the demo catalog's TikTok side into the shop, leaving products from an earlier load unchanged."""
    shop = _shop(runtime, body.get("shop_id"))
    return asdict(load_demo_catalog(runtime.store, shop, now=runtime.clock.now_int()))


@router.post("/orders/generate")
async def generate(runtime: Runtime, body: JsonBody) -> dict:
    """Add `count` random orders in `status` over the shop's active SKUs, created now."""
    shop = _shop(runtime, body.get("shop_id"))
    count = _whole_number(body, "count", default=1, maximum=MAX_GENERATED_ORDERS)
    max_lines = _whole_number(body, "max_lines", default=3, maximum=MAX_LINES_PER_ORDER)
    seed_value = body.get("seed", 0)
    if not isinstance(seed_value, int) or isinstance(seed_value, bool):
        raise HTTPException(422, f"seed {seed_value!r} is invalid; send a whole number")
    status = body.get("status", "AWAITING_SHIPMENT")
    if status not in ORDER_STATUSES:
        raise HTTPException(422, f"status {status!r} is invalid; use one of {', '.join(ORDER_STATUSES)}")
    fulfillment_type = body.get("fulfillment_type", FULFILLMENT_BY_SELLER)
    if fulfillment_type not in FULFILLMENT_TYPES:
        raise HTTPException(
            422, f"fulfillment_type {fulfillment_type!r} is invalid; use one of {', '.join(FULFILLMENT_TYPES)}"
        )
    notify = body.get("notify", False)
    if not isinstance(notify, bool):
        raise HTTPException(422, f"notify {notify!r} is invalid; send true or false")

    now = runtime.clock.now_int()
    batch = OrderBatch(count=count, status=status, fulfillment_type=fulfillment_type, max_lines=max_lines)
    try:
        orders = generate_orders(runtime.store, shop, batch, seed_value=seed_value, now=now)
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    if notify:
        for order in orders:
            order_flow.announce_status(order, now=now, events=runtime.webhooks)

    order_ids = [order.id for order in orders]
    logger.info(
        "orders generated",
        extra={"shop_id": shop.id, "count": len(order_ids), "first_order_id": order_ids[0], "status": status},
    )
    return order_id_summary(order_ids)


def order_id_summary(order_ids: list[str]) -> dict:
    """Return the count, first and last id, and every id when there are at most MAX_LISTED_ORDER_IDS."""
    summary = {"count": len(order_ids), "first_order_id": order_ids[0], "last_order_id": order_ids[-1]}
    if len(order_ids) <= MAX_LISTED_ORDER_IDS:
        summary["order_ids"] = order_ids
    return summary


def default_shop(runtime: SandboxRuntime) -> Shop:
    """Return the US shop of the default seller (the first seller of the data set)."""
    seller = next(iter(runtime.store.sellers.values()))
    shops = [runtime.store.shops[shop_id] for shop_id in seller.shop_ids]
    return next(shop for shop in shops if shop.region == "US")


def _shop(runtime: SandboxRuntime, shop_id: Any) -> Shop:
    if shop_id is None:
        return default_shop(runtime)
    shop = runtime.store.shops.get(str(shop_id))
    if shop is None:
        raise HTTPException(404, f"unknown shop_id {shop_id!r}; GET /_sandbox/state lists the shops")
    return shop


def _whole_number(body: dict, name: str, *, default: int, maximum: int) -> int:
    value = body.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
        raise HTTPException(422, f"{name} {value!r} is invalid; send a whole number from 1 to {maximum}")
    return value
