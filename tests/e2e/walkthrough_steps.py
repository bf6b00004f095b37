"""Reads and small actions that the walkthrough steps share.

Each helper goes through a public API: the hub's services or the sandboxes'
admin endpoints under `/_sandbox/`. None of them waits; the steps poll with
`hub.wait_for`.
"""

import csv
import uuid
from typing import Any

from .conftest import Hub

STOCK_HEADER = ["offer-sku", "quantity", "warehouse-code", "update-delete"]


def mirakl_requests(hub: Hub, *, operation: str, shop_id: int | None = None) -> list[dict[str, Any]]:
    """Return the Mirakl sandbox's log of one seller-API operation (such as `STO01`), oldest first."""
    entries = hub.http.get(f"{hub.mirakl_sandbox}/_sandbox/requests").json()["requests"]
    return [
        entry
        for entry in entries
        if entry["operation"] == operation and (shop_id is None or entry["shop_id"] == shop_id)
    ]


def stock_import_lines(entry: dict[str, Any]) -> list[tuple[str, int, str]]:
    """Parse the (offer SKU, quantity, warehouse code) lines of one logged STO01 multipart body.

    The connector quotes every CSV field, so the lines are read with the csv module.
    """
    lines = []
    in_file = False
    for fields in csv.reader(entry["body"].splitlines(), delimiter=";"):
        if fields == STOCK_HEADER:
            in_file = True
            continue
        if not in_file:
            continue
        if len(fields) != 4 or not fields[1].isdigit():
            break
        lines.append((fields[0], int(fields[1]), fields[2]))
    return lines


def pushed_stock(hub: Hub, shop_id: int, *, after: int = 0) -> list[list[tuple[str, int, str]]]:
    """Return the lines of every STO01 import that a shop received after log sequence `after`."""
    return [
        stock_import_lines(entry)
        for entry in mirakl_requests(hub, operation="STO01", shop_id=shop_id)
        if entry["sequence"] > after and entry["status"] < 300
    ]


def last_sequence(hub: Hub) -> int:
    """Return the sequence number of the newest Mirakl sandbox log entry (0 when empty)."""
    entries = hub.http.get(f"{hub.mirakl_sandbox}/_sandbox/requests").json()["requests"]
    return entries[-1]["sequence"] if entries else 0


def mirakl_order_skus(hub: Hub, shop_id: int) -> dict[str, list[str]]:
    """Return the offer SKUs of every order that the Mirakl sandbox holds for a shop, by order id."""
    state = hub.http.get(f"{hub.mirakl_sandbox}/_sandbox/state").json()
    skus = {}
    for order_id in state["orders"].get(str(shop_id), {}):
        order = hub.http.get(f"{hub.mirakl_sandbox}/_sandbox/orders/{order_id}", params={"shop_id": shop_id}).json()
        skus[order_id] = [line["offer_sku"] for line in order["order"]["order_lines"]]
    return skus


def mirakl_order_states(hub: Hub, shop_id: int) -> dict[str, str]:
    """Return the Mirakl sandbox's state of every order of a shop, by order id."""
    state = hub.http.get(f"{hub.mirakl_sandbox}/_sandbox/state").json()
    return state["orders"].get(str(shop_id), {})


def tiktok_requests(hub: Hub, *, method: str, path_prefix: str) -> list[dict[str, Any]]:
    """Return the TikTok sandbox's log of the calls to paths under `path_prefix`, oldest first."""
    entries = hub.http.get(f"{hub.tiktok_sandbox}/_sandbox/requests").json()["requests"]
    return [entry for entry in entries if entry["method"] == method and entry["path"].startswith(path_prefix)]


def hub_orders(hub: Hub, integration_id: str) -> dict[str, dict[str, Any]]:
    """Return the order-routing summaries of one integration's orders, by external order id."""
    orders = hub.http.get(f"{hub.routing}/v1/orders", params={"integration_id": integration_id, "limit": 1000}).json()
    return {order["external_id"]: order for order in orders}


def channel_products(hub: Hub, integration_id: str) -> dict[str, dict[str, Any]]:
    """Return the catalog's channel products of one integration, by channel SKU (first one of each SKU)."""
    found: dict[str, dict[str, Any]] = {}
    offset = 0
    while True:
        page = hub.http.get(
            f"{hub.catalog}/v1/channel-products",
            params={"integration_id": integration_id, "limit": 500, "offset": offset},
        ).json()["items"]
        for item in page:
            found.setdefault(item["channel_sku"], item)
        if len(page) < 500:
            return found
        offset += len(page)


def master_skus(hub: Hub) -> set[str]:
    """Return every master SKU of the account."""
    skus: set[str] = set()
    cursor = None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = hub.http.get(f"{hub.catalog}/v1/products", params=params).json()
        skus.update(item["sku"] for item in page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return skus


def set_stock(hub: Hub, *, location_id: str, sku: str, on_hand: int) -> None:
    """Set the on-hand count of a SKU at a location, as a stock count would."""
    response = hub.http.post(
        f"{hub.inventory}/v1/stock/set",
        json={"location_id": location_id, "sku": sku, "on_hand": on_hand, "reason": "walkthrough count"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    response.raise_for_status()


def link_location(hub: Hub, location_id: str, threepl_id: str) -> bool:
    """Link a location to the 3PL; return False while inventory does not know the 3PL integration yet."""
    response = hub.http.put(
        f"{hub.inventory}/v1/locations/{location_id}/link", json={"fulfillment_integration_id": threepl_id}
    )
    if response.status_code == 422:
        return False
    response.raise_for_status()
    return True


def place_tiktok_order(hub: Hub, *, shop_id: str, sku_id: str, quantity: int, **fields: Any) -> dict[str, Any]:
    """Place an order on the TikTok sandbox, in AWAITING_SHIPMENT unless `fields` set another status."""
    body = {"shop_id": shop_id, "lines": [{"sku_id": sku_id, "quantity": quantity}], "status": "AWAITING_SHIPMENT"}
    response = hub.http.post(f"{hub.tiktok_sandbox}/_sandbox/orders", json={**body, **fields})
    response.raise_for_status()
    return response.json()
