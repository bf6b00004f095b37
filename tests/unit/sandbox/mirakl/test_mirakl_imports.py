"""STO01/STO02/STO03 stock imports, OF21/OF24 offers and P31/P41/P42/P44 products."""

import asyncio

from crossdock_sandbox.mirakl.seed import DEFAULT_SHOP_ID


def stock_file(text: str):
    return {"file": ("stock.csv", text.encode(), "text/csv")}


async def wait_for_import(store, settings):
    await asyncio.sleep(settings.import_waiting_seconds + settings.import_running_seconds + 0.02)
    store.limiter.reset()


async def test_sto01_updates_warehouse_stock(client, store, settings):
    sku = next(iter(store.shop_offers(DEFAULT_SHOP_ID)))
    created = await client.post(
        "/api/offers/stock/imports",
        files=stock_file(
            f"offer-sku;quantity;warehouse-code;update-delete\n{sku};7;WH-PARIS;update\n{sku};3;WH-LYON;\n"
        ),
    )
    await wait_for_import(store, settings)

    status = await client.get(f"/api/offers/stock/imports/{created.json()['import_id']}/status")

    assert created.status_code == 201
    assert created.headers["Location"].endswith("/status")
    assert status.json()["status"] == "COMPLETE"
    assert status.json()["lines_in_success"] == 2
    assert store.shop_offers(DEFAULT_SHOP_ID)[sku].warehouses == {"WH-PARIS": 7, "WH-LYON": 3}


async def test_sto02_reports_waiting_before_done(client, store):
    sku = next(iter(store.shop_offers(DEFAULT_SHOP_ID)))
    created = await client.post(
        "/api/offers/stock/imports", files=stock_file(f"offer-sku;quantity;warehouse-code;update-delete\n{sku};7;;\n")
    )

    status = await client.get(f"/api/offers/stock/imports/{created.json()['import_id']}/status")

    assert status.json()["status"] == "WAITING"
    assert "lines_in_success" not in status.json()
    assert status.json()["has_error_report"] is False


async def test_sto03_before_done_is_404(client, store):
    created = await client.post(
        "/api/offers/stock/imports", files=stock_file("offer-sku;quantity;warehouse-code;update-delete\nNOPE;1;;\n")
    )

    report = await client.get(f"/api/offers/stock/imports/{created.json()['import_id']}/error_report")

    assert report.status_code == 404


async def test_sto03_lists_rejected_lines(client, store, settings):
    sku = next(iter(store.shop_offers(DEFAULT_SHOP_ID)))
    body = f"offer-sku;quantity;warehouse-code;update-delete\nNOPE;1;;\n{sku};-2;;\n{sku};4;WH-MARS;\n{sku};5;;\n"
    created = await client.post("/api/offers/stock/imports", files=stock_file(body))
    await wait_for_import(store, settings)

    status = await client.get(f"/api/offers/stock/imports/{created.json()['import_id']}/status")
    report = await client.get(f"/api/offers/stock/imports/{created.json()['import_id']}/error_report")

    assert status.json()["lines_in_error"] == 3
    assert status.json()["has_error_report"] is True
    assert report.status_code == 200
    assert [row.split(";")[0] for row in report.text.strip().splitlines()[1:]] == ["2", "3", "4"]
    assert store.shop_offers(DEFAULT_SHOP_ID)[sku].available_quantity() == 5


async def test_sto01_missing_columns_rejected(client):
    response = await client.post("/api/offers/stock/imports", files=stock_file("sku;qty\nA;1\n"))

    assert response.status_code == 400


async def test_sto01_missing_file_rejected(client):
    response = await client.post("/api/offers/stock/imports", data={"other": "x"})

    assert response.status_code == 400


async def test_sto02_polled_too_often_gets_429(client, store):
    created = await client.post(
        "/api/offers/stock/imports", files=stock_file("offer-sku;quantity;warehouse-code;update-delete\nNOPE;1;;\n")
    )
    path = f"/api/offers/stock/imports/{created.json()['import_id']}/status"

    first = await client.get(path)
    second = await client.get(path)

    assert first.status_code == 200
    assert second.status_code == 429


async def test_of21_lists_warehouses(client):
    response = await client.get("/api/offers", params={"max": 100})

    offers = response.json()["offers"]
    assert response.status_code == 200
    assert response.json()["total_count"] == len(offers)
    assert any(offer["warehouses"] for offer in offers)


async def test_of24_resets_fields_left_out(client, store, settings):
    offer = next(offer for offer in store.shop_offers(DEFAULT_SHOP_ID).values() if offer.description)
    ean = store.products[offer.product_sku].references[0][1]
    body = {
        "offers": [
            {
                "shop_sku": offer.shop_sku,
                "product_id": ean,
                "product_id_type": "EAN",
                "price": 10,
                "state_code": "11",
                "update_delete": "update",
            }
        ]
    }

    created = await client.post("/api/offers", json=body)
    await wait_for_import(store, settings)
    status = await client.get(f"/api/offers/imports/{created.json()['import_id']}")

    updated = store.shop_offers(DEFAULT_SHOP_ID)[offer.shop_sku]
    assert created.status_code == 201
    assert status.json()["offer_updated"] == 1
    assert updated.available_quantity() == 0
    assert updated.description == ""
    assert updated.leadtime_to_ship is None


async def test_of24_missing_required_field_rejected(client):
    response = await client.post("/api/offers", json={"offers": [{"shop_sku": "X", "price": 1}]})

    assert response.status_code == 400


async def test_p31_finds_products_by_ean(client, store):
    product = next(iter(store.products.values()))
    kind, value = product.references[0]

    response = await client.get("/api/products", params={"product_references": f"{kind}|{value}"})

    assert response.json()["products"][0]["product_sku"] == product.product_sku


async def test_p31_shop_sku_reference_rejected(client):
    response = await client.get("/api/products", params={"product_references": "SHOP_SKU|MUG-WHITE"})

    assert response.status_code == 400


async def test_p41_import_creates_product(client, store, settings):
    body = "sku;product-id;product-id-type;title;category\nNEW-1;3760000000017;EAN;New tent;camping\nBAD;;EAN;;\n"
    created = await client.post("/api/products/imports", files={"file": ("products.csv", body.encode(), "text/csv")})
    await wait_for_import(store, settings)

    status = await client.get(f"/api/products/imports/{created.json()['import_id']}")

    assert created.status_code == 201
    assert status.json()["import_status"] == "COMPLETE"
    assert status.json()["transform_lines_in_error"] == 1
    assert any(("EAN", "3760000000017") in product.references for product in store.products.values())


async def test_p44_lists_products_not_integrated(client, store, settings):
    body = (
        "sku;product-id;product-id-type;title;category\n"
        "NEW-2;3760000000024;EAN;Tent;camping\n"
        "NO-CAT;3760000000031;EAN;Lamp;\n"
    )
    created = await client.post("/api/products/imports", files={"file": ("products.csv", body.encode(), "text/csv")})
    early = await client.get(f"/api/products/imports/{created.json()['import_id']}/error_report")
    await wait_for_import(store, settings)

    report = await client.get(f"/api/products/imports/{created.json()['import_id']}/error_report")
    unknown = await client.get("/api/products/imports/999999/error_report")

    assert early.status_code == 404
    assert report.status_code == 200
    rows = report.text.strip().splitlines()
    assert rows[0] == "line;error-message;product"
    assert rows[1:] == ["3;Missing value for category.;NO-CAT;3760000000031;EAN;Lamp;"]
    assert unknown.status_code == 404
