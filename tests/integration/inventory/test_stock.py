"""Stock API: set and adjust with idempotency keys, CSV import, history."""

import pytest
from crossdock_inventory.testing import create_location, fetchval

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_stock_adjust_replayed_key_applied_once(inventory):
    location_id = await create_location(inventory, "Lyon DC")
    body = {"location_id": location_id, "sku": "MUG-1", "delta": 5, "reason": "delivery"}
    headers = {**inventory.auth(), "Idempotency-Key": "delivery-42"}

    first = await inventory.client.post("/v1/stock/adjust", json=body, headers=headers)
    replay = await inventory.client.post("/v1/stock/adjust", json=body, headers=headers)
    reused = await inventory.client.post("/v1/stock/adjust", json={**body, "delta": 6}, headers=headers)

    assert first.status_code == 200
    assert first.json()["on_hand"] == 5
    assert first.json()["replayed"] is False
    assert replay.status_code == 200
    assert replay.json()["on_hand"] == 5
    assert replay.json()["replayed"] is True
    assert reused.status_code == 409
    assert "delivery-42" in reused.json()["detail"]
    assert await fetchval(inventory, "SELECT on_hand FROM stock_levels WHERE sku = 'MUG-1'") == 5
    assert await fetchval(inventory, "SELECT count(*) FROM movements WHERE cause = 'adjustment'") == 1


async def test_stock_set_requires_key_and_known_location(inventory):
    body = {"location_id": "loc-missing", "sku": "MUG-1", "on_hand": 3}

    without_key = await inventory.client.post("/v1/stock/set", json=body, headers=inventory.auth())
    unknown = await inventory.client.post(
        "/v1/stock/set", json=body, headers={**inventory.auth(), "Idempotency-Key": "k-1"}
    )

    assert without_key.status_code == 422
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "location 'loc-missing' not found"
    assert await fetchval(inventory, "SELECT count(*) FROM stock_requests") == 0


async def test_stock_import_sets_levels_and_publishes(inventory):
    location_id = await create_location(inventory, "Lyon DC")
    csv_text = f"location_id,sku,on_hand\n{location_id},123456 Oaktree,7\n{location_id},MUG-1,2\n"

    response = await inventory.client.post(
        "/v1/stock/import", content=csv_text.encode(), headers={**inventory.auth(), "Content-Type": "text/csv"}
    )

    assert response.status_code == 200
    assert response.json() == {"imported": 2}
    assert await fetchval(inventory, "SELECT on_hand FROM stock_levels WHERE sku = '123456 Oaktree'") == 7
    changed = await inventory.wait_for_event("stock.changed", lambda event: event.payload.sku == "123456 Oaktree")
    assert changed.payload.available == 7
    history = await inventory.client.get(
        "/v1/stock/history", params={"sku": "123456 Oaktree"}, headers=inventory.auth()
    )
    assert [row["cause"] for row in history.json()] == ["import"]


async def test_stock_import_with_bad_row_applies_nothing(inventory):
    location_id = await create_location(inventory, "Lyon DC")
    csv_text = f"location_id,sku,on_hand\n{location_id},MUG-1,2\nloc-nowhere,MUG-2,1\n"

    response = await inventory.client.post(
        "/v1/stock/import", content=csv_text.encode(), headers={**inventory.auth(), "Content-Type": "text/csv"}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [{"line": 3, "message": "location 'loc-nowhere' not found"}]
    assert await fetchval(inventory, "SELECT count(*) FROM stock_levels") == 0


async def test_stock_history_records_decrement_delta(inventory):
    location_id = await create_location(inventory, "Lyon DC")
    for delta, key in ((5, "count-1"), (-2, "damaged-1")):
        response = await inventory.client.post(
            "/v1/stock/adjust",
            json={"location_id": location_id, "sku": "MUG-2", "delta": delta, "reason": key},
            headers={**inventory.auth(), "Idempotency-Key": key},
        )
        assert response.status_code == 200, response.text

    history = await inventory.client.get("/v1/stock/history", params={"sku": "MUG-2"}, headers=inventory.auth())
    newest = history.json()[0]

    assert newest["on_hand_delta"] == -2
    assert newest["on_hand_after"] == 3
