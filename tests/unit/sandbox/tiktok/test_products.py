"""Products: search paging, detail, create and edit, and the inventory update rules."""

import pytest


def _us_product(runtime, shops, title):
    return next(p for p in runtime.store.products.values() if p.shop_id == shops["US"].id and p.title == title)


async def test_product_search_pages_end_with_empty_token(api, runtime, shops):
    seen, token, pages = [], None, 0
    while True:
        query = {"page_size": "2"} | ({"page_token": token} if token else {})
        data = (await api.call("POST", "/product/202309/products/search", query=query, body={"status": "ALL"})).json()[
            "data"
        ]
        seen += [p["id"] for p in data["products"]]
        token = data["next_page_token"]
        pages += 1
        if not token:
            break

    own = [p.id for p in runtime.store.products.values() if p.shop_id == shops["US"].id]
    assert sorted(seen) == sorted(own)
    assert len(seen) == len(set(seen))
    assert pages == 3
    assert data["total_count"] == len(own)


async def test_product_search_newer_version_path_served(api):
    response = await api.call("POST", "/product/202502/products/search", query={"page_size": "10"}, body={})

    assert response.json()["code"] == 0


async def test_product_search_filters_seller_sku(api):
    data = (
        await api.call(
            "POST",
            "/product/202309/products/search",
            query={"page_size": "10"},
            body={"seller_skus": ["CD-CONFLICT-001"]},
        )
    ).json()["data"]

    assert sorted(p["title"] for p in data["products"]) == ["Canvas Tote Bag", "Steel Water Bottle"]


@pytest.mark.parametrize(
    ("query", "body", "code"),
    [
        ({"page_size": "0"}, {}, 12019109),
        ({"page_size": "101"}, {}, 12019109),
        ({"page_size": "5", "page_token": "not-a-token"}, {}, 12019108),
        ({"page_size": "5"}, {"seller_skus": [str(i) for i in range(11)]}, 12019027),
    ],
)
async def test_product_search_invalid_input_rejected(api, query, body, code):
    response = await api.call("POST", "/product/202309/products/search", query=query, body=body)

    assert response.status_code == 200
    assert response.json()["code"] == code


async def test_product_detail_lists_inventory_per_warehouse(api, runtime, shops):
    product = _us_product(runtime, shops, "Trail Running Sock")

    data = (await api.call("GET", f"/product/202309/products/{product.id}")).json()["data"]

    assert data["id"] == product.id
    assert len(data["skus"]) == 3
    assert len(data["skus"][0]["inventory"]) == 2


async def test_product_detail_other_shop_rejected(api, shops, runtime):
    product = next(p for p in runtime.store.products.values() if p.shop_id == shops["GB"].id)

    assert (await api.call("GET", f"/product/202309/products/{product.id}")).json()["code"] == 12052048


def _create_body(warehouse_id: str) -> dict:
    return {
        "title": "Sandbox Hoodie",
        "description": "<p>Warm</p>",
        "category_id": "600001",
        "main_images": [{"uri": "tos/x"}],
        "package_weight": {"value": "0.8", "unit": "KILOGRAM"},
        "skus": [
            {
                "seller_sku": "HOODIE-M",
                "price": {"amount": "39.00", "currency": "USD"},
                "inventory": [{"warehouse_id": warehouse_id, "quantity": 10}],
            }
        ],
    }


