"""The operator walkthrough on both channels, one step per test, in the order a new account follows it.

The steps share one hub (all eight processes) and the `walk` dictionary, so they
run only in file order and only as a whole module. Run it with `-x`, because a
step after a failed one fails for want of the earlier step's results.

Data comes from the sandboxes' default seeds. Mirakl shop 2001 brings the
catalog (14 variant SKUs, orders in every state). Shop 2002 shares three SKUs
with it, sells a different product under `MUG-WHITE` and lists a lower-case
copy of `TRAIL-SHOE-BLACK-42`. The TikTok US shop gets three products from the
sandbox admin API before its catalog pull: one that shares a SKU of shop 2001,
one that puts another product under `MUG-WHITE`, and one whose SKU differs from
a master SKU by a trailing space. The TikTok seed adds `CD-CONFLICT-001`, a SKU
that two different TikTok products use.
"""

import json

import pytest

from .conftest import THREEPL_SECRET
from .walkthrough_steps import (
    channel_products,
    hub_orders,
    last_sequence,
    link_location,
    master_skus,
    mirakl_order_skus,
    mirakl_order_states,
    mirakl_requests,
    place_tiktok_order,
    pushed_stock,
    set_stock,
    tiktok_requests,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

MIRAKL_SHOP = 2001
SECOND_SHOP = 2002
MIRAKL_KEY = "mirakl-sandbox-key-2001"
SECOND_SHOP_KEY = "mirakl-sandbox-key-2002"
ORDER_STATES_IN = ["WAITING_ACCEPTANCE", "SHIPPING"]
# The lower-case offer SKU of shop 2002 and the master it is mapped to with a channelSku.
MAPPED_OFFER_SKU = "trail-shoe-black-42"
MAPPED_MASTER_SKU = "TRAIL-SHOE-BLACK-42"
CONFLICTING_SKU = "MUG-WHITE"
NEAR_MISS_MASTER_SKU = "TRAIL-SHOE-BLACK-41"
SHIPPED_STATES = ("routed", "sent_to_fulfillment", "partially_fulfilled", "fulfilled")
WAREHOUSE_STOCK = 20
TIKTOK_STOCK = 30
MIRAKL_BUFFER = 5
TIKTOK_BUFFER = 3

# Results that later steps read: integration ids, locations, chosen SKUs.
walk: dict = {}


def need(key: str, step: str):
    assert key in walk, f"{step}: an earlier step did not record {key!r}; run the whole module in order"
    return walk[key]


def test_step_01_mirakl_connects_after_a_wrong_key(hub):
    step = "step 1, connect Mirakl"
    http = hub.http
    # Accepted orders are paid one second later, so they reach SHIPPING during the walk.
    http.patch(f"{hub.mirakl_sandbox}/_sandbox/settings", json={"auto_debit_after_seconds": 1}).raise_for_status()

    # Inventory sync stays off until stock is counted in step 12. An earlier push sends 0
    # for every offer as a global quantity, and the sandbox then drops the per-warehouse
    # quantities from which step 5 discovers the warehouses.
    settings = {
        "products": "disabled",
        "syncOrders": False,
        "syncInventory": False,
        "ordersStatuses": ORDER_STATES_IN,
    }
    created = http.post(
        f"{hub.mirakl}/v1/integrations",
        json={"name": "Mirakl FR", "url": hub.mirakl_sandbox, "api_key": "not-the-key", "settings": settings},
    )
    assert created.status_code == 201, f"{step}: creating the integration failed: {created.text}"
    mirakl_id = created.json()["integration_id"]

    wrong = http.post(f"{hub.mirakl}/v1/integrations/{mirakl_id}/connect").json()
    assert wrong["status"] == "error", f"{step}: a wrong key connected: {wrong}"
    assert "API key rejected" in wrong["last_error"], f"{step}: the error does not name the key: {wrong}"

    http.patch(f"{hub.mirakl}/v1/integrations/{mirakl_id}", json={"api_key": MIRAKL_KEY}).raise_for_status()
    connected = http.post(f"{hub.mirakl}/v1/integrations/{mirakl_id}/connect").json()
    assert connected["status"] == "connected", f"{step}: the right key did not connect: {connected}"
    assert str(connected["shop_id"]) == str(MIRAKL_SHOP), f"{step}: connected to another shop: {connected}"
    walk["mirakl_id"] = mirakl_id


def test_step_02_tiktok_connects_through_oauth(hub):
    step = "step 2, connect TikTok"
    http = hub.http
    settings = {
        "products": "disabled",
        "syncOrders": False,
        "syncInventory": False,
        "holdMinutes": 0,
        "fulfillmentMethod": "ship_package",
    }
    created = http.post(f"{hub.tiktok}/v1/integrations", json={"name": "TikTok US", "settings": settings})
    assert created.status_code == 201, f"{step}: creating the integration failed: {created.text}"
    tiktok_id = created.json()["id"]
    assert created.json()["status"] == "disconnected", f"{step}: a new integration is not disconnected"

    consent = http.get(f"{hub.tiktok}/v1/integrations/{tiktok_id}/oauth/authorize")
    assert consent.status_code == 200, f"{step}: no consent link: {consent.text}"
    consent_url = consent.json()["authorization_url"]
    assert consent_url.startswith(f"{hub.tiktok_sandbox}/oauth/authorize?"), f"{step}: consent link {consent_url}"

    # The sandbox approves at once and redirects to the connector's callback, as the seller's click would.
    callback = http.get(
        f"{hub.tiktok_sandbox}/_sandbox/oauth/authorize",
        params={"app_key": "crossdock-sandbox", "state": consent.json()["state"]},
        follow_redirects=True,
    )
    assert callback.status_code == 200, f"{step}: the OAuth callback failed: {callback.text}"
    assert callback.url.path == "/oauth/tiktok/callback", f"{step}: the redirect ended at {callback.url}"
    integration = http.get(f"{hub.tiktok}/v1/integrations/{tiktok_id}").json()
    assert integration["status"] == "connected", f"{step}: not connected after OAuth: {integration}"
    assert integration["shop"]["region"] == "US", f"{step}: the default shop is not the US shop: {integration}"
    assert integration["warehouses"], f"{step}: no sales warehouse was listed: {integration}"

    reused = http.get(
        f"{hub.tiktok_sandbox}/_sandbox/oauth/authorize",
        params={"app_key": "crossdock-sandbox", "state": consent.json()["state"]},
        follow_redirects=True,
    )
    assert reused.status_code == 400, f"{step}: a used OAuth state was accepted again: {reused.text}"

    walk["tiktok_id"] = tiktok_id
    walk["tiktok_shop_id"] = integration["shop"]["id"]
    walk["tiktok_warehouse_ids"] = [warehouse["id"] for warehouse in integration["warehouses"]]


def test_step_03_catalog_source_is_mirakl(hub):
    step = "step 3, choose the catalog source"
    http = hub.http
    mirakl_id = need("mirakl_id", step)

    before = http.get(f"{hub.catalog}/v1/catalog/settings").json()
    assert before == {"catalog_source": "other", "is_default": True}, f"{step}: unexpected default: {before}"
    chosen = http.put(f"{hub.catalog}/v1/catalog/settings", json={"catalog_source": "mirakl"})
    assert chosen.status_code == 200, f"{step}: choosing mirakl failed: {chosen.text}"
    after = http.get(f"{hub.catalog}/v1/catalog/settings").json()
    assert after["catalog_source"] == "mirakl", f"{step}: the source did not change: {after}"

    pulled = http.patch(f"{hub.mirakl}/v1/integrations/{mirakl_id}/settings", json={"products": "pull"})
    assert pulled.status_code == 200, f"{step}: products=pull was rejected: {pulled.text}"

    offers = set(hub.http.get(f"{hub.mirakl_sandbox}/_sandbox/state").json()["offers"][str(MIRAKL_SHOP)])
    masters = hub.wait_for(
        f"{step}: one master per offer of shop {MIRAKL_SHOP}",
        lambda: (found := master_skus(hub)) >= offers and found,
    )
    assert masters == offers, f"{step}: masters {sorted(masters - offers)} do not come from shop {MIRAKL_SHOP}"
    walk["mirakl_offers"] = offers


def test_step_04_catalog_links_maps_and_audits(hub):
    step = "step 4, link SKUs, map a channelSku, audit"
    http = hub.http
    tiktok_id = need("tiktok_id", step)
    offers = need("mirakl_offers", step)

    # A SKU that no Mirakl order uses, so its stock figures are predictable in step 12.
    ordered = {sku for skus in mirakl_order_skus(hub, MIRAKL_SHOP).values() for sku in skus}
    free = sorted(offers - ordered - {CONFLICTING_SKU, NEAR_MISS_MASTER_SKU, MAPPED_MASTER_SKU})
    assert len(free) >= 2, f"{step}: the Mirakl seed leaves fewer than two SKUs outside orders: {free}"
    shared_sku, buffered_sku = free[0], free[1]

    shop_id = need("tiktok_shop_id", step)
    tiktok_products = {
        "shared": ("Shared product listed on both channels", shared_sku),
        "conflict": ("Ceramic coffee mug, white", CONFLICTING_SKU),
        "near_miss": ("Trail running shoe, black", NEAR_MISS_MASTER_SKU + " "),
    }
    sku_ids = {}
    for name, (title, seller_sku) in tiktok_products.items():
        added = http.post(
            f"{hub.tiktok_sandbox}/_sandbox/products",
            json={"shop_id": shop_id, "title": title, "seller_skus": [seller_sku]},
        )
        added.raise_for_status()
        sku_ids[name] = added.json()["skus"][0]["id"]
        walk[f"tiktok_product_{name}"] = added.json()["id"]

    pulled = http.patch(f"{hub.tiktok}/v1/integrations/{tiktok_id}/settings", json={"products": "pull"})
    assert pulled.status_code == 200, f"{step}: TikTok products=pull was rejected: {pulled.text}"
    http.post(f"{hub.tiktok}/v1/integrations/{tiktok_id}/products/pull").raise_for_status()

    added_skus = {seller_sku for _title, seller_sku in tiktok_products.values()}

    def tiktok_products_stored():
        found = channel_products(hub, tiktok_id)
        return found.keys() >= added_skus and found[shared_sku]["state"] == "linked" and found

    tiktok_channel = hub.wait_for(
        f"{step}: TikTok products {sorted(added_skus)} in the catalog", tiktok_products_stored
    )
    assert tiktok_channel[shared_sku]["master_sku"] == shared_sku, f"{step}: {tiktok_channel[shared_sku]}"
    near_miss = tiktok_channel[NEAR_MISS_MASTER_SKU + " "]
    assert near_miss["state"] == "unmatched", f"{step}: a SKU with a trailing space linked: {near_miss}"
    assert "trailing space" in near_miss["unmatched_reason"], f"{step}: reason {near_miss['unmatched_reason']!r}"

    # Shop 2002 arrives as a second Mirakl integration. Its lower-case SKU is
    # mapped before its first pull, so the pull links it and creates no master.
    second = http.post(
        f"{hub.mirakl}/v1/integrations",
        json={
            "name": "Mirakl DE",
            "url": hub.mirakl_sandbox,
            "api_key": SECOND_SHOP_KEY,
            "settings": {"products": "pull", "syncOrders": False, "syncInventory": False},
        },
    )
    assert second.status_code == 201, f"{step}: creating the shop 2002 integration failed: {second.text}"
    second_id = second.json()["integration_id"]

    def second_shop_options():
        options = http.get(f"{hub.catalog}/v1/products/{MAPPED_MASTER_SKU}/channel-options").json()
        return any(option["integrationId"] == second_id for option in options)

    hub.wait_for(f"{step}: catalog knows integration {second_id}", second_shop_options)
    mapped = http.put(
        f"{hub.catalog}/v1/products/{MAPPED_MASTER_SKU}/channel-options/{second_id}",
        json={"channelSku": MAPPED_OFFER_SKU},
    )
    assert mapped.status_code == 200, f"{step}: setting the channelSku failed: {mapped.text}"
    assert mapped.json()["channelSku"] == MAPPED_OFFER_SKU, f"{step}: channelSku not stored: {mapped.json()}"
    rejected = http.put(
        f"{hub.catalog}/v1/products/{shared_sku}/channel-options/{tiktok_id}", json={"channelSku": "ANY-OTHER"}
    )
    assert rejected.status_code == 422, f"{step}: TikTok accepted a channelSku: {rejected.text}"

    connected = http.post(f"{hub.mirakl}/v1/integrations/{second_id}/connect").json()
    assert connected["status"] == "connected", f"{step}: shop 2002 did not connect: {connected}"

    second_offers = set(http.get(f"{hub.mirakl_sandbox}/_sandbox/state").json()["offers"][str(SECOND_SHOP)])
    second_channel = hub.wait_for(
        f"{step}: every offer of shop 2002 as a channel product",
        lambda: (found := channel_products(hub, second_id)).keys() >= second_offers and found,
    )
    mapped_product = second_channel[MAPPED_OFFER_SKU]
    assert mapped_product["master_sku"] == MAPPED_MASTER_SKU, f"{step}: channelSku did not link: {mapped_product}"
    shared_offers = (second_offers & offers) - {CONFLICTING_SKU}
    assert shared_offers, f"{step}: shops 2001 and 2002 share no SKU"
    for sku in shared_offers:
        assert second_channel[sku]["master_sku"] == sku, f"{step}: identical SKU did not link: {second_channel[sku]}"
    assert MAPPED_OFFER_SKU not in master_skus(hub), f"{step}: the mapped offer SKU created a master of its own"

    audit = http.get(f"{hub.catalog}/v1/audit/skus").json()
    collisions = {finding["sku"]: finding for finding in audit["collisions"]}
    assert CONFLICTING_SKU in collisions, f"{step}: the audit misses the {CONFLICTING_SKU} collision: {collisions}"
    sources = {identity["source"] for identity in collisions[CONFLICTING_SKU]["identities"]}
    assert {"master", second_id, tiktok_id} <= sources, f"{step}: collision sources {sources}"
    assert "CD-CONFLICT-001" in collisions, f"{step}: the audit misses TikTok's conflicting SKU: {collisions}"
    near_misses = {(finding["sku"], finding["similar_sku"]) for finding in audit["near_misses"]}
    assert (NEAR_MISS_MASTER_SKU + " ", NEAR_MISS_MASTER_SKU) in near_misses, f"{step}: near misses {near_misses}"
    assert not any(MAPPED_OFFER_SKU in pair for pair in near_misses), f"{step}: a mapped SKU is a near miss"

    walk.update(second_id=second_id, shared_sku=shared_sku, buffered_sku=buffered_sku, sku_ids=sku_ids)


def test_step_05_locations_appear_only_with_pull_locations(hub):
    step = "step 5, pull Mirakl locations"
    http = hub.http
    mirakl_id = need("mirakl_id", step)

    assert http.get(f"{hub.inventory}/v1/locations").json() == [], f"{step}: locations exist before pullLocations"
    http.patch(f"{hub.mirakl}/v1/integrations/{mirakl_id}/settings", json={"pullLocations": True}).raise_for_status()

    # Shop 2001 has warehouses WH-PARIS and WH-LYON, and code "" is its global stock.
    expected_codes = {"", "WH-PARIS", "WH-LYON"}

    def discovered():
        locations = http.get(f"{hub.inventory}/v1/locations").json()
        codes = {location["external_code"] for location in locations}
        return codes >= expected_codes and locations

    locations = hub.wait_for(f"{step}: every warehouse of shop {MIRAKL_SHOP} as a hub location", discovered)
    assert len(locations) == 3, f"{step}: expected 3 locations, got {locations}"
    assert {location["source_integration_id"] for location in locations} == {mirakl_id}, f"{step}: {locations}"
    walk["mirakl_locations"] = {location["external_code"]: location["location_id"] for location in locations}


def test_step_06_locations_link_to_the_3pl(hub):
    step = "step 6, link locations"
    http = hub.http
    tiktok_id = need("tiktok_id", step)
    mirakl_locations = need("mirakl_locations", step)

    threepl = http.post(
        f"{hub.routing}/v1/integrations/http-3pl",
        json={"name": "Sandbox 3PL", "url": hub.threepl_sandbox, "secret": THREEPL_SECRET},
    )
    assert threepl.status_code == 201, f"{step}: creating the 3PL integration failed: {threepl.text}"
    threepl_id = threepl.json()["integration_id"]
    # The sandbox 3PL names UPS on its shipments, a carrier that Mirakl and TikTok both know.
    http.put(
        f"{hub.threepl_sandbox}/_sandbox/accounts/default",
        json={"secret": THREEPL_SECRET, "hub_url": hub.routing, "integration_id": threepl_id, "carrier": "UPS"},
    ).raise_for_status()

    tiktok_location = http.post(f"{hub.inventory}/v1/locations", json={"name": "TikTok US warehouse"})
    assert tiktok_location.status_code == 201, f"{step}: creating a location failed: {tiktok_location.text}"
    tiktok_location_id = tiktok_location.json()["location_id"]

    for location_id in [*mirakl_locations.values(), tiktok_location_id]:
        hub.wait_for(
            f"{step}: link of {location_id}",
            lambda location_id=location_id: link_location(hub, location_id, threepl_id),
        )
    locations = http.get(f"{hub.inventory}/v1/locations").json()
    unlinked = [location for location in locations if location["fulfillment_integration_id"] != threepl_id]
    assert not unlinked, f"{step}: locations left unlinked: {unlinked}"

    warehouse_map = {warehouse_id: [tiktok_location_id] for warehouse_id in need("tiktok_warehouse_ids", step)}
    mapped = http.patch(f"{hub.tiktok}/v1/integrations/{tiktok_id}/settings", json={"warehouseMap": warehouse_map})
    assert mapped.status_code == 200, f"{step}: warehouseMap was rejected: {mapped.text}"

    for sku in need("mirakl_offers", step):
        set_stock(hub, location_id=mirakl_locations["WH-PARIS"], sku=sku, on_hand=WAREHOUSE_STOCK)
    set_stock(hub, location_id=tiktok_location_id, sku=need("shared_sku", step), on_hand=TIKTOK_STOCK)
    walk.update(threepl_id=threepl_id, tiktok_location_id=tiktok_location_id)


def test_step_07_orders_enter_by_status_filter(hub):
    step = "step 7, ingest Mirakl orders"
    http = hub.http
    mirakl_id = need("mirakl_id", step)

    states = mirakl_order_states(hub, MIRAKL_SHOP)
    expected = {order_id for order_id, state in states.items() if state in ORDER_STATES_IN}
    left_out = set(states) - expected
    assert expected and left_out, f"{step}: the seed has no orders on one side of the filter: {states}"

    http.patch(f"{hub.mirakl}/v1/integrations/{mirakl_id}/settings", json={"syncOrders": True}).raise_for_status()
    orders = hub.wait_for(
        f"{step}: orders in {ORDER_STATES_IN} in the hub",
        lambda: (found := hub_orders(hub, mirakl_id)).keys() >= expected and found,
    )
    assert set(orders) == expected, f"{step}: orders outside the filter entered: {sorted(set(orders) - expected)}"
    walk["waiting_orders"] = sorted(o for o in expected if states[o] == "WAITING_ACCEPTANCE")
    walk["shipping_orders"] = sorted(o for o in expected if states[o] == "SHIPPING")
    walk["staging_orders"] = sorted(o for o, state in states.items() if state == "STAGING")


def test_step_08_auto_accept_off_then_on(hub):
    step = "step 8, auto-accept off then on"
    http = hub.http
    mirakl_id = need("mirakl_id", step)
    waiting = need("waiting_orders", step)
    staging = need("staging_orders", step)
    assert waiting and staging, f"{step}: the seed needs waiting and staging orders: {waiting}, {staging}"

    def waiting_for_a_person():
        rows = http.get(f"{hub.mirakl}/v1/integrations/{mirakl_id}/orders/awaiting-acceptance").json()
        by_id = {row["order_id"]: row for row in rows}
        return set(waiting) <= by_id.keys() and by_id

    rows = hub.wait_for(f"{step}: waiting orders listed by the connector", waiting_for_a_person)
    for order_id in waiting:
        assert "ordersAutoAccept is off" in (rows[order_id]["acceptance_reason"] or ""), f"{step}: {rows[order_id]}"
    listed = {row["external_id"]: row for row in http.get(f"{hub.routing}/v1/awaiting-acceptance").json()}
    for order_id in waiting:
        assert listed[order_id]["auto_accept"] is False, f"{step}: routing shows auto-accept on: {listed[order_id]}"
    assert not mirakl_requests(hub, operation="OR21"), f"{step}: an order was accepted while auto-accept was off"

    http.patch(f"{hub.mirakl}/v1/integrations/{mirakl_id}/settings", json={"ordersAutoAccept": True}).raise_for_status()
    # The operator validates a staged order, so a new order waits for acceptance.
    new_order = staging[0]
    http.post(f"{hub.mirakl_sandbox}/_sandbox/orders/{new_order}/release").raise_for_status()
    hub.wait_for(
        f"{step}: OR21 accepting new order {new_order}",
        lambda: any(new_order in entry["path"] for entry in mirakl_requests(hub, operation="OR21")),
        detail=lambda: {
            "connector": http.get(f"{hub.mirakl}/v1/integrations/{mirakl_id}/orders/{new_order}").text,
            "routing": hub_orders(hub, mirakl_id).get(new_order),
            "sandbox": http.get(f"{hub.mirakl_sandbox}/_sandbox/orders/{new_order}").json()["order"]["order_state"],
        },
    )

    # Orders ingested while auto-accept was off wait for a person. Accept one by hand.
    manual = waiting[0]
    order = hub_orders(hub, mirakl_id)[manual]
    accepted = http.post(f"{hub.routing}/v1/orders/{order['order_id']}/accept", json={})
    assert accepted.status_code in (200, 202), f"{step}: the manual accept failed: {accepted.text}"
    hub.wait_for(
        f"{step}: OR21 accepting {manual} by hand",
        lambda: any(manual in entry["path"] for entry in mirakl_requests(hub, operation="OR21")),
    )
    accepted_paths = [entry["path"] for entry in mirakl_requests(hub, operation="OR21")]
    for order_id in waiting[1:]:
        assert not any(order_id in path for path in accepted_paths), f"{step}: {order_id} was auto-accepted"
    walk["accepted_orders"] = [new_order, manual]


def test_step_09_orders_ship_through_the_3pl(hub):
    step = "step 9, route to the 3PL and ship"
    http = hub.http
    mirakl_id = need("mirakl_id", step)
    threepl_id = need("threepl_id", step)
    to_ship = [*need("shipping_orders", step), *need("accepted_orders", step)]

    def all_fulfilled():
        orders = hub_orders(hub, mirakl_id)
        return all(orders.get(order_id, {}).get("status") == "fulfilled" for order_id in to_ship) and orders

    orders = hub.wait_for(f"{step}: orders {to_ship} fulfilled by the 3PL", all_fulfilled, timeout=90)
    for order_id in to_ship:
        detail = http.get(f"{hub.routing}/v1/orders/{orders[order_id]['order_id']}").json()
        requests = detail["shipping_requests"]
        assert requests, f"{step}: {order_id} has no shipping request"
        for request in requests:
            assert request["fulfillment_integration_id"] == threepl_id, f"{step}: {order_id} went to {request}"
    for order_id in need("waiting_orders", step)[1:]:
        assert orders[order_id]["status"] == "pending", f"{step}: unaccepted {order_id} moved: {orders[order_id]}"
    walk["fulfilled_orders"] = to_ship


def test_step_10_ship_confirmation_reaches_mirakl(hub):
    step = "step 10, confirm shipments on Mirakl"
    fulfilled = need("fulfilled_orders", step)

    def confirmed():
        tracking = [entry["path"] for entry in mirakl_requests(hub, operation="OR23") if entry["status"] < 300]
        shipped = [entry["path"] for entry in mirakl_requests(hub, operation="OR24") if entry["status"] < 300]
        return all(
            any(order_id in path for path in tracking) and any(order_id in path for path in shipped)
            for order_id in fulfilled
        )

    hub.wait_for(f"{step}: OR23 and OR24 for {fulfilled}", confirmed)
    states = mirakl_order_states(hub, MIRAKL_SHOP)
    for order_id in fulfilled:
        assert states[order_id] == "SHIPPED", f"{step}: {order_id} is {states[order_id]} on Mirakl"
    tracking = [entry for entry in mirakl_requests(hub, operation="OR23") if fulfilled[0] in entry["path"]]
    assert "UPS" in tracking[-1]["body"], f"{step}: OR23 does not name the 3PL's carrier: {tracking[-1]['body']}"


def test_step_11_tiktok_order_ships_its_package(hub):
    step = "step 11, ship a TikTok order"
    http = hub.http
    tiktok_id = need("tiktok_id", step)
    http.patch(f"{hub.tiktok}/v1/integrations/{tiktok_id}/settings", json={"syncOrders": True}).raise_for_status()

    placed = place_tiktok_order(
        hub, shop_id=need("tiktok_shop_id", step), sku_id=need("sku_ids", step)["shared"], quantity=1
    )
    tiktok_order_id = placed["id"]
    order = hub.wait_for(
        f"{step}: TikTok order {tiktok_order_id} fulfilled",
        lambda: (found := hub_orders(hub, tiktok_id).get(tiktok_order_id)) and found["status"] == "fulfilled" and found,
        timeout=90,
    )
    detail = http.get(f"{hub.routing}/v1/orders/{order['order_id']}").json()
    locations = {request["location_id"] for request in detail["shipping_requests"]}
    assert locations == {need("tiktok_location_id", step)}, f"{step}: not routed by warehouseMap: {detail}"

    package_ids = [package["id"] for package in placed.get("packages") or []]

    def shipped_on_tiktok():
        calls = tiktok_requests(hub, method="POST", path_prefix="/fulfillment/202309/packages/")
        return [
            call
            for call in calls
            if call["path"].endswith("/ship") and call["code"] == 0 and any(pid in call["path"] for pid in package_ids)
        ]

    assert package_ids, f"{step}: the sandbox order has no package: {placed}"
    calls = hub.wait_for(f"{step}: Ship Package for {tiktok_order_id} on TikTok", shipped_on_tiktok)
    assert "tracking_number" in calls[-1]["body"], f"{step}: Ship Package sent no tracking: {calls[-1]['body']}"


def test_step_12_inventory_pushes_apply_buffers_and_lists(hub):
    step = "step 12, push inventory"
    http = hub.http
    mirakl_id, second_id, tiktok_id = need("mirakl_id", step), need("second_id", step), need("tiktok_id", step)
    shared_sku, buffered_sku = need("shared_sku", step), need("buffered_sku", step)

    for sku, integration_id, buffer in (
        (buffered_sku, mirakl_id, MIRAKL_BUFFER),
        (shared_sku, tiktok_id, TIKTOK_BUFFER),
    ):
        changed = http.put(
            f"{hub.catalog}/v1/products/{sku}/channel-options/{integration_id}", json={"inventoryBuffer": buffer}
        )
        assert changed.status_code == 200, f"{step}: buffer of {sku} rejected: {changed.text}"

    both_lists = http.patch(
        f"{hub.mirakl}/v1/integrations/{mirakl_id}/settings",
        json={"inventorySKUs": [CONFLICTING_SKU], "inventorySKUsExclude": [CONFLICTING_SKU]},
    )
    assert both_lists.status_code == 422, f"{step}: a SKU in both lists was accepted: {both_lists.text}"
    assert CONFLICTING_SKU in both_lists.text, f"{step}: the error does not name the SKU: {both_lists.text}"

    allowed = [MAPPED_MASTER_SKU, *sorted(need("mirakl_offers", step) & {"TRAIL-SHOE-BLUE-41"})]
    for integration_id, settings in (
        (mirakl_id, {"inventorySKUsExclude": [CONFLICTING_SKU], "syncInventory": True}),
        (second_id, {"inventorySKUs": allowed, "syncInventory": True}),
        (tiktok_id, {"syncInventory": True}),
    ):
        base = hub.tiktok if integration_id == tiktok_id else hub.mirakl
        response = http.patch(f"{base}/v1/integrations/{integration_id}/settings", json=settings)
        assert response.status_code == 200, f"{step}: settings {settings} rejected: {response.text}"

    def latest_mirakl_figures():
        figures = {}
        for lines in pushed_stock(hub, MIRAKL_SHOP):
            figures.update({(sku, code): quantity for sku, quantity, code in lines})
        return figures

    expected = {
        (buffered_sku, "WH-PARIS"): WAREHOUSE_STOCK - MIRAKL_BUFFER,
        (shared_sku, "WH-PARIS"): WAREHOUSE_STOCK,
        (buffered_sku, "WH-LYON"): 0,
    }
    hub.wait_for(
        f"{step}: STO01 lines {expected} on shop {MIRAKL_SHOP}",
        lambda: (
            (figures := latest_mirakl_figures()) and all(figures.get(key) == value for key, value in expected.items())
        ),
        detail=lambda: {
            "pushed": {key: latest_mirakl_figures().get(key) for key in expected},
            "hub": http.get(
                f"{hub.inventory}/v1/availability/simulate", params={"sku": buffered_sku, "integration_id": mirakl_id}
            ).json(),
        },
    )
    blocked = [line for lines in pushed_stock(hub, MIRAKL_SHOP) for line in lines if line[0] == CONFLICTING_SKU]
    assert not blocked, f"{step}: the blocked SKU was pushed: {blocked}"

    second_skus = hub.wait_for(
        f"{step}: STO01 on shop {SECOND_SHOP} with the mapped offer SKU",
        lambda: (
            (skus := {line[0] for lines in pushed_stock(hub, SECOND_SHOP) for line in lines})
            and MAPPED_OFFER_SKU in skus
            and skus
        ),
    )
    allowed_offers = {MAPPED_OFFER_SKU, *allowed} - {MAPPED_MASTER_SKU}
    assert second_skus <= allowed_offers, f"{step}: SKUs outside the allow list pushed: {second_skus - allowed_offers}"

    # One unit of the shared SKU shipped from the TikTok location in step 11.
    tiktok_expected = TIKTOK_STOCK - 1 - TIKTOK_BUFFER
    product_id = need("tiktok_product_shared", step)
    sku_id = need("sku_ids", step)["shared"]

    def tiktok_quantities():
        calls = tiktok_requests(hub, method="POST", path_prefix=f"/product/202309/products/{product_id}/inventory")
        quantities = {}
        for call in calls:
            if call["code"] != 0:
                continue
            for sku in json.loads(call["body"]).get("skus", []):
                if sku["id"] == sku_id:
                    quantities = {entry["warehouse_id"]: entry["quantity"] for entry in sku["inventory"]}
        return quantities

    quantities = hub.wait_for(
        f"{step}: TikTok inventory {tiktok_expected} for {shared_sku}",
        lambda: (found := tiktok_quantities()) and all(value == tiktok_expected for value in found.values()) and found,
        detail=lambda: {
            "pushed": tiktok_quantities(),
            "hub": http.get(
                f"{hub.inventory}/v1/availability/simulate", params={"sku": shared_sku, "integration_id": tiktok_id}
            ).json(),
            "stock": http.get(f"{hub.inventory}/v1/stock", params={"sku": shared_sku}).json(),
            "history": http.get(f"{hub.inventory}/v1/stock/history", params={"sku": shared_sku}).json(),
        },
    )
    assert set(quantities) == set(need("tiktok_warehouse_ids", step)), f"{step}: warehouses {quantities}"


def test_step_13_force_resync_pushes_every_sku(hub):
    step = "step 13, force resync"
    http = hub.http
    mirakl_id = need("mirakl_id", step)
    expected_skus = need("mirakl_offers", step) - {CONFLICTING_SKU}

    before = last_sequence(hub)
    resync = http.post(f"{hub.mirakl}/v1/integrations/{mirakl_id}/inventory/resync")
    assert resync.status_code == 202, f"{step}: resync was not accepted: {resync.text}"
    assert resync.json().get("command_id"), f"{step}: no command id: {resync.json()}"

    def pushed_after_resync():
        lines = [line for batch in pushed_stock(hub, MIRAKL_SHOP, after=before) for line in batch]
        return {sku for sku, _quantity, _code in lines} >= expected_skus and lines

    lines = hub.wait_for(f"{step}: every SKU pushed again", pushed_after_resync)
    assert CONFLICTING_SKU not in {line[0] for line in lines}, f"{step}: the resync pushed the blocked SKU"
    assert (need("buffered_sku", step), WAREHOUSE_STOCK - MIRAKL_BUFFER, "WH-PARIS") in lines, f"{step}: {lines}"


def test_step_14_fbt_order_is_not_routed(hub):
    step = "step 14, record an FBT order"
    http = hub.http
    tiktok_id = need("tiktok_id", step)
    placed = place_tiktok_order(
        hub,
        shop_id=need("tiktok_shop_id", step),
        sku_id=need("sku_ids", step)["shared"],
        quantity=1,
        fulfillment_type="FULFILLMENT_BY_TIKTOK",
    )
    order = hub.wait_for(
        f"{step}: FBT order {placed['id']} in the hub",
        lambda: hub_orders(hub, tiktok_id).get(placed["id"]),
    )
    assert order["status"] == "fulfilled", f"{step}: FBT order is {order['status']}"
    assert order["fulfillment_type"] == "channel", f"{step}: fulfillment type {order['fulfillment_type']}"
    detail = http.get(f"{hub.routing}/v1/orders/{order['order_id']}").json()
    assert detail["shipping_requests"] == [], f"{step}: an FBT order was sent to a 3PL: {detail}"
    decisions = http.get(f"{hub.routing}/v1/orders/{order['order_id']}/routing-decisions").json()
    assert not decisions, f"{step}: an FBT order was routed: {decisions}"


def test_step_15_stalled_order_routes_once_linked(hub):
    step = "step 15, route a stalled order"
    http = hub.http
    tiktok_id = need("tiktok_id", step)

    overflow = http.post(f"{hub.inventory}/v1/locations", json={"name": "Overflow site"})
    assert overflow.status_code == 201, f"{step}: creating a location failed: {overflow.text}"
    overflow_id = overflow.json()["location_id"]
    rule = http.post(
        f"{hub.routing}/v1/routing-rules",
        json={
            "name": "TikTok ships from the overflow site",
            "position": 1,
            "filters": {"integration_ids": [tiktok_id]},
            "location_ids": [overflow_id],
        },
    )
    assert rule.status_code == 201, f"{step}: creating the rule failed: {rule.text}"

    placed = place_tiktok_order(
        hub, shop_id=need("tiktok_shop_id", step), sku_id=need("sku_ids", step)["shared"], quantity=1
    )
    stalled = hub.wait_for(
        f"{step}: order {placed['id']} stalled",
        lambda: (found := hub_orders(hub, tiktok_id).get(placed["id"])) and found["status"] == "stalled" and found,
    )
    assert stalled["status_reason"] == "location_not_linked", f"{step}: stalled for {stalled['status_reason']}"

    hub.wait_for(f"{step}: link of {overflow_id}", lambda: link_location(hub, overflow_id, need("threepl_id", step)))
    routed = hub.wait_for(
        f"{step}: order {placed['id']} routed after the link",
        lambda: (found := hub_orders(hub, tiktok_id).get(placed["id"])) and found["status"] in SHIPPED_STATES and found,
    )
    detail = http.get(f"{hub.routing}/v1/orders/{routed['order_id']}").json()
    locations = {request["location_id"] for request in detail["shipping_requests"]}
    assert locations == {overflow_id}, f"{step}: routed to {locations}, not the newly linked site"
