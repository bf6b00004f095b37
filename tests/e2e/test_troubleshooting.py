"""The product's troubleshooting table, row by row, through the whole running hub.

Each test creates its row's symptom for real (a wrong key, a setting left
off, a SKU that differs by case, ...) and checks that the diagnostic the hub
shows names the cause and the fix. docs/troubleshooting.md lists the same
rows with the route to call. The tests share one hub and run in file order:
Mirakl allows the shop-account call (A01) about once a day, so the walk
connects shop 2001 once and later rows build on what earlier rows set up.
"""

from types import SimpleNamespace

import pytest

from . import troubleshooting_steps as steps

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


@pytest.fixture(scope="module")
def walk(hub):
    """A 3PL, a connected TikTok shop and a connected Mirakl shop 2001 with default settings but reconciliation."""
    threepl_id = steps.create_threepl(hub)
    tiktok_id = steps.connect_tiktok(hub)
    # The shortest reconciliation interval OR11 allows, so missed orders are counted within the walk.
    mirakl_id = steps.create_mirakl(hub, name="Mirakl FR", api_key=steps.SHOP_KEY, settings={"reconcileSeconds": 60})
    assert steps.connect_mirakl(hub, mirakl_id)["status"] == "connected"
    return SimpleNamespace(threepl_id=threepl_id, tiktok_id=tiktok_id, mirakl_id=mirakl_id)


def test_mirakl_connection_fails(hub):
    """Mirakl connection fails → status `error` naming the key or the URL, with Mirakl's answer."""
    integration_id = steps.create_mirakl(hub, name="Mirakl DE", api_key="mirakl-sandbox-key-2002-typo")

    wrong_key = steps.connect_mirakl(hub, integration_id)
    assert wrong_key["status"] == "error"
    assert wrong_key["last_error"].startswith("API key rejected: re-check the Mirakl API key")
    assert "Mirakl answered 401" in wrong_key["last_error"]
    assert "Unauthorized, you are not allowed to perform this call" in wrong_key["last_error"]

    # The right key against the wrong environment: the URL is named, not the key.
    hub.http.patch(
        f"{hub.mirakl}/v1/integrations/{integration_id}",
        json={"api_key": steps.SECOND_SHOP_KEY, "url": f"{hub.mirakl_sandbox}/preprod"},
    ).raise_for_status()
    wrong_url = steps.connect_mirakl(hub, integration_id)
    assert wrong_url["status"] == "error"
    assert wrong_url["last_error"].startswith("URL unreachable: re-check the Mirakl URL")
    assert "Mirakl answered 404 on GET /preprod/api/account" in wrong_url["last_error"]

    status = steps.mirakl_status(hub, integration_id)
    assert status["status"] == "error"
    assert [error["message"] for error in status["recent_errors"]] == [
        wrong_url["last_error"],
        wrong_key["last_error"],
    ]

    hub.http.patch(
        f"{hub.mirakl}/v1/integrations/{integration_id}", json={"url": hub.mirakl_sandbox}
    ).raise_for_status()
    fixed = steps.connect_mirakl(hub, integration_id)
    assert (fixed["status"], fixed["last_error"], fixed["shop_id"]) == ("connected", None, 2002)


def test_mirakl_locations_missing(hub, walk):
    """Mirakl locations missing → `pullLocations` off, or last location pull result."""
    status = steps.mirakl_status(hub, walk.mirakl_id)
    assert status["status"] == "connected"
    assert status["settings"]["pullLocations"] is False
    assert "products" not in status["jobs"], "no location pull may run while pullLocations is off"
    assert steps.locations_of(hub, walk.mirakl_id) == []

    assert steps.mirakl_settings(hub, walk.mirakl_id, pullLocations=True).status_code == 200
    locations = hub.wait_for(
        "the Mirakl warehouses as hub locations",
        lambda: (found := steps.locations_of(hub, walk.mirakl_id)) and len(found) == 3 and found,
    )
    pull = hub.wait_for(
        "the last location pull in the status",
        lambda: (
            (found := steps.job(steps.mirakl_status(hub, walk.mirakl_id), "products"))
            and found["last_success_at"]
            and found
        ),
    )
    assert pull["counts"]["locations_discovered"] == 3
    assert pull["counts"]["offers_read"] > 0
    assert {location["external_code"] for location in locations} == {"", "WH-PARIS", "WH-LYON"}


