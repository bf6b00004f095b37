"""The `crossdock` commands against a real hub: services and sandboxes as processes, real Kafka and PostgreSQL.

Module fixtures build the account step by step through the CLI itself (a 3PL, a
connected Mirakl integration, its orders and locations), so each fixture is also
the happy-path test of the commands it runs. Tests run in file order: the
stalled-order checks come before the fixture that links the locations.
"""

import json
import socket

import pytest

from .conftest import THREEPL_SECRET

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

MIRAKL_KEY = "mirakl-sandbox-key-2001"
MANUAL_SKU = "CLI-MANUAL-ONLY-1"


def _json(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def manual_master(hub):
    """A master product created by hand while the catalog source is still `other`; no channel has it."""
    created = hub.http.post(f"{hub.url('catalog')}/v1/products", json={"sku": MANUAL_SKU, "title": "Hand made"})
    assert created.status_code == 201, created.text
    return MANUAL_SKU


@pytest.fixture(scope="module")
def mirakl_source(hub, manual_master):
    current = hub.run("catalog", "source")
    assert current.exit_code == 0, current.output
    assert "catalog source: other (default, never set)" in current.stdout

    changed = hub.run("catalog", "source", "mirakl")
    assert changed.exit_code == 0, changed.output
    assert "catalog source set to mirakl" in changed.stdout
    assert _json(hub.run("catalog", "source", "--json"))["catalog_source"] == "mirakl"
    return "mirakl"


@pytest.fixture(scope="module")
def threepl_id(hub):
    created = _json(
        hub.run(
            "integrations", "create-3pl", "--name", "Sandbox 3PL", "--url", hub.url("sandbox_3pl"),
            "--secret", THREEPL_SECRET, "--json",
        )
    )
    integration_id = created["integration_id"]
    hub.http.put(
        f"{hub.url('sandbox_3pl')}/_sandbox/accounts/default",
        json={"secret": THREEPL_SECRET, "hub_url": hub.url("order_routing"), "integration_id": integration_id},
    ).raise_for_status()
    return integration_id


@pytest.fixture(scope="module")
def mirakl_id(hub, mirakl_source):
    created = _json(
        hub.run(
            "integrations", "create-mirakl", "--name", "Mirakl FR", "--url", hub.url("sandbox_mirakl"),
            "--api-key", MIRAKL_KEY, "--products", "pull", "--setting", "pullLocations=true",
            "--setting", 'ordersStatuses=["WAITING_ACCEPTANCE","SHIPPING"]', "--json",
        )
    )
    integration_id = created["integration_id"]
    assert created["status"] == "disconnected"
    assert created["settings"]["pullLocations"] is True

    connected = hub.run("integrations", "connect", integration_id)
    assert connected.exit_code == 0, connected.output
    assert f"{integration_id}  status=connected" in connected.stdout

    updated = hub.run("settings", "set", integration_id, "ordersAutoAccept=false", "offerStateCode=12")
    assert updated.exit_code == 0, updated.output
    assert "updated offerStateCode, ordersAutoAccept" in updated.stdout
    return integration_id


@pytest.fixture(scope="module")
def tiktok_id(hub):
    created = _json(hub.run("integrations", "create-tiktok", "--name", "TikTok UK", "--json"))
    assert created["id"].startswith("tiktok-")
    return created["id"]


@pytest.fixture(scope="module")
def stalled_order(hub, mirakl_id):
    """A SHIPPING Mirakl order that routing stalled because no location is linked yet."""
    orders = hub.wait_for(
        "a stalled order from the Mirakl sandbox",
        lambda: hub.http.get(f"{hub.url('order_routing')}/v1/stalled-orders").json(),
    )
    return orders[0]


@pytest.fixture(scope="module")
def linked_locations(hub, threepl_id, mirakl_id):
    """Every Mirakl warehouse as a location, linked to the 3PL through `locations link --all-unlinked`."""
    hub.wait_for(
        "the Mirakl warehouses as hub locations",
        lambda: len(hub.http.get(f"{hub.url('inventory')}/v1/locations").json()) >= 3,
    )
    # Inventory learns of the 3PL from its integration event, so the first links can be rejected.
    hub.wait_for(
        "inventory to accept the 3PL as a link target",
        lambda: hub.run("locations", "link", "--all-unlinked", "--integration", threepl_id).exit_code == 0,
        timeout=60,
    )
    return _json(hub.run("locations", "list", "--json"))


def test_missing_token_says_how_to_make_one(hub):
    result = hub.run("orders", "stalled", env={"CROSSDOCK_TOKEN": ""})

    assert result.exit_code == 1
    assert "CROSSDOCK_TOKEN is not set" in result.stderr
    assert "crossdock token issue" in result.stderr


def test_rejected_token_names_service_and_status(hub):
    result = hub.run("locations", "list", env={"CROSSDOCK_TOKEN": "not-a-jwt"})

    assert result.exit_code == 1
    assert "inventory: 401" in result.stderr
    assert "GET /v1/locations" in result.stderr


def test_unreachable_service_names_url_and_variable(hub):
    url = f"http://127.0.0.1:{_free_port()}"
    result = hub.run("locations", "list", env={"CROSSDOCK_INVENTORY_URL": url})

    assert result.exit_code == 1
    assert f"cannot reach the inventory service at {url}" in result.stderr
    assert "CROSSDOCK_INVENTORY_URL" in result.stderr


def test_health_reports_every_service(hub):
    table = hub.run("health")
    rows = _json(hub.run("health", "--json"))

    assert table.exit_code == 0, table.output
    assert [row["service"] for row in rows] == [
        "catalog", "inventory", "order_routing", "mirakl_connector", "tiktok_connector"
    ]
    for row in rows:
        assert (row["healthz"], row["readyz"]) == ("ok", "ok"), row


def test_catalog_source_rejects_unknown_value(hub):
    result = hub.run("catalog", "source", "amazon")

    assert result.exit_code == 2
    assert "amazon" in result.output


def test_create_mirakl_rejects_relative_url(hub):
    result = hub.run("integrations", "create-mirakl", "--name", "Bad", "--url", "marketplace", "--api-key", "k")

    assert result.exit_code == 1
    assert "Mirakl connector: 422 Invalid URL" in result.stderr
    assert "'marketplace' is not an absolute http(s) URL" in result.stderr


def test_connect_with_wrong_key_shows_last_error(hub, mirakl_source):
    created = _json(
        hub.run(
            "integrations", "create-mirakl", "--name", "Wrong key", "--url", hub.url("sandbox_mirakl"),
            "--api-key", "not-the-key", "--products", "pull", "--json",
        )
    )

    result = hub.run("integrations", "connect", created["integration_id"])

    assert result.exit_code == 1
    assert "status=error" in result.stdout
    assert "API key rejected" in result.stdout


def test_threepl_test_connects(hub, threepl_id):
    result = hub.run("integrations", "test", threepl_id)

    assert result.exit_code == 0, result.output
    assert f"{threepl_id}  status=connected" in result.stdout


def test_tiktok_authorize_prints_consent_link(hub, tiktok_id):
    result = hub.run("integrations", "authorize", tiktok_id)

    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    assert link.startswith(hub.url("sandbox_tiktok") + "/oauth/authorize?")
    assert "state=" in link


def test_inspect_picks_connector_from_id(hub, mirakl_id, tiktok_id):
    # The Mirakl worker records its first job runs a moment after the connect.
    hub.wait_for(
        "a first Mirakl job run",
        lambda: _json(hub.run("integrations", "inspect", mirakl_id, "--json")).get("jobs"),
    )
    mirakl = hub.run("integrations", "inspect", mirakl_id)
    tiktok = _json(hub.run("integrations", "inspect", tiktok_id, "--json"))

    assert mirakl.exit_code == 0, mirakl.output
    assert f"{mirakl_id}  status=connected" in mirakl.stdout
    assert "last_success_at" in mirakl.stdout
    assert tiktok["integration_id"] == tiktok_id
    assert tiktok["status"] == "disconnected"


def test_inspect_unknown_id_fails_with_detail(hub):
    prefixed = hub.run("integrations", "inspect", "mirakl-000000000000")
    bare = hub.run("integrations", "inspect", "no-such-integration")

    assert prefixed.exit_code == 1
    assert "Mirakl connector: 404 Not Found: integration 'mirakl-000000000000' not found" in prefixed.stderr
    assert bare.exit_code == 1
    assert "integration 'no-such-integration' not found in mirakl_connector, tiktok_connector" in bare.stderr


def test_integrations_list_shows_every_type(hub, mirakl_id, threepl_id, tiktok_id):
    def listed():
        rows = _json(hub.run("integrations", "list", "--json"))
        return rows if tiktok_id in {row["integration_id"] for row in rows} else None

    rows = hub.wait_for("the TikTok integration in the catalog's list", listed, timeout=60)
    table = hub.run("integrations", "list")

    by_id = {row["integration_id"]: row for row in rows}
    assert by_id[mirakl_id]["type"] == "mirakl"
    assert by_id[threepl_id]["type"] == "http_3pl"
    assert by_id[tiktok_id]["type"] == "tiktok"
    assert table.exit_code == 0, table.output
    assert mirakl_id in table.stdout


def test_integrations_list_survives_one_service_down(hub, mirakl_id):
    url = f"http://127.0.0.1:{_free_port()}"
    result = hub.run("integrations", "list", env={"CROSSDOCK_ORDER_ROUTING_URL": url})

    assert result.exit_code == 1
    assert mirakl_id in result.stdout
    assert f"cannot reach the order routing service at {url}" in result.stderr


def test_settings_show_lists_values(hub, mirakl_id):
    settings = _json(hub.run("settings", "show", mirakl_id, "--json"))
    table = hub.run("settings", "show", mirakl_id)

    assert settings["pullLocations"] is True
    assert settings["ordersStatuses"] == ["WAITING_ACCEPTANCE", "SHIPPING"]
    assert settings["ordersAutoAccept"] is False
    assert settings["offerStateCode"] == "12"
    assert table.exit_code == 0, table.output
    assert "ordersStatuses" in table.stdout


def test_settings_set_rejects_invalid_value(hub, mirakl_id):
    result = hub.run("settings", "set", mirakl_id, "ordersAutoAccept=sometimes")

    assert result.exit_code == 1
    assert "Mirakl connector: 422 Invalid settings: ordersAutoAccept" in result.stderr


def test_settings_set_rejects_malformed_pair(hub, mirakl_id):
    result = hub.run("settings", "set", mirakl_id, "ordersAutoAccept")

    assert result.exit_code == 1
    assert "write it as key=value" in result.stderr


def test_settings_of_3pl_are_rejected(hub, threepl_id):
    result = hub.run("settings", "show", threepl_id)

    assert result.exit_code == 1
    assert "HTTP-3PL integration, which has no settings" in result.stderr


def test_orders_stalled_lists_order(hub, stalled_order):
    table = hub.run("orders", "stalled")
    rows = _json(hub.run("orders", "stalled", "--json"))

    assert table.exit_code == 0, table.output
    assert stalled_order["order_id"] in table.stdout
    assert stalled_order["order_id"] in {row["order_id"] for row in rows}


def test_orders_show_includes_routing_decisions(hub, stalled_order):
    order_id = stalled_order["order_id"]
    table = hub.run("orders", "show", order_id)
    record = _json(hub.run("orders", "show", order_id, "--json"))

    assert table.exit_code == 0, table.output
    assert "Routing decisions" in table.stdout
    assert record["order_id"] == order_id
    assert record["routing_decisions"], record
    assert record["routing_decisions"][-1]["outcome"] == "stalled"


def test_orders_show_unknown_order_fails(hub):
    result = hub.run("orders", "show", "order-does-not-exist")

    assert result.exit_code == 1
    assert "order routing: 404 Not Found: order 'order-does-not-exist' not found" in result.stderr


def test_accepting_stalled_order_is_rejected(hub, stalled_order):
    result = hub.run("orders", "accept", stalled_order["order_id"])

    assert result.exit_code == 1
    assert "order routing: 409 Order is not awaiting acceptance" in result.stderr


def test_orders_awaiting_and_accept_on_mirakl(hub, mirakl_id):
    path = f"{hub.url('mirakl_connector')}/v1/integrations/{mirakl_id}/orders/awaiting-acceptance"
    waiting = hub.wait_for("a WAITING_ACCEPTANCE order in the connector", lambda: hub.http.get(path).json())
    order_id = waiting[0]["order_id"]

    listed = hub.run("orders", "awaiting", "--integration", mirakl_id)
    hub_list = hub.run("orders", "awaiting", "--json")
    accepted = _json(hub.run("orders", "accept", order_id, "--integration", mirakl_id, "--json"))

    assert listed.exit_code == 0, listed.output
    assert order_id in listed.stdout
    assert hub_list.exit_code == 0, hub_list.output
    assert isinstance(json.loads(hub_list.stdout), list)
    assert accepted[0]["order_id"] == order_id
    assert accepted[0]["status"] == "pending"
    assert accepted[0]["command_id"]


def test_orders_accept_through_routing(hub, mirakl_id):
    def resolved_orders():
        orders = hub.http.get(f"{hub.url('order_routing')}/v1/awaiting-acceptance").json()
        return [order for order in orders if not order["unresolved_lines"]]

    order = hub.wait_for("an awaiting order whose lines all have masters", resolved_orders)[-1]

    accepted = _json(hub.run("orders", "accept", order["order_id"], "--json"))

    assert accepted[0]["order_id"] == order["order_id"]
    assert accepted[0]["command_type"] == "command.order.accept"
    assert accepted[0]["command_id"]


def test_orders_retry_needs_ids_or_all(hub):
    result = hub.run("orders", "retry")

    assert result.exit_code == 1
    assert "give ORDER_ID arguments or --all" in result.stderr


def test_orders_retry_stalled_and_unknown(hub, stalled_order):
    retried = hub.run("orders", "retry", stalled_order["order_id"], "--json")
    unknown = hub.run("orders", "retry", "order-does-not-exist")
    everything = hub.run("orders", "retry", "--all")

    rows = _json(retried)
    assert rows[0]["order_id"] == stalled_order["order_id"]
    assert rows[0]["status"] == "stalled"
    assert unknown.exit_code == 1
    assert "order routing: 404 Not Found: order 'order-does-not-exist' not found" in unknown.stderr
    assert everything.exit_code == 0, everything.output
    assert stalled_order["order_id"] in everything.stdout


def test_locations_link_all_unlinked(hub, linked_locations, threepl_id):
    table = hub.run("locations", "list")
    again = hub.run("locations", "link", "--all-unlinked", "--integration", threepl_id)

    assert {location["fulfillment_integration_id"] for location in linked_locations} == {threepl_id}
    assert table.exit_code == 0, table.output
    assert threepl_id in table.stdout
    assert again.exit_code == 0, again.output
    assert "every location is already linked" in again.stdout


def test_locations_link_rejects_channel_integration(hub, linked_locations, mirakl_id):
    location_id = linked_locations[0]["location_id"]
    result = hub.run("locations", "link", location_id, "--integration", mirakl_id)

    assert result.exit_code == 1
    assert "inventory: 422 Invalid link target" in result.stderr
    assert "is a mirakl integration, not a 3PL or warehouse" in result.stderr


def test_locations_link_unknown_location_fails(hub, threepl_id, linked_locations):
    result = hub.run("locations", "link", "loc-missing", "--integration", threepl_id)

    assert result.exit_code == 1
    assert "inventory: 404 Not Found: location 'loc-missing' not found" in result.stderr


def test_sku_audit_reports_unlinked_master(hub, mirakl_id, manual_master):
    table = hub.run("sku-audit")
    report = _json(hub.run("sku-audit", "--json"))
    checked = hub.run("sku-audit", "--check")

    assert table.exit_code == 0, table.output
    assert "Masters without a channel SKU mapping" in table.stdout
    assert manual_master in table.stdout
    assert manual_master in {item["sku"] for item in report["unlinked_masters"]}
    assert checked.exit_code == 3


def test_inventory_resync_one_and_all(hub, mirakl_id):
    single = _json(hub.run("inventory", "resync", "--integration", mirakl_id, "--json"))
    every = _json(hub.run("inventory", "resync", "--json"))

    assert single[0]["integration_id"] == mirakl_id
    assert single[0]["snapshot_id"].startswith("snapshot-")
    assert mirakl_id in {item["integration_id"] for item in every}


def test_inventory_resync_rejects_3pl(hub, threepl_id, linked_locations):
    result = hub.run("inventory", "resync", "--integration", threepl_id)

    assert result.exit_code == 1
    assert "inventory: 422 Invalid integration" in result.stderr


def test_inventory_simulate_explains_quantities(hub, mirakl_id, linked_locations):
    masters = hub.wait_for(
        "masters from the Mirakl pull",
        lambda: [
            item["sku"]
            for item in hub.http.get(f"{hub.url('catalog')}/v1/products?limit=50").json()["items"]
            if item["sku"] != MANUAL_SKU
        ],
    )

    table = hub.run("inventory", "simulate", "--sku", masters[0], "--integration", mirakl_id)
    result = _json(hub.run("inventory", "simulate", "--sku", masters[0], "--json"))
    unknown = hub.run("inventory", "simulate", "--sku", masters[0], "--integration", "mirakl-000000000000")

    assert table.exit_code == 0, table.output
    assert mirakl_id in table.stdout
    assert "Location contributions" in table.stdout
    assert result["sku"] == masters[0]
    assert unknown.exit_code == 1
    assert "inventory: 404 Not Found" in unknown.stderr
