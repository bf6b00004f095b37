"""Steps the troubleshooting walk repeats: integrations, catalog masters, stock and Mirakl sandbox orders.

Every step goes through the hub's public routes or a sandbox admin route, as
an operations team (or the marketplace) would, so the walk sees what a user
sees.
"""

import copy
import uuid
from datetime import UTC, datetime

from .conftest import THREEPL_SECRET, Hub

# Shop 2001 of the Mirakl sandbox: warehouses WH-PARIS and WH-LYON (sandbox/README-mirakl.md).
SHOP_KEY = "mirakl-sandbox-key-2001"
SECOND_SHOP_KEY = "mirakl-sandbox-key-2002"
SHOP_ID = 2001
# A SHIPPING order of the sandbox seed, used as the template of imported orders.
TEMPLATE_ORDER = "SBX00000003-A"
TIKTOK_APP_KEY = "crossdock-sandbox"


def ean13(stem: str) -> str:
    """Return the 13-digit EAN of a 12-digit stem, check digit included."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(stem))
    return stem + str((10 - total % 10) % 10)


def ok_json(response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


def create_mirakl(hub: Hub, *, name: str, api_key: str, url: str | None = None, settings=None) -> str:
    body = {"name": name, "url": url or hub.mirakl_sandbox, "api_key": api_key, "settings": settings or {}}
    return ok_json(hub.http.post(f"{hub.mirakl}/v1/integrations", json=body))["integration_id"]


def connect_mirakl(hub: Hub, integration_id: str) -> dict:
    return ok_json(hub.http.post(f"{hub.mirakl}/v1/integrations/{integration_id}/connect"))


def mirakl_settings(hub: Hub, integration_id: str, **settings):
    return hub.http.patch(f"{hub.mirakl}/v1/integrations/{integration_id}/settings", json=settings)


def mirakl_status(hub: Hub, integration_id: str) -> dict:
    return ok_json(hub.http.get(f"{hub.mirakl}/v1/integrations/{integration_id}/status"))


def job(status: dict, name: str) -> dict:
    return status["jobs"].get(name) or {}


def wait_worker_rounds(hub: Hub, integration_id: str, description: str) -> None:
    """Wait until the Mirakl worker started two more rounds, so the last one read the current settings.

    A round reads the settings when it starts and runs the commands job after
    the order pull, so the second change of the commands job's last run comes
    from a round that began after the caller's change.
    """
    seen: set[str] = set()

    def two_more_rounds() -> bool:
        seen.add(job(mirakl_status(hub, integration_id), "commands")["last_run_at"])
        return len(seen) >= 3

    hub.wait_for(f"two Mirakl worker rounds {description}", two_more_rounds)


def later(timestamp: str, than: str) -> bool:
    """Compare two ISO 8601 timestamps of the API as instants, not as strings."""
    return datetime.fromisoformat(timestamp) > datetime.fromisoformat(than)


def create_threepl(hub: Hub) -> str:
    threepl = ok_json(
        hub.http.post(
            f"{hub.routing}/v1/integrations/http-3pl",
            json={"name": "Sandbox 3PL", "url": hub.threepl_sandbox, "secret": THREEPL_SECRET},
        )
    )
    hub.http.put(
        f"{hub.threepl_sandbox}/_sandbox/accounts/default",
        json={"secret": THREEPL_SECRET, "hub_url": hub.routing, "integration_id": threepl["integration_id"]},
    ).raise_for_status()
    return threepl["integration_id"]


def connect_tiktok(hub: Hub) -> str:
    """Create a TikTok integration and authorize it through the sandbox's no-click consent."""
    integration = ok_json(hub.http.post(f"{hub.tiktok}/v1/integrations", json={"name": "TikTok", "settings": {}}))
    integration_id = integration["id"]
    state = ok_json(hub.http.get(f"{hub.tiktok}/v1/integrations/{integration_id}/oauth/authorize"))["state"]
    consent = hub.http.get(
        f"{hub.tiktok_sandbox}/_sandbox/oauth/authorize",
        params={"app_key": TIKTOK_APP_KEY, "state": state},
        follow_redirects=True,
    )
    assert consent.status_code == 200, consent.text
    hub.wait_for(
        "the TikTok integration connected",
        lambda: hub.http.get(f"{hub.tiktok}/v1/integrations/{integration_id}").json()["status"] == "connected",
    )
    return integration_id