def test_orders_not_ingesting(hub, walk):
    """Orders not ingesting → sync setting, connection, status filter, last pull run and counts."""
    first_pull = hub.wait_for(
        "a first order pull", lambda: steps.job(steps.mirakl_status(hub, walk.mirakl_id), "orders").get("counts")
    )
    assert first_pull["orders_received"] > 0

    assert steps.mirakl_settings(hub, walk.mirakl_id, syncOrders=False).status_code == 200
    # Let the worker finish any pull it had started before the switch.
    steps.wait_worker_rounds(hub, walk.mirakl_id, "after syncOrders was switched off")
    stopped = steps.job(steps.mirakl_status(hub, walk.mirakl_id), "orders")

    # A new order reaches WAITING_ACCEPTANCE on Mirakl while the pull is off.
    order_id = steps.import_mirakl_order(hub, sku="TRAIL-SHOE-BLACK-41", state="WAITING_ACCEPTANCE")
    steps.wait_worker_rounds(hub, walk.mirakl_id, "after the order was placed")
    status = steps.mirakl_status(hub, walk.mirakl_id)
    assert status["status"] == "connected"
    assert status["settings"]["syncOrders"] is False
    assert "WAITING_ACCEPTANCE" in status["settings"]["ordersStatuses"]
    assert steps.job(status, "orders")["last_run_at"] == stopped["last_run_at"]
    assert steps.job(status, "orders")["counts"] == stopped["counts"]
    assert steps.hub_order(hub, walk.mirakl_id, order_id) is None

    assert steps.mirakl_settings(hub, walk.mirakl_id, syncOrders=True).status_code == 200
    ingested = hub.wait_for("the order after syncOrders is on", lambda: steps.hub_order(hub, walk.mirakl_id, order_id))
    assert (ingested["status"], ingested["status_reason"]) == ("pending", "awaiting_acceptance")
    # The pull records its run after the whole cycle, so routing may see the order first.
    resumed = hub.wait_for(
        "the resumed pull in the status",
        lambda: (
            (found := steps.job(steps.mirakl_status(hub, walk.mirakl_id), "orders"))
            and steps.later(found["last_run_at"], stopped["last_run_at"])
            and found
        ),
    )
    assert resumed["counts"]["orders_received"] == stopped["counts"]["orders_received"] + 1


def test_orders_accepted_elsewhere_never_appear(hub, walk):
    """Orders accepted elsewhere never appear → reconciliation counts of unseen orders outside `ordersStatuses`."""
    # Accepted in the back office between two pulls: the order is already SHIPPING when the hub first looks.
    order_id = steps.import_mirakl_order(hub, sku="HUB-ELSEWHERE-1", state="SHIPPING")
    before = steps.mirakl_status(hub, walk.mirakl_id)["reconciliation"] or {}
    seen_shipping = (before.get("missed_orders") or {}).get("SHIPPING", 0)

    reconciliation = hub.wait_for(
        "the missed-order count to include the new SHIPPING order",
        lambda: (
            (found := steps.mirakl_status(hub, walk.mirakl_id)["reconciliation"])
            and found["missed_orders"].get("SHIPPING", 0) > seen_shipping
            and found
        ),
    )
    assert "SHIPPING" not in steps.mirakl_status(hub, walk.mirakl_id)["settings"]["ordersStatuses"]
    assert "SHIPPING" in reconciliation["states_to_add"]
    assert reconciliation["checked_at"]
    assert steps.hub_order(hub, walk.mirakl_id, order_id) is None

    statuses = ["WAITING_ACCEPTANCE", "REFUSED", "CANCELED", "SHIPPING"]
    assert steps.mirakl_settings(hub, walk.mirakl_id, ordersStatuses=statuses).status_code == 200
    hub.wait_for("the order once SHIPPING is pulled", lambda: steps.hub_order(hub, walk.mirakl_id, order_id))
    after = hub.wait_for(
        "a missed-order count without SHIPPING",
        lambda: (
            (found := steps.mirakl_status(hub, walk.mirakl_id)["reconciliation"])
            and "SHIPPING" not in found["missed_orders"]
            and found
        ),
    )
    assert "SHIPPING" not in after["states_to_add"]


