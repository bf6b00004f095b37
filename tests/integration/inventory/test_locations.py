"""Locations: discovered from a channel, created and linked by API, each change published."""

import pytest
from crossdock_inventory.testing import create_location, fetchval, publish_integration, wait_for_row

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_location_discovered_twice_creates_one(inventory):
    discovered = {
        "integration_id": "mirakl-1",
        "external_code": "WH-PARIS",
        "name": "Mirakl warehouse WH-PARIS",
        "evidence": ["OF21 offer MK-TSHIRT-RED-M"],
    }
    renamed = {**discovered, "name": "Paris"}
    await inventory.publish(inventory.event(type="location.discovered", payload=discovered, key="mirakl-1:WH-PARIS"))
    await inventory.publish(inventory.event(type="location.discovered", payload=renamed, key="mirakl-1:WH-PARIS"))
    await wait_for_row(inventory, "SELECT true FROM locations WHERE name = 'Paris'", message="discovery not applied")

    response = await inventory.client.get("/v1/locations", headers=inventory.auth())
    assert response.status_code == 200
    locations = response.json()
    assert len(locations) == 1
    assert locations[0]["source_integration_id"] == "mirakl-1"
    assert locations[0]["external_code"] == "WH-PARIS"
    assert locations[0]["status"] == "active"
    upserted = await inventory.wait_for_event("location.upserted", lambda event: event.payload.name == "Paris")
    assert upserted.payload.location_id == locations[0]["location_id"]


async def test_location_link_publishes_event(inventory):
    await publish_integration(inventory, "3pl-1", "http_3pl", url="http://127.0.0.1:8203")
    location_id = await create_location(inventory, "Lyon DC")

    response = await inventory.client.put(
        f"/v1/locations/{location_id}/link", json={"fulfillment_integration_id": "3pl-1"}, headers=inventory.auth()
    )

    assert response.status_code == 200
    assert response.json()["fulfillment_integration_id"] == "3pl-1"
    linked = await inventory.wait_for_event(
        "location.upserted", lambda event: event.payload.fulfillment_integration_id == "3pl-1"
    )
    assert linked.payload.location_id == location_id
    assert linked.key == f"acme:location:{location_id}"


async def test_location_link_to_unknown_integration_rejected(inventory):
    location_id = await create_location(inventory, "Lyon DC")

    response = await inventory.client.put(
        f"/v1/locations/{location_id}/link", json={"fulfillment_integration_id": "3pl-typo"}, headers=inventory.auth()
    )

    assert response.status_code == 422
    assert "'3pl-typo' is not known to inventory" in response.json()["detail"]
    stored = await fetchval(inventory, "SELECT fulfillment_integration_id FROM locations")
    assert stored is None


async def test_location_pause_and_other_account(inventory):
    location_id = await create_location(inventory, "Lyon DC")

    paused = await inventory.client.patch(
        f"/v1/locations/{location_id}", json={"status": "paused"}, headers=inventory.auth()
    )
    foreign = await inventory.client.get(f"/v1/locations/{location_id}", headers=inventory.auth("other-account"))
    invalid = await inventory.client.patch(
        f"/v1/locations/{location_id}", json={"status": "closed"}, headers=inventory.auth()
    )

    assert paused.status_code == 200
    assert paused.json()["status"] == "paused"
    assert foreign.status_code == 404
    assert invalid.status_code == 422
    await inventory.wait_for_event("location.upserted", lambda event: event.payload.status == "paused")
