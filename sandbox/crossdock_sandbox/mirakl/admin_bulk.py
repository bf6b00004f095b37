"""Admin API under /_sandbox/ for bulk data: the demo catalog and generated orders.

`make run` loads the catalog and keeps orders coming, and benchmarks generate
tens of thousands of orders in one call.
"""

import logging
from dataclasses import asdict

from fastapi import APIRouter, Request
from pydantic import BaseModel

from crossdock_sandbox.mirakl.auth import get_store
from crossdock_sandbox.mirakl.demo_loader import load_demo_catalog
from crossdock_sandbox.mirakl.errors import bad_request, not_found
from crossdock_sandbox.mirakl.order_batch import OrderBatch, generate_orders
from crossdock_sandbox.mirakl.orders import ORDER_STATES
from crossdock_sandbox.mirakl.seed import DEFAULT_SHOP_ID

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/_sandbox", tags=["sandbox admin"])

MAX_GENERATED_ORDERS = 50_000
MAX_LINES_PER_ORDER = 10
# Above this many orders the response gives the first and last id instead of the full list.
MAX_LISTED_ORDER_IDS = 1000


class GenerateOrdersBody(BaseModel):
    shop_id: int = DEFAULT_SHOP_ID
    count: int = 1
    state: str = "WAITING_ACCEPTANCE"
    seed: int = 0
    max_lines: int = 3


class CatalogBody(BaseModel):
    shop_id: int = DEFAULT_SHOP_ID
    replace: bool = False


@router.post("/catalog")
async def load_catalog(body: CatalogBody, request: Request) -> dict:
    """Load the demo catalog's Mirakl side into the shop; `replace` first removes the shop's other offers."""
    store = get_store(request)
    if body.shop_id not in store.shops:
        raise not_found(f"shop_id {body.shop_id} is not a sandbox shop; use one of {sorted(store.shops)}.")
    result = load_demo_catalog(store, body.shop_id, replace=body.replace)
    return asdict(result)


@router.post("/orders/generate")
async def generate(body: GenerateOrdersBody, request: Request) -> dict:
    """Add `count` random orders in `state` over the shop's offers, created now."""
    store = get_store(request)
    if body.shop_id not in store.shops:
        raise not_found(f"shop_id {body.shop_id} is not a sandbox shop; use one of {sorted(store.shops)}.")
    if not 1 <= body.count <= MAX_GENERATED_ORDERS:
        raise bad_request(f"count {body.count} is invalid; send a number from 1 to {MAX_GENERATED_ORDERS}.")
    if body.state not in ORDER_STATES:
        raise bad_request(f"state '{body.state}' is invalid; use one of {', '.join(ORDER_STATES)}.")
    if not 1 <= body.max_lines <= MAX_LINES_PER_ORDER:
        raise bad_request(f"max_lines {body.max_lines} is invalid; send a number from 1 to {MAX_LINES_PER_ORDER}.")

    batch = OrderBatch(shop_id=body.shop_id, count=body.count, states=(body.state,), max_lines=body.max_lines)
    try:
        records = generate_orders(store, batch, seed=body.seed)
    except ValueError as error:
        raise bad_request(str(error)) from None

    order_ids = [record.order_id for record in records]
    logger.info(
        "orders generated",
        extra={"shop_id": body.shop_id, "count": len(order_ids), "first_order_id": order_ids[0], "state": body.state},
    )
    return order_id_summary(order_ids)


def order_id_summary(order_ids: list[str]) -> dict:
    """Return the count, first and last id, and every id when there are at most MAX_LISTED_ORDER_IDS."""
    summary = {"count": len(order_ids), "first_order_id": order_ids[0], "last_order_id": order_ids[-1]}
    if len(order_ids) <= MAX_LISTED_ORDER_IDS:
        summary["order_ids"] = order_ids
    return summary
