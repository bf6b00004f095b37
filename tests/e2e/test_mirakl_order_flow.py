"""Mirakl orders through the whole hub: connect, locations, catalog, stock, auto-accept, 3PL, ship confirmation."""

import uuid

import pytest

from .conftest import THREEPL_SECRET

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_mirakl_orders_ship_through_the_hub(hub):
    http = hub.http
    http.patch(f"{hub.mirakl_sandbox}/_sandbox/settings", json={"auto_debit_after_seconds": 1}).raise_for_status()
    assert http.put(f"{hub.catalog}/v1/catalog/settings", json={"catalog_source": "mirakl"}).status_code == 200

    threepl = http.post(
        f"{hub.routing}/v1/integrations/http-3pl",
        json={"name": "Sandbox 3PL", "url": hub.threepl_sandbox, "secret": THREEPL_SECRET},
    )
    assert threepl.status_code == 201, threepl.text
    threepl_id = threepl.json()["integration_id"]
    http.put(
        f"{hub.threepl_sandbox}/_sandbox/accounts/default",
        json={"secret": THREEPL_SECRET, "hub_url": hub.routing, "integration_id": threepl_id},
    ).raise_for_status()

    created = http.post(
        f"{hub.mirakl}/v1/integrations",
        json={
            "name": "Mirakl FR",
            "url": hub.mirakl_sandbox,
            "api_key": "not-the-key",
            "settings": {"products": "pull"},
        },
    )
    assert created.status_code == 201, created.text
    mirakl_id = created.json()["integration_id"]

    wrong = http.post(f"{hub.mirakl}/v1/integrations/{mirakl_id}/connect").json()
    assert wrong["status"] == "error"
    assert "API key rejected" in wrong["last_error"]

    http.patch(
        f"{hub.mirakl}/v1/integrations/{mirakl_id}", json={"api_key": "mirakl-sandbox-key-2001"}
    ).raise_for_status()
    connected = http.post(f"{hub.mirakl}/v1/integrations/{mirakl_id}/connect").json()
    assert connected["status"] == "connected", connected

    assert http.get(f"{hub.inventory}/v1/locations").json() == []
    settings = {
        "pullLocations": True,
        "ordersAutoAccept": True,
        "ordersStatuses": ["WAITING_ACCEPTANCE", "SHIPPING", "REFUSED", "CANCELED"],
    }
    http.patch(f"{hub.mirakl}/v1/integrations/{mirakl_id}/settings", json=settings).raise_for_status()

    # Shop 2001 has warehouses WH-PARIS and WH-LYON, plus its global stock.
    locations = hub.wait_for(
        "Mirakl warehouses as hub locations",
        lambda: (found := http.get(f"{hub.inventory}/v1/locations").json()) and len(found) >= 3 and found,
    )
    for location in locations:
        hub.wait_for(
            f"link of {location['location_id']}",
            lambda location=location: (
                http.put(
                    f"{hub.inventory}/v1/locations/{location['location_id']}/link",
                    json={"fulfillment_integration_id": threepl_id},
                ).status_code
                == 200
            ),
            timeout=30,
        )

    masters = hub.wait_for(
        "masters from the Mirakl pull", lambda: http.get(f"{hub.catalog}/v1/products?limit=500").json()["items"]
    )
    for master in masters:
        for location in locations:
            http.post(
                f"{hub.inventory}/v1/stock/set",
                json={"location_id": location["location_id"], "sku": master["sku"], "on_hand": 50, "reason": "e2e"},
                headers={**http.headers, "Idempotency-Key": uuid.uuid4().hex},
            ).raise_for_status()

    def fulfilled_orders():
        return [
            order for order in http.get(f"{hub.routing}/v1/orders?limit=200").json() if order["status"] == "fulfilled"
        ]

    fulfilled = hub.wait_for("an order shipped by the 3PL", fulfilled_orders, timeout=120)

    def ship_confirmations():
        log = http.get(f"{hub.mirakl_sandbox}/_sandbox/requests").json()["requests"]
        operations = {entry["operation"] for entry in log}
        return operations if "ST01" in operations or {"OR23", "OR24"} <= operations else None

    # Routing marks an order fulfilled when the 3PL's shipment arrives; the
    # connector confirms it on Mirakl right after. Multi-shipment shops ship
    # through ST01, the others through OR23 and OR24.
    operations = hub.wait_for("ship confirmation on Mirakl", ship_confirmations, timeout=60)

    assert len(locations) == 3
    assert len(masters) > 0
    assert fulfilled
    assert {"OR11", "OR21"} <= operations
    # Stock goes out only after the test set it, so the first STO01 may follow the ship confirmation.
    hub.wait_for(
        "a stock import (STO01) on Mirakl",
        lambda: any(
            entry["operation"] == "STO01"
            for entry in http.get(f"{hub.mirakl_sandbox}/_sandbox/requests").json()["requests"]
        ),
    )
