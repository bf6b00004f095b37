"""Product push rules: grouping masters into TikTok products and building Create/Edit Product bodies."""

import pytest
from crossdock_tiktok_connector.domain.product_push import (
    ProductDataError,
    build_product_body,
    group_sku,
    split_group,
)


def master(sku: str, **overrides) -> dict:
    product = {
        "sku": sku,
        "product_type": "simple",
        "parent_sku": None,
        "title": "Canvas tote",
        "description": "A sturdy tote",
        "price": "12.50",
        "currency": "USD",
        "images": ["https://images.example.test/tote.jpg"],
        "attributes": {"tiktok_category_id": "600001", "package_weight": "0.3"},
        "status": "active",
        "channel_options": [],
    }
    product.update(overrides)
    return product


def build(group: str, masters: list[dict], **options) -> dict:
    head, skus = split_group(group, masters, "tiktok-1")
    arguments = {"default_category_id": None, "warehouse_id": "wh-1", "sku_ids": {}, **options}
    return build_product_body(group=group, head=head, skus=skus, **arguments)


def test_group_sku_of_variant_is_parent():
    assert group_sku(master("TOTE-RED", product_type="variant", parent_sku="TOTE")) == "TOTE"
    assert group_sku(master("TOTE")) == "TOTE"


def test_build_body_simple_product_for_create():
    body = build("TOTE", [master("TOTE", gtin="012345678905")])

    assert body["title"] == "Canvas tote"
    assert body["category_id"] == "600001"
    assert body["main_images"] == [{"uri": "https://images.example.test/tote.jpg"}]
    assert body["package_weight"] == {"value": "0.3", "unit": "KILOGRAM"}
    assert len(body["skus"]) == 1
    sku = body["skus"][0]
    assert sku["seller_sku"] == "TOTE"
    assert sku["price"] == {"amount": "12.50", "currency": "USD"}
    assert sku["inventory"] == [{"warehouse_id": "wh-1", "quantity": 0}]
    assert sku["identifier_code"] == {"code": "012345678905", "type": "UPC"}
    assert "sales_attributes" not in sku
    assert "id" not in sku


def test_build_body_edit_keeps_sku_ids_and_stock():
    body = build("TOTE", [master("TOTE")], sku_ids={"TOTE": "1729000000000000001"})

    sku = body["skus"][0]
    assert sku["id"] == "1729000000000000001"
    assert "inventory" not in sku
    assert "identifier_code" not in sku


def test_build_body_parent_variants_one_product():
    parent = master("TOTE", product_type="parent", price=None, currency=None)
    red = master("TOTE-RED", product_type="variant", parent_sku="TOTE", attributes={"Color": "Red"}, images=[])
    blue = master("TOTE-BLUE", product_type="variant", parent_sku="TOTE", attributes={"Color": "Blue"}, images=[])
    deleted = master(
        "TOTE-OLD", product_type="variant", parent_sku="TOTE", attributes={"Color": "Old"}, status="deleted"
    )

    body = build("TOTE", [parent, red, blue, deleted])

    assert [sku["seller_sku"] for sku in body["skus"]] == ["TOTE-BLUE", "TOTE-RED"]
    assert body["skus"][1]["sales_attributes"] == [{"name": "Color", "value_name": "Red"}]
    assert body["category_id"] == "600001"


def test_build_body_variant_without_attributes_rejected():
    parent = master("TOTE", product_type="parent")
    red = master("TOTE-RED", product_type="variant", parent_sku="TOTE", attributes={})
    blue = master("TOTE-BLUE", product_type="variant", parent_sku="TOTE", attributes={"Color": "Blue"})

    with pytest.raises(ProductDataError) as caught:
        build("TOTE", [parent, red, blue])

    assert "variant 'TOTE-RED' has no attributes" in str(caught.value)


def test_build_body_missing_fields_all_named():
    product = master("TOTE", title="", description=None, price=None, images=[], attributes={})

    with pytest.raises(ProductDataError) as caught:
        build("TOTE", [product])

    message = str(caught.value)
    assert message.startswith("product 'TOTE' cannot be pushed to TikTok: ")
    for expected in (
        "title is missing",
        "description is missing",
        "category is missing",
        "images are missing",
        "package weight is missing",
        "price of SKU 'TOTE' is missing",
    ):
        assert expected in message


def test_build_body_default_category_used():
    product = master("TOTE", attributes={"package_weight": "0.3"})

    assert build("TOTE", [product], default_category_id="700002")["category_id"] == "700002"


def test_build_body_invalid_seller_sku_rejected():
    with pytest.raises(ProductDataError) as caught:
        build("TOTE RED", [master("TOTE RED")])

    assert "not a valid TikTok seller_sku" in str(caught.value)


def test_build_body_parent_not_received_rejected():
    red = master("TOTE-RED", product_type="variant", parent_sku="TOTE", attributes={"Color": "Red"})

    with pytest.raises(ProductDataError) as caught:
        build("TOTE", [red])

    assert "parent product 'TOTE' has not been received" in str(caught.value)


def test_build_body_sync_off_leaves_sku_out():
    parent = master("TOTE", product_type="parent")
    red = master("TOTE-RED", product_type="variant", parent_sku="TOTE", attributes={"Color": "Red"})
    blue = master(
        "TOTE-BLUE",
        product_type="variant",
        parent_sku="TOTE",
        attributes={"Color": "Blue"},
        channel_options=[{"integration_id": "tiktok-1", "sync_to_channel": False}],
    )

    body = build("TOTE", [parent, red, blue])

    assert [sku["seller_sku"] for sku in body["skus"]] == ["TOTE-RED"]


def test_build_body_invalid_weight_unit_rejected():
    product = master("TOTE", attributes={"tiktok_category_id": "1", "package_weight": "2", "package_weight_unit": "lb"})

    with pytest.raises(ProductDataError) as caught:
        build("TOTE", [product])

    assert "package_weight_unit 'lb' is invalid: use KILOGRAM or POUND" in str(caught.value)