def create_master(hub: Hub, sku: str, title: str, **fields) -> dict:
    return ok_json(hub.http.post(f"{hub.catalog}/v1/products", json={"sku": sku, "title": title, **fields}))


def channel_options(hub: Hub, sku: str, integration_id: str, **options):
    return hub.http.put(f"{hub.catalog}/v1/products/{sku}/channel-options/{integration_id}", json=options)


def audit(hub: Hub) -> dict:
    return ok_json(hub.http.get(f"{hub.catalog}/v1/audit/skus"))


def create_location(hub: Hub, name: str, **fields) -> str:
    return ok_json(hub.http.post(f"{hub.inventory}/v1/locations", json={"name": name, **fields}))["location_id"]


def link_location(hub: Hub, location_id: str, threepl_id: str) -> None:
    # Inventory learns the 3PL from order routing's event, so the link may answer 422 for a moment.
    hub.wait_for(
        f"link of {location_id}",
        lambda: (
            hub.http.put(
                f"{hub.inventory}/v1/locations/{location_id}/link", json={"fulfillment_integration_id": threepl_id}
            ).status_code
            == 200
        ),
    )
    # Routing hears of the link through an event; decisions made before it arrives would not count it.
    hub.wait_for(
        f"routing to see the link of {location_id}",
        lambda: any(
            row["location_id"] == location_id and row["fulfillment_integration_id"] == threepl_id
            for row in hub.http.get(f"{hub.routing}/v1/routing-locations").json()
        ),
    )


def set_stock(hub: Hub, location_id: str, sku: str, on_hand: int) -> None:
    ok_json(
        hub.http.post(
            f"{hub.inventory}/v1/stock/set",
            json={"location_id": location_id, "sku": sku, "on_hand": on_hand, "reason": "troubleshooting walk"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    )


def locations_of(hub: Hub, integration_id: str) -> list[dict]:
    return [
        location
        for location in hub.http.get(f"{hub.inventory}/v1/locations").json()
        if location["source_integration_id"] == integration_id
    ]


def hub_order(hub: Hub, integration_id: str, external_id: str) -> dict | None:
    orders = hub.http.get(
        f"{hub.routing}/v1/orders", params={"integration_id": integration_id, "external_id": external_id}
    ).json()
    return orders[0] if orders else None


def import_mirakl_order(hub: Hub, *, sku: str, state: str = "SHIPPING") -> str:
    """Load a one-line order for `sku` in `state` into shop 2001, built from a seed order; return its id."""
    template = hub.http.get(
        f"{hub.mirakl_sandbox}/_sandbox/orders/{TEMPLATE_ORDER}", params={"shop_id": SHOP_ID}
    ).json()["order"]
    order = copy.deepcopy(template)
    order_id = f"TRB{uuid.uuid4().hex[:8].upper()}-A"
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    line = order["order_lines"][0]
    line.update(
        {
            "order_line_id": f"{order_id}-1",
            "order_line_state": state,
            "offer_sku": sku,
            "product_shop_sku": sku,
            "quantity": 1,
            "created_date": now,
            "last_updated_date": now,
        }
    )
    order.update(
        {
            "order_id": order_id,
            "commercial_id": order_id[:-2],
            "order_state": state,
            "order_lines": [line],
            "created_date": now,
            "last_updated_date": now,
        }
    )
    loaded = ok_json(
        hub.http.post(f"{hub.mirakl_sandbox}/_sandbox/orders/import", json={"shop_id": SHOP_ID, "orders": [order]})
    )
    assert loaded["order_ids"] == [order_id]
    return order_id


def sandbox_order_state(hub: Hub, order_id: str) -> str:
    return hub.http.get(f"{hub.mirakl_sandbox}/_sandbox/orders/{order_id}", params={"shop_id": SHOP_ID}).json()[
        "order"
    ]["order_state"]
