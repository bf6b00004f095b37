"""Integration lifecycle and settings, against the Mirakl sandbox."""

import socket

import pytest

from .conftest import SANDBOX_KEY, connect, connected_integration, create_integration
from .helpers import SuspendedShop

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_connect_stores_shop_and_publishes(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox)
        integration_id = view["integration_id"]
        event = await harness.wait_for_event(
            "integration.upserted",
            lambda e: e.payload.integration_id == integration_id and e.payload.status == "connected",
        )
        listed = await harness.client.get("/v1/integrations", headers=harness.auth())
        other_account = await harness.client.get(
            f"/v1/integrations/{integration_id}", headers=harness.auth(account_id="someone-else")
        )
        # Mirakl allows A01 about once a day, so a second connect the same day is rate-limited.
        again = await connect(harness, integration_id)

    assert view["shop_id"] == 2001
    assert view["shop_name"] == "Crossdock Sandbox Shop"
    assert view["currency"] == "EUR"
    assert view["shop_state"] == "OPEN"
    assert "api_key" not in view
    assert SANDBOX_KEY not in listed.text
    assert other_account.status_code == 404
    assert event.payload.supports_channel_sku is True
    assert event.payload.settings["shopId"] == 2001
    assert event.payload.settings["ordersStatuses"] == ["WAITING_ACCEPTANCE", "REFUSED", "CANCELED"]
    assert event.payload.settings["ordersAutoAccept"] is False
    assert event.payload.settings["pullLocations"] is False
    assert again["status"] == "connected"
    assert "A01 is allowed about once a day" in again["last_error"]
    assert "connect again in" in again["last_error"]
    assert [entry["status"] for entry in await sandbox.requests("A01")] == [200, 429]


async def test_connect_wrong_key_names_the_key(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        created = await create_integration(harness, sandbox.url, key="not-a-valid-key")
        view = await connect(harness, created["integration_id"])
        event = await harness.wait_for_event("integration.upserted", lambda e: e.payload.status == "error")

    assert view["status"] == "error"
    assert view["last_error"].startswith("API key rejected: re-check the Mirakl API key")
    assert "401" in view["last_error"]
    assert "not-a-valid-key" not in view["last_error"]
    assert event.payload.last_error == view["last_error"]


async def test_connect_wrong_url_names_the_url(make_connector, sandbox):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    async with make_connector(worker_enabled=False) as harness:
        wrong_path = await create_integration(harness, f"{sandbox.url}/not-mirakl")
        wrong_host = await create_integration(harness, f"http://127.0.0.1:{closed_port}")
        not_found = await connect(harness, wrong_path["integration_id"])
        unreachable = await connect(harness, wrong_host["integration_id"])

    assert not_found["status"] == "error"
    assert not_found["last_error"].startswith("URL unreachable: re-check the Mirakl URL")
    assert "404" in not_found["last_error"]
    assert unreachable["status"] == "error"
    assert unreachable["last_error"].startswith("URL unreachable: re-check the Mirakl URL")
    assert "network error" in unreachable["last_error"]


async def test_connect_accepts_base_url_with_api_suffix(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        created = await create_integration(harness, f"{sandbox.url}/api/")
        view = await connect(harness, created["integration_id"])

    assert view["status"] == "connected"


async def test_settings_invalid_values_rejected(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        created = await create_integration(harness, sandbox.url)
        path = f"/v1/integrations/{created['integration_id']}/settings"
        overlap = await harness.client.patch(
            path,
            json={"inventorySKUs": ["MUG-WHITE", "MUG-GREEN"], "inventorySKUsExclude": ["MUG-GREEN", "X"]},
            headers=harness.auth(),
        )
        unknown_state = await harness.client.patch(
            path, json={"ordersStatuses": ["WAITING_ACCEPTANCE", "SHIPPED_OUT"]}, headers=harness.auth()
        )
        too_frequent = await harness.client.patch(path, json={"ordersPollSeconds": 10}, headers=harness.auth())
        unchanged = await harness.client.get(f"/v1/integrations/{created['integration_id']}", headers=harness.auth())

    assert overlap.status_code == 422
    assert overlap.headers["content-type"].startswith("application/problem+json")
    assert "['MUG-GREEN']" in overlap.json()["detail"]
    assert "inventorySKUsExclude" in overlap.json()["detail"]
    assert unknown_state.status_code == 422
    assert "SHIPPED_OUT" in unknown_state.json()["detail"]
    assert unknown_state.json()["errors"][0]["setting"] == "ordersStatuses"
    assert too_frequent.status_code == 422
    assert "at least 60 seconds" in too_frequent.json()["detail"]
    assert unchanged.json()["settings"]["inventorySKUs"] == []


async def test_settings_change_and_disconnect_publish(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox)
        response = await harness.client.patch(
            f"/v1/integrations/{view['integration_id']}/settings",
            json={"ordersAutoAccept": True, "inventorySKUsExclude": ["MUG-GREEN"]},
            headers=harness.auth(),
        )
        changed = await harness.wait_for_event(
            "integration.upserted", lambda e: e.payload.settings.get("ordersAutoAccept") is True
        )
        disconnected = await harness.client.post(
            f"/v1/integrations/{view['integration_id']}/disconnect", headers=harness.auth()
        )
        status_event = await harness.wait_for_event(
            "integration.upserted",
            lambda e: e.payload.status == "disconnected" and e.payload.settings["ordersAutoAccept"] is True,
        )

    assert response.status_code == 200
    assert response.json()["settings"]["ordersAutoAccept"] is True
    assert changed.payload.settings["inventorySKUsExclude"] == ["MUG-GREEN"]
    assert changed.payload.settings["ordersStatuses"] == ["WAITING_ACCEPTANCE", "REFUSED", "CANCELED"]
    assert disconnected.json()["status"] == "disconnected"
    assert status_event.payload.integration_id == view["integration_id"]
    assert status_event.payload.settings["ordersAutoAccept"] is True


async def test_settings_push_refused_when_mirakl_is_source(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        created = await create_integration(harness, sandbox.url)
        await harness.publish(
            harness.event(type="catalog.settings_changed", payload={"catalog_source": "mirakl"}, key="catalog")
        )

        async def source_known() -> bool:
            async with harness.runtime.pool.acquire() as connection:
                return bool(await connection.fetchval("SELECT count(*) FROM catalog_sources"))

        await harness.wait_until(source_known)
        response = await harness.client.patch(
            f"/v1/integrations/{created['integration_id']}/settings", json={"products": "push"}, headers=harness.auth()
        )

    assert response.status_code == 422
    assert "catalog source 'mirakl'" in response.json()["detail"]


async def test_connect_warns_when_platform_accepts_automatically(make_connector, sandbox):
    await sandbox.admin.patch("/_sandbox/platform", json={"order_acceptance": "AUTOMATIC"})
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox)

    assert len(view["warnings"]) == 1
    assert "order_acceptance=AUTOMATIC" in view["warnings"][0]
    assert "SHIPPING" in view["warnings"][0]


async def test_connect_suspended_shop_is_error(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        harness.runtime.extras["mirakl_transport"] = SuspendedShop()
        created = await create_integration(harness, sandbox.url)
        view = await connect(harness, created["integration_id"])

    assert view["status"] == "error"
    assert view["shop_state"] == "SUSPENDED"
    assert "Mirakl shop 2001 is SUSPENDED" in view["last_error"]
    assert "COMMERCIAL" in view["last_error"]
