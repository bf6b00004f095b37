"""Fulfillment: packages, shipping, Mark Package As Shipped by region, FBT refusals, documents and cancellation."""

import pytest


async def _place(http, runtime, shop, *, quantity=2, shipping_type="SELLER", fulfillment_type="FULFILLMENT_BY_SELLER"):
    sku = next(p for p in runtime.store.products.values() if p.shop_id == shop.id and p.status == "ACTIVATE").skus[0]
    body = {
        "shop_id": shop.id,
        "lines": [{"sku_id": sku.id, "quantity": quantity}],
        "status": "AWAITING_SHIPMENT",
        "shipping_type": shipping_type,
        "fulfillment_type": fulfillment_type,
    }
    return (await http.post("/_sandbox/orders", json=body)).json()


def _provider(runtime, order):
    return runtime.store.delivery_options[order["delivery_option_id"]].provider_ids[0]


async def test_shipping_providers_listed_for_seller_option(api, http, runtime, shops):
    order = await _place(http, runtime, shops["US"])

    data = (
        await api.call("GET", f"/logistics/202309/delivery_options/{order['delivery_option_id']}/shipping_providers")
    ).json()["data"]

    assert [p["name"] for p in data["shipping_providers"]] == ["USPS", "UPS", "FedEx"]


async def test_ship_package_with_tracking(api, http, runtime, shops):
    order = await _place(http, runtime, shops["US"])
    package_id = order["packages"][0]["id"]

    response = await api.call(
        "POST",
        f"/fulfillment/202309/packages/{package_id}/ship",
        body={"self_shipment": {"tracking_number": "1Z999", "shipping_provider_id": _provider(runtime, order)}},
    )

    detail = (await api.call("GET", "/order/202309/orders", query={"ids": order["id"]})).json()["data"]["orders"][0]
    assert response.json()["code"] == 0
    assert detail["status"] == "IN_TRANSIT"
    assert {line["tracking_number"] for line in detail["line_items"]} == {"1Z999"}
    again = await api.call(
        "POST",
        f"/fulfillment/202309/packages/{package_id}/ship",
        body={"self_shipment": {"tracking_number": "1Z999", "shipping_provider_id": _provider(runtime, order)}},
    )
    assert again.json()["code"] == 21008099


async def test_ship_package_unknown_provider_rejected(api, http, runtime, shops):
    order = await _place(http, runtime, shops["US"])

    response = await api.call(
        "POST",
        f"/fulfillment/202309/packages/{order['packages'][0]['id']}/ship",
        body={"self_shipment": {"tracking_number": "1Z", "shipping_provider_id": "42"}},
    )

    assert response.json()["code"] == 21011022


async def test_mark_as_shipped_partial_lines_split_package(api, http, runtime, shops):
    order = await _place(http, runtime, shops["US"], quantity=3)
    first_line = order["line_items"][0]["id"]

    response = await api.call(
        "POST",
        f"/fulfillment/202309/orders/{order['id']}/packages",
        body={
            "tracking_number": "TRK111",
            "shipping_provider_id": _provider(runtime, order),
            "order_line_item_ids": [first_line],
        },
    )

    detail = (await api.call("GET", "/order/202309/orders", query={"ids": order["id"]})).json()["data"]["orders"][0]
    assert response.json()["data"]["order_line_item_ids"] == [first_line]
    assert detail["status"] == "PARTIALLY_SHIPPING"
    assert len(detail["packages"]) == 2
    rest = await api.call(
        "POST",
        f"/fulfillment/202309/orders/{order['id']}/packages",
        body={"tracking_number": "TRK222", "shipping_provider_id": _provider(runtime, order)},
    )
    assert rest.json()["code"] == 0
    final = (await api.call("GET", "/order/202309/orders", query={"ids": order["id"]})).json()["data"]["orders"][0]
    assert final["status"] == "IN_TRANSIT"
    assert sorted({line["tracking_number"] for line in final["line_items"]}) == ["TRK111", "TRK222"]


async def test_mark_as_shipped_outside_listed_regions_rejected(api, http, runtime, shops):
    order = await _place(http, runtime, shops["MY"])

    response = await api.call(
        "POST",
        f"/fulfillment/202309/orders/{order['id']}/packages",
        cipher=shops["MY"].cipher,
        body={"tracking_number": "T1", "shipping_provider_id": _provider(runtime, order)},
    )

    assert response.json()["code"] == 21008106


async def test_fbt_order_seller_shipping_rejected(api, http, runtime, shops):
    order = await _place(http, runtime, shops["US"], fulfillment_type="FULFILLMENT_BY_TIKTOK")

    marked = await api.call(
        "POST",
        f"/fulfillment/202309/orders/{order['id']}/packages",
        body={"tracking_number": "T1", "shipping_provider_id": "1"},
    )
    shipped = await api.call(
        "POST",
        f"/fulfillment/202309/packages/{order['packages'][0]['id']}/ship",
        body={"self_shipment": {"tracking_number": "T1", "shipping_provider_id": "1"}},
    )

    assert order["shipping_type"] == "TIKTOK"
    assert marked.status_code == 200
    assert marked.json()["code"] == 21008025
    assert shipped.json()["code"] == 21008025