def test_orders_stuck_in_waiting_acceptance(hub, walk):
    """Orders stuck in `WAITING_ACCEPTANCE` → awaiting-acceptance list with deadline, auto-accept, unresolved lines."""
    sku = "RAIN-JACKET-NAVY-S"
    order_id = steps.import_mirakl_order(hub, sku=sku, state="WAITING_ACCEPTANCE")
    order = hub.wait_for("the waiting order in the hub", lambda: steps.hub_order(hub, walk.mirakl_id, order_id))

    waiting = {
        item["order_id"]: item
        for item in hub.http.get(f"{hub.mirakl}/v1/integrations/{walk.mirakl_id}/orders/awaiting-acceptance").json()
    }
    assert waiting[order_id]["acceptance_status"] == "waiting_for_person"
    assert f"no master SKU for line {order_id}-1 (offer SKU '{sku}')" in waiting[order_id]["acceptance_reason"]
    assert "map the SKU in the catalog, then accept" in waiting[order_id]["acceptance_reason"]
    assert waiting[order_id]["acceptance_deadline"]

    listed = {item["order_id"]: item for item in hub.http.get(f"{hub.routing}/v1/awaiting-acceptance").json()}
    entry = listed[order["order_id"]]
    assert entry["auto_accept"] is False
    assert entry["acceptance_deadline"] == waiting[order_id]["acceptance_deadline"]
    assert entry["unresolved_lines"] == [{"line_id": f"{order_id}-1", "channel_sku": sku}]
    assert (entry["status"], entry["status_reason"]) == ("pending", "awaiting_acceptance")

    # The fix the list points to: auto-accept on, then the SKU mapped; the hub accepts on Mirakl.
    assert steps.mirakl_settings(hub, walk.mirakl_id, ordersAutoAccept=True).status_code == 200
    hub.wait_for(
        "auto_accept on in the list",
        lambda: any(
            item["order_id"] == order["order_id"] and item["auto_accept"]
            for item in hub.http.get(f"{hub.routing}/v1/awaiting-acceptance").json()
        ),
    )
    steps.create_master(hub, sku, "Packable rain jacket, navy, size S")
    hub.wait_for(
        "the order accepted on Mirakl",
        lambda: steps.sandbox_order_state(hub, order_id) != "WAITING_ACCEPTANCE",
    )
    assert steps.mirakl_settings(hub, walk.mirakl_id, ordersAutoAccept=False).status_code == 200


def test_mirakl_totals_look_wrong(hub, walk):
    """Mirakl totals look wrong → simulate: per-location contributions, buffer, allow/block list result."""
    sku = "HUB-KETTLE"
    steps.create_master(hub, sku, "Kettle", gtin=steps.ean13("400638133301"), price="24.90", currency="EUR")
    by_code = {location["external_code"]: location for location in steps.locations_of(hub, walk.mirakl_id)}
    paris, lyon = by_code["WH-PARIS"]["location_id"], by_code["WH-LYON"]["location_id"]
    own = steps.create_location(hub, "Lille overflow")
    steps.set_stock(hub, paris, sku, 10)
    steps.set_stock(hub, lyon, sku, 5)
    steps.set_stock(hub, own, sku, 7)
    hub.http.patch(f"{hub.inventory}/v1/locations/{lyon}", json={"status": "paused"}).raise_for_status()
    assert steps.channel_options(hub, sku, walk.mirakl_id, inventoryBuffer=2).status_code == 200
    assert steps.mirakl_settings(hub, walk.mirakl_id, inventorySKUsExclude=[sku]).status_code == 200

    def simulated():
        answer = hub.http.get(
            f"{hub.inventory}/v1/availability/simulate", params={"sku": sku, "integration_id": walk.mirakl_id}
        ).json()
        channel = answer["channels"][0] if answer["channels"] else None
        ready = channel and channel["dropped_by"] and channel["figures"][0]["buffer"] == 2
        return ready and channel

    channel = hub.wait_for("the simulation with buffer and block list", simulated)
    assert channel["dropped_by"] == f"inventorySKUsExclude (block list) contains '{sku}'"
    assert channel["publishable"] is False
    figures = {figure["channel_warehouse_id"]: figure for figure in channel["figures"]}
    assert set(figures) == {"WH-PARIS", "WH-LYON"}
    assert (figures["WH-PARIS"]["located_available"], figures["WH-PARIS"]["buffer"]) == (10, 2)
    assert figures["WH-PARIS"]["quantity"] == 8
    assert figures["WH-PARIS"]["contributions"][0]["reason"] == "included"
    lyon_share = figures["WH-LYON"]["contributions"][0]
    assert (lyon_share["on_hand"], lyon_share["included"], lyon_share["reason"]) == (5, False, "location is paused")
    assert figures["WH-LYON"]["quantity"] == 0
    assert any(
        "'Lille overflow'" in note and "not mapped to a channel warehouse" in note and "7 available" in note
        for note in channel["notes"]
    ), channel["notes"]

    # Dropping the block list and resuming WH-LYON publishes the figures the simulation explained.
    assert steps.mirakl_settings(hub, walk.mirakl_id, inventorySKUsExclude=[]).status_code == 200
    hub.http.patch(f"{hub.inventory}/v1/locations/{lyon}", json={"status": "active"}).raise_for_status()
    hub.wait_for(
        "the WH-PARIS and WH-LYON figures published",
        lambda: (
            {
                (item.get("channel_warehouse_id"), item.get("quantity"))
                for item in hub.http.get(
                    f"{hub.inventory}/v1/availability", params={"integration_id": walk.mirakl_id, "sku": sku}
                ).json()
            }
            >= {("WH-PARIS", 8), ("WH-LYON", 3)}
        ),
    )


