"""Order calls: OR11 list (offset pages), OR21 accept or refuse, OR23 tracking, OR24 ship, OR29/OR30 cancel."""

from typing import Any

from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient, require_list
from crossdock_mirakl_connector.domain.orders import format_mirakl_datetime

# Mirakl caps `order_ids` and the other comma-separated OR11 filters at 100 values.
MAX_IDS_PER_CALL = 100


async def list_orders_page(
    client: MiraklClient,
    *,
    offset: int,
    max_results: int,
    states: list[str] | None = None,
    order_ids: list[str] | None = None,
    start_update_date=None,
) -> dict[str, Any]:
    """OR11 `GET /api/orders`: one page sorted by creation date, oldest first."""
    params: dict[str, Any] = {
        "offset": offset,
        "max": max_results,
        "sort": "dateCreated",
        "order": "asc",
        "paginate": "true",
    }
    if states:
        params["order_state_codes"] = ",".join(states)
    if order_ids:
        if len(order_ids) > MAX_IDS_PER_CALL:
            raise ValueError(f"{len(order_ids)} order ids exceed Mirakl's limit of {MAX_IDS_PER_CALL} per OR11 call")
        params["order_ids"] = ",".join(order_ids)
    if start_update_date is not None:
        params["start_update_date"] = format_mirakl_datetime(start_update_date)
    body = await client.call("GET", "/orders", params=params)
    orders, total = require_list(body, "orders", "OR11")
    return {"orders": orders, "total_count": total}


async def decide_acceptance(client: MiraklClient, order_id: str, decisions: dict[str, bool]) -> None:
    """OR21 `PUT /api/orders/{id}/accept` with a decision for every line in one call."""
    body = {"order_lines": [{"id": line_id, "accepted": accepted} for line_id, accepted in decisions.items()]}
    await client.call("PUT", f"/orders/{order_id}/accept", json=body)


async def update_tracking(client: MiraklClient, order_id: str, tracking: dict[str, str]) -> None:
    """OR23 `PUT /api/orders/{id}/tracking`: carrier code (registered) or name and URL, and tracking number."""
    await client.call("PUT", f"/orders/{order_id}/tracking", json=tracking)


async def ship_order(client: MiraklClient, order_id: str) -> None:
    """OR24 `PUT /api/orders/{id}/ship`, valid only in SHIPPING. An empty JSON body avoids 411 Length Required."""
    await client.call("PUT", f"/orders/{order_id}/ship", json={})


async def cancel_order(client: MiraklClient, order_id: str) -> None:
    """OR29 `PUT /api/orders/{id}/cancel`: cancel the whole order while `can_cancel` is true."""
    await client.call("PUT", f"/orders/{order_id}/cancel", json={})


async def cancel_lines(client: MiraklClient, cancelations: list[dict[str, Any]]) -> dict[str, Any]:
    """OR30 `PUT /api/orders/cancel`: cancel quantities of order lines."""
    return await client.call("PUT", "/orders/cancel", json={"cancelations": cancelations})