async def test_split_order_into_groups(api, http, runtime, shops):
    order = await _place(http, runtime, shops["US"], quantity=2)
    lines = [line["id"] for line in order["line_items"]]

    response = await api.call(
        "POST",
        f"/fulfillment/202309/orders/{order['id']}/split",
        body={
            "splittable_groups": [
                {"id": "a", "order_line_item_ids": [lines[0]]},
                {"id": "b", "order_line_item_ids": [lines[1]]},
            ]
        },
    )

    packages = response.json()["data"]["packages"]
    assert [p["splittable_group_id"] for p in packages] == ["a", "b"]
    assert len({p["id"] for p in packages}) == 2


async def test_shipping_document_for_tiktok_shipping(api, http, runtime, shops):
    order = await _place(http, runtime, shops["US"], shipping_type="TIKTOK")
    package_id = order["packages"][0]["id"]

    early = await api.call(
        "GET",
        f"/fulfillment/202309/packages/{package_id}/shipping_documents",
        query={"document_type": "SHIPPING_LABEL"},
    )
    await api.call("POST", f"/fulfillment/202309/packages/{package_id}/ship", body={"handover_method": "PICKUP"})
    ready = await api.call(
        "GET",
        f"/fulfillment/202309/packages/{package_id}/shipping_documents",
        query={"document_type": "SHIPPING_LABEL"},
    )

    assert early.json()["code"] == 21023035
    assert ready.json()["code"] == 0
    label = await http.get(ready.json()["data"]["doc_url"].replace("http://sandbox.test", ""))
    assert label.content.startswith(b"%PDF")


async def test_shipping_document_seller_shipping_rejected(api, http, runtime, shops):
    order = await _place(http, runtime, shops["US"])

    response = await api.call(
        "GET",
        f"/fulfillment/202309/packages/{order['packages'][0]['id']}/shipping_documents",
        query={"document_type": "SHIPPING_LABEL"},
    )

    assert response.json()["code"] == 21008017


async def test_tracking_update_allowed_once(api, http, runtime, shops):
    order = await _place(http, runtime, shops["US"])
    provider = _provider(runtime, order)
    await api.call(
        "POST",
        f"/fulfillment/202309/orders/{order['id']}/packages",
        body={"tracking_number": "A1", "shipping_provider_id": provider},
    )

    first = await api.call(
        "POST",
        f"/fulfillment/202309/orders/{order['id']}/shipping_info/update",
        body={"tracking_number": "A2", "shipping_provider_id": provider},
    )
    second = await api.call(
        "POST",
        f"/fulfillment/202309/orders/{order['id']}/shipping_info/update",
        body={"tracking_number": "A3", "shipping_provider_id": provider},
    )

    assert first.json()["code"] == 0
    assert second.json()["code"] == 21011051


async def test_seller_cancel_whole_order(api, http, runtime, shops):
    order = await _place(http, runtime, shops["US"])

    response = await api.call(
        "POST",
        "/return_refund/202309/cancellations",
        body={"order_id": order["id"], "cancel_reason": "seller_out_of_stock"},
    )

    detail = (await api.call("GET", "/order/202309/orders", query={"ids": order["id"]})).json()["data"]["orders"][0]
    assert response.json()["data"]["cancel_status"] == "CANCELLATION_REQUEST_SUCCESS"
    assert detail["status"] == "CANCELLED"
    assert detail["cancellation_initiator"] == "SELLER"


async def test_seller_cancel_after_shipping_rejected(api, http, runtime, shops):
    order = await _place(http, runtime, shops["US"])
    await api.call(
        "POST",
        f"/fulfillment/202309/orders/{order['id']}/packages",
        body={"tracking_number": "A1", "shipping_provider_id": _provider(runtime, order)},
    )

    response = await api.call(
        "POST",
        "/return_refund/202309/cancellations",
        body={"order_id": order["id"], "cancel_reason": "seller_out_of_stock"},
    )

    assert response.json()["code"] == 25001045


async def test_seller_cancel_lines_outside_us_gb_rejected(api, http, runtime, shops):
    order = await _place(http, runtime, shops["MY"])

    response = await api.call(
        "POST",
        "/return_refund/202309/cancellations",
        cipher=shops["MY"].cipher,
        body={"order_id": order["id"], "cancel_reason": "x", "order_line_item_ids": [order["line_items"][0]["id"]]},
    )

    assert response.json()["code"] == 25005010


@pytest.mark.parametrize("action", ["pay", "buyer-cancel"])
async def test_admin_order_actions_check_state(http, runtime, shops, action):
    order = await _place(http, runtime, shops["US"])
    order_after = await http.post(f"/_sandbox/orders/{order['id']}/{action}", json={})

    expected = 409 if action == "pay" else 200
    assert order_after.status_code == expected