def test_products_not_matching(hub, walk):
    """Products not matching → audit: near-misses (case, whitespace) and missing channel SKU mapping."""
    steps.create_master(hub, "mug-green", "Green mug")
    steps.create_master(hub, "RAIN-JACKET-RED-S ", "Packable rain jacket, red, size S")
    steps.create_master(hub, "HUB-MUG-WHITE", "White mug")
    assert steps.mirakl_settings(hub, walk.mirakl_id, products="pull").status_code == 200

    def near_misses():
        found = {(item["sku"], item["similar_sku"]): item for item in steps.audit(hub)["near_misses"]}
        expected = {("MUG-GREEN", "mug-green"), ("RAIN-JACKET-RED-S", "RAIN-JACKET-RED-S ")}
        return expected <= set(found) and found

    found = hub.wait_for("the near-misses in the SKU audit", near_misses)
    case = found[("MUG-GREEN", "mug-green")]
    assert (case["integration_id"], case["differences"]) == (walk.mirakl_id, ["letter case"])
    assert case["message"] == "no master SKU 'MUG-GREEN'; differs from 'mug-green' by letter case"
    space = found[("RAIN-JACKET-RED-S", "RAIN-JACKET-RED-S ")]
    assert space["differences"] == ["trailing space"]

    report = steps.audit(hub)
    unlinked = {item["sku"]: item for item in report["unlinked_masters"]}
    assert walk.mirakl_id in unlinked["HUB-MUG-WHITE"]["missing_integrations"]
    unmatched = {
        item["channel_sku"]: item
        for item in hub.http.get(
            f"{hub.catalog}/v1/channel-products",
            params={"state": "unmatched", "integration_id": walk.mirakl_id, "limit": 200},
        ).json()["items"]
    }
    assert unmatched["MUG-WHITE"]["unmatched_reason"].startswith("no master SKU 'MUG-WHITE'")

    # The fix for a SKU that legitimately differs: the Mirakl row's channelSku.
    assert steps.channel_options(hub, "HUB-MUG-WHITE", walk.mirakl_id, channelSku="MUG-WHITE").status_code == 200
    linked = hub.wait_for(
        "MUG-WHITE linked to HUB-MUG-WHITE",
        lambda: [
            item
            for item in hub.http.get(
                f"{hub.catalog}/v1/channel-products",
                params={"state": "linked", "integration_id": walk.mirakl_id, "limit": 200},
            ).json()["items"]
            if item["channel_sku"] == "MUG-WHITE"
        ],
    )
    assert linked[0]["master_sku"] == "HUB-MUG-WHITE"