async def test_product_create_then_edit_replaces_skus(api, runtime, shops):
    warehouse = runtime.store.shop_warehouses(shops["US"].id)[0].id
    created = (await api.call("POST", "/product/202309/products", body=_create_body(warehouse))).json()
    product_id = created["data"]["product_id"]

    body = _create_body(warehouse)
    body["skus"] = [
        {
            "seller_sku": "HOODIE-L",
            "price": {"amount": "41.00", "currency": "USD"},
            "inventory": [{"warehouse_id": warehouse, "quantity": 3}],
        }
    ]
    edited = (await api.call("PUT", f"/product/202309/products/{product_id}", body=body)).json()

    assert created["code"] == 0
    assert runtime.store.products[product_id].status == "ACTIVATE"
    assert edited["code"] == 0
    assert [s.seller_sku for s in runtime.store.products[product_id].skus] == ["HOODIE-L"]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("description", "", 12052015), ("main_images", [], 12052028), ("title", "x" * 256, 12052051)],
)
async def test_product_create_invalid_body_rejected(api, runtime, shops, field, value, code):
    body = _create_body(runtime.store.shop_warehouses(shops["US"].id)[0].id) | {field: value}

    response = await api.call("POST", "/product/202309/products", body=body)

    assert response.json()["code"] == code


async def _update(api, product, inventory_by_sku):
    body = {"skus": [{"id": sku_id, "inventory": inventory} for sku_id, inventory in inventory_by_sku.items()]}
    return await api.call("POST", f"/product/202309/products/{product.id}/inventory/update", body=body)


async def test_inventory_update_all_warehouses_applied(api, runtime, shops):
    product = _us_product(runtime, shops, "Merino Beanie")
    sku = product.skus[0]
    first, second = sorted(sku.inventory)

    response = await _update(
        api, product, {sku.id: [{"warehouse_id": first, "quantity": 7}, {"warehouse_id": second, "quantity": 0}]}
    )

    assert response.json()["code"] == 0
    assert response.json()["data"] == {"errors": []}
    assert sku.inventory == {first: 7, second: 0}


async def test_inventory_update_missing_warehouse_rejected(api, runtime, shops):
    product = _us_product(runtime, shops, "Merino Beanie")
    sku = product.skus[0]
    before = dict(sku.inventory)

    response = await _update(api, product, {sku.id: [{"warehouse_id": sorted(sku.inventory)[0], "quantity": 7}]})

    assert response.status_code == 200
    assert response.json()["code"] == 12019028
    assert sku.inventory == before


async def test_inventory_update_unassigned_warehouse_rejected(api, runtime, shops):
    product = _us_product(runtime, shops, "Merino Beanie")
    sku = product.skus[0]
    returns = next(w for w in runtime.store.shop_warehouses(shops["US"].id) if w.type == "RETURN_WAREHOUSE")
    inventory = [{"warehouse_id": w, "quantity": 1} for w in sku.inventory] + [
        {"warehouse_id": returns.id, "quantity": 1}
    ]

    response = await _update(api, product, {sku.id: inventory})

    assert response.json()["code"] == 12052533


async def test_inventory_update_above_99999_rejected(api, runtime, shops):
    product = _us_product(runtime, shops, "Merino Beanie")
    sku = product.skus[0]
    before = dict(sku.inventory)

    response = await _update(api, product, {sku.id: [{"warehouse_id": w, "quantity": 100_000} for w in sku.inventory]})

    body = response.json()
    assert body["code"] == 0
    assert body["data"]["errors"][0]["detail"]["sku_id"] == sku.id
    assert body["data"]["errors"][0]["detail"]["extra_errors"][0]["code"] == 12052055
    assert sku.inventory == before


async def test_inventory_update_99999_accepted(api, runtime, shops):
    product = _us_product(runtime, shops, "Merino Beanie")
    sku = product.skus[0]

    response = await _update(api, product, {sku.id: [{"warehouse_id": w, "quantity": 99_999} for w in sku.inventory]})

    assert response.json()["data"] == {"errors": []}
    assert set(sku.inventory.values()) == {99_999}


async def test_inventory_update_inactive_product_rejected(api, runtime, shops):
    product = _us_product(runtime, shops, "Retired Sun Hat")
    sku = product.skus[0]

    response = await _update(api, product, {sku.id: [{"warehouse_id": w, "quantity": 1} for w in sku.inventory]})

    assert response.json()["code"] == 12052901
