"""Bulk upsert from CSV and JSON: each bad row is reported, the other rows are applied."""

import pytest

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def _skus(catalog) -> list[str]:
    response = await catalog.client.get("/v1/products", params={"limit": 500}, headers=catalog.headers)
    return [item["sku"] for item in response.json()["items"]]


async def test_bulk_csv_bad_row_reported_others_applied(catalog):
    csv_text = (
        "sku,product_type,parent_sku,title,price,currency,gtin,images,attribute:color\n"
        "TEE-M,variant,TEE,Tee M,19.90,EUR,,https://img.example.com/m.jpg|https://img.example.com/m2.jpg,red\n"
        "TEE,parent,,Tee,,,,,\n"
        "MUG-1,simple,,Mug,abc,EUR,,,\n"
        "CUP-1 ,simple,,Cup,4.50,EUR,4006381333931,,\n"
    )

    response = await catalog.client.post(
        "/v1/products/bulk", content=csv_text.encode(), headers={**catalog.headers, "Content-Type": "text/csv"}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["applied"] == 3
    assert body["created"] == 3
    assert [(item["row"], item["sku"]) for item in body["rejected"]] == [(3, "MUG-1")]
    assert "invalid amount 'abc'" in body["rejected"][0]["errors"][0]
    assert body["warnings"][0]["sku"] == "CUP-1 "
    assert await _skus(catalog) == ["CUP-1 ", "TEE", "TEE-M"]
    variant = (await catalog.client.get("/v1/products/TEE-M", headers=catalog.headers)).json()
    assert variant["attributes"] == {"color": "red"}
    assert variant["images"] == ["https://img.example.com/m.jpg", "https://img.example.com/m2.jpg"]
    assert variant["price"] == "19.90"
    await catalog.harness.wait_for_event("product.upserted", lambda e: e.payload.sku == "TEE-M")


async def test_bulk_json_rejects_rows_individually(catalog):
    products = [
        {"sku": "A-1", "title": "First"},
        {"sku": "A-1", "title": "First again"},
        {"sku": "B-1", "product_type": "variant", "parent_sku": "MISSING"},
        "not an object",
        {"sku": "C-1", "title": "Third", "colour": "red"},
        {"sku": "D-1", "title": "Fourth", "price": 12.5, "currency": "EUR"},
    ]

    response = await catalog.client.post("/v1/products/bulk", json={"products": products}, headers=catalog.headers)

    body = response.json()
    rejected = {item["row"]: item["errors"] for item in body["rejected"]}
    assert body["applied"] == 2
    assert sorted(rejected) == [2, 3, 4, 5]
    assert "already appears in row 1" in rejected[2][0]
    assert "'MISSING' of variant 'B-1' not found" in rejected[3][0]
    assert "not a JSON object" in rejected[4][0]
    assert "colour" in rejected[5][0]
    assert await _skus(catalog) == ["A-1", "D-1"]


async def test_bulk_dry_run_saves_nothing(catalog):
    response = await catalog.client.post(
        "/v1/products/bulk", params={"dry_run": "true"}, json=[{"sku": "DRY-1"}], headers=catalog.headers
    )

    assert response.json()["applied"] == 1
    assert response.json()["dry_run"] is True
    assert await _skus(catalog) == []


async def test_bulk_unreadable_file_rejected_whole(catalog):
    unknown_column = await catalog.client.post(
        "/v1/products/bulk", content=b"sku,colour\nA,red\n", headers={**catalog.headers, "Content-Type": "text/csv"}
    )
    wrong_type = await catalog.client.post(
        "/v1/products/bulk", content=b"sku\nA\n", headers={**catalog.headers, "Content-Type": "text/plain"}
    )

    assert unknown_column.status_code == 422
    assert "unknown columns ['colour']" in unknown_column.json()["detail"]
    assert wrong_type.status_code == 422
    assert "text/csv" in wrong_type.json()["detail"]
    assert await _skus(catalog) == []