def test_wrong_product_matched(hub, walk):
    """Wrong product matched → audit: SKU collisions with both identities."""
    gtin = steps.ean13("400638133302")
    steps.create_master(hub, "TRAIL-SHOE-BLUE-41", "Coffee grinder", gtin=gtin)

    collision = hub.wait_for(
        "the collision in the SKU audit",
        lambda: [item for item in steps.audit(hub)["collisions"] if item["sku"] == "TRAIL-SHOE-BLUE-41"],
    )[0]
    assert collision["reasons"] == ["GTIN differs"]
    identities = {identity["source"]: identity for identity in collision["identities"]}
    assert identities["master"] == {"source": "master", "title": "Coffee grinder", "gtin": gtin}
    channel = identities[walk.mirakl_id]
    assert channel["channel_sku"] == "TRAIL-SHOE-BLUE-41"
    assert channel["title"] == "Trail running shoe, blue, size 41"
    assert channel["gtin"] != gtin
    assert "fix the SKU on one side or set a Mirakl channelSku" in collision["message"]


def test_no_channel_sku_on_tiktok_row_or_parent(hub, walk):
    """No Channel SKU on the TikTok row / on a parent → explained refusal when set there."""
    steps.create_master(hub, "HUB-TEE", "Tee", product_type="parent")
    steps.create_master(hub, "HUB-TEE-M", "Tee, size M", product_type="variant", parent_sku="HUB-TEE")
    rows = hub.wait_for(
        "channel-option rows for both channels",
        lambda: (
            (
                found := {
                    row["integrationId"]: row
                    for row in hub.http.get(f"{hub.catalog}/v1/products/HUB-TEE-M/channel-options").json()
                }
            )
            and {walk.mirakl_id, walk.tiktok_id} <= set(found)
            and found
        ),
    )
    assert rows[walk.tiktok_id]["channelSkuOffered"] is False
    assert rows[walk.mirakl_id]["channelSkuOffered"] is True

    tiktok = steps.channel_options(hub, "HUB-TEE-M", walk.tiktok_id, channelSku="TEE-M-TT")
    assert tiktok.status_code == 422
    assert tiktok.json()["detail"] == (
        f"TikTok integration '{walk.tiktok_id}' has no channelSku: TikTok SKUs must equal the master SKU, "
        "so set the seller SKU in TikTok Shop to 'HUB-TEE-M'"
    )

    parent_rows = {
        row["integrationId"]: row for row in hub.http.get(f"{hub.catalog}/v1/products/HUB-TEE/channel-options").json()
    }
    assert parent_rows[walk.mirakl_id]["channelSkuOffered"] is False
    parent = steps.channel_options(hub, "HUB-TEE", walk.mirakl_id, channelSku="TEE")
    assert parent.status_code == 422
    assert parent.json()["detail"] == (
        "'HUB-TEE' is a parent product without channel SKUs, so channelSku is not offered on it; "
        "set channelSku on its variants instead"
    )
    assert steps.channel_options(hub, "HUB-TEE-M", walk.mirakl_id, channelSku="TEE-M").status_code == 200


def test_order_routed_to_wrong_location(hub, walk):
    """Order routed to the wrong location → the order's routing decision record."""
    sku = "HUB-ROUTE-1"
    steps.create_master(hub, sku, "Routed product")
    lille = steps.create_location(hub, "Lille", priority=1)
    marseille = steps.create_location(hub, "Marseille", priority=2)
    steps.link_location(hub, lille, walk.threepl_id)
    steps.link_location(hub, marseille, walk.threepl_id)

    order_id = steps.import_mirakl_order(hub, sku=sku, state="SHIPPING")
    order = hub.wait_for(
        "the order routed",
        lambda: (
            (found := steps.hub_order(hub, walk.mirakl_id, order_id))
            and found["status"] not in ("pending", "stalled")
            and found
        ),
    )

    decisions = hub.http.get(f"{hub.routing}/v1/orders/{order['order_id']}/routing-decisions").json()
    routed = [decision for decision in decisions if decision["outcome"] == "routed"]
    assert len(routed) == 1
    decision = routed[0]
    assert (decision["rule_name"], decision["rule_id"]) == ("default", None)
    # The order's own status detail moves on once the 3PL acknowledges, so the record keeps the choice.
    assert decision["detail"] == f"rule 'default' chose {lille}"
    candidates = {candidate["location_id"]: candidate for candidate in decision["candidates"]}
    assert candidates[lille]["taken"] is True
    assert candidates[lille]["reason"] == "first valid location (inventory not checked)"
    assert candidates[marseille]["taken"] is False
    assert candidates[marseille]["reason"] == "not needed: an earlier location was taken"
    for location in steps.locations_of(hub, walk.mirakl_id):
        assert candidates[location["location_id"]]["reason"] == (
            "location is not linked to a 3PL or warehouse integration"
        )
    assert decision["allocations"] == [
        {"lines": {f"{order_id}-1": 1}, "location_id": lille, "fulfillment_integration_id": walk.threepl_id}
    ]


def test_products_not_pushing_to_tiktok(hub, walk):
    """Products not pushing to TikTok → region check result (US/UK only)."""
    integration = hub.http.get(f"{hub.tiktok}/v1/integrations/{walk.tiktok_id}").json()
    regions = {shop["region"]: shop["id"] for shop in integration["authorized_shops"]}
    settings = f"{hub.tiktok}/v1/integrations/{walk.tiktok_id}/settings"
    assert hub.http.patch(settings, json={"shopId": regions["MY"]}).status_code == 200

    refused = hub.http.patch(settings, json={"products": "push"})
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["field"] == "products"
    assert problem["detail"] == (
        "products=push is not available for a shop in region MY: pushing products to TikTok is supported only "
        "for US and GB shops; manage the catalog in TikTok Shop directly and use pull or disabled"
    )
    status = hub.http.get(f"{hub.tiktok}/v1/integrations/{walk.tiktok_id}/status").json()
    assert status["shop"]["region"] == "MY"
    assert hub.http.get(f"{hub.tiktok}/v1/integrations/{walk.tiktok_id}").json()["settings"]["products"] == "disabled"


def test_products_not_appearing_in_mirakl(hub, walk):
    """Products not appearing in Mirakl → product push status per SKU, catalog source, TikTok pull setting."""
    # Masters of an account whose source is TikTok come from the TikTok pull; here it is off.
    tiktok = hub.http.get(f"{hub.tiktok}/v1/integrations/{walk.tiktok_id}").json()
    assert tiktok["settings"]["products"] == "disabled"
    settings = hub.http.get(f"{hub.catalog}/v1/catalog/settings").json()
    assert settings["catalog_source"] == "other"
    assert hub.http.put(f"{hub.catalog}/v1/catalog/settings", json={"catalog_source": "tiktok"}).status_code == 200
    refused = hub.wait_for(
        "the Mirakl connector to refuse push against source tiktok",
        lambda: (answer := steps.mirakl_settings(hub, walk.mirakl_id, products="push")).status_code == 422 and answer,
    )
    assert refused.json()["detail"].startswith("products='push' contradicts the catalog source 'tiktok'")
    assert hub.http.put(f"{hub.catalog}/v1/catalog/settings", json={"catalog_source": "other"}).status_code == 200

    hub.wait_for(
        "products=push accepted with source other",
        lambda: steps.mirakl_settings(hub, walk.mirakl_id, products="push").status_code == 200,
    )
    # HUB-KETTLE (GTIN, no category) and mug-green (no GTIN) existed before the switch; the others come after.
    steps.create_master(hub, "HUB-NO-EAN", "Unlabelled box", price="9.90", currency="EUR")
    steps.create_master(hub, "HUB-LAMP", "Desk lamp", gtin=steps.ean13("400638133303"), price="29.90", currency="EUR")
    expected = {("HUB-NO-EAN", "product"), ("HUB-LAMP", "product"), ("mug-green", "product"), ("HUB-KETTLE", "product")}

    def product_errors():
        errors = {
            (item["master_sku"], item["stage"]): item
            for item in steps.mirakl_status(hub, walk.mirakl_id)["product_errors"]
        }
        return expected <= set(errors) and errors

    errors = hub.wait_for("per-SKU product push errors in the status", product_errors, timeout=90)
    for sku in ("HUB-NO-EAN", "mug-green"):
        assert errors[(sku, "product")]["message"] == (
            f"GTIN None of '{sku}' is missing or not an EAN/UPC; Mirakl needs one to identify the product, "
            "so set it in the catalog"
        )
        assert errors[(sku, "product")]["import_id"] is None
    # The reason comes from Mirakl's P44 error report: the P41 file had no category for these masters.
    for sku in ("HUB-LAMP", "HUB-KETTLE"):
        assert errors[(sku, "product")]["message"] == "Missing value for category."
        assert errors[(sku, "product")]["import_id"]
    counts = steps.job(steps.mirakl_status(hub, walk.mirakl_id), "products_push")["counts"]
    assert counts["products_rejected"] >= 1
    assert counts["products_pushed"] >= 1
