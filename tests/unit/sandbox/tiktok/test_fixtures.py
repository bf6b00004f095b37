"""The public API reference samples: sample requests are accepted and responses keep the sample's shape.

Each case sends the sample request body byte for byte to the reference shop, whose ids
the samples use. It then compares the response with the sample response, and every key
of the sample must appear except the fields listed as not modelled.
"""

import json

import pytest

REFERENCE_ORDER = "576461413038785752"
REFERENCE_PRODUCT = "1729592969712207008"

# (fixture, method, path, query); "{package}" is the package of the reference order.
CASES = [
    ("authorization/get-authorized-shops", "GET", "/authorization/202309/shops", None),
    ("seller/get-active-shops", "GET", "/seller/202309/shops", None),
    ("seller/get-seller-permissions", "GET", "/seller/202309/permissions", None),
    ("logistics/get-warehouse-list", "GET", "/logistics/202309/warehouses", {}),
    (
        "logistics/get-warehouse-delivery-options",
        "GET",
        "/logistics/202309/warehouses/7068517275539719942/delivery_options",
        {},
    ),
    (
        "logistics/get-shipping-providers",
        "GET",
        "/logistics/202309/delivery_options/7091146663229654785/shipping_providers",
        {},
    ),
    ("products/search-products", "POST", "/product/202502/products/search", {"page_size": "10"}),
    ("products/get-product", "GET", f"/product/202309/products/{REFERENCE_PRODUCT}", {}),
    ("products/create-product", "POST", "/product/202309/products", {}),
    ("products/edit-product", "PUT", f"/product/202509/products/{REFERENCE_PRODUCT}", {}),
    ("products/update-inventory", "POST", f"/product/202309/products/{REFERENCE_PRODUCT}/inventory/update", {}),
    ("products/update-price", "POST", f"/product/202309/products/{REFERENCE_PRODUCT}/prices/update", {}),
    ("products/inventory-search", "POST", "/product/202309/inventory/search", {}),
    ("orders/get-order-list", "POST", "/order/202309/orders/search", {"page_size": "20"}),
    ("orders/get-order-detail", "GET", "/order/202507/orders", {"ids": REFERENCE_ORDER}),
    ("fulfillment/get-package-detail", "GET", "/fulfillment/202309/packages/{package}", {}),
    ("fulfillment/search-package", "POST", "/fulfillment/202309/packages/search", {"page_size": "10"}),
    ("fulfillment/create-packages", "POST", "/fulfillment/202309/packages", {}),
    ("fulfillment/ship-package", "POST", "/fulfillment/202309/packages/{package}/ship", {}),
    ("fulfillment/batch-ship-packages", "POST", "/fulfillment/202309/packages/ship", {}),
    ("fulfillment/mark-package-as-shipped", "POST", "/fulfillment/202309/orders/32131324123321/packages", {}),
    ("fulfillment/split-orders", "POST", "/fulfillment/202309/orders/576462377512830220/split", {}),
    (
        "fulfillment/get-order-split-attributes",
        "GET",
        "/fulfillment/202309/orders/split_attributes",
        {"order_ids": "32131324123321"},
    ),
    ("event/update-shop-webhook", "PUT", "/event/202309/webhooks", {}),
    ("event/get-shop-webhooks", "GET", "/event/202309/webhooks", {}),
    ("event/delete-shop-webhook", "DELETE", "/event/202309/webhooks", {}),
]

# Sample fields the sandbox does not model (other markets, promotions, compliance programmes).
NOT_MODELLED = {
    "address.first_name_local_script",
    "address.last_name_local_script",
    "payment.small_order_fee",
    "payment.retail_delivery_fee",
    "payment.buyer_service_fee",
    "payment.handling_fee",
    "payment.shipping_insurance_fee",
    "payment.item_insurance_fee",
    "payment.item_insurance_tax",
    "recipient_address.first_name_local_script",
    "recipient_address.last_name_local_script",
    "cpf",
    "cpf_name",
    "release_date",
    "handling_duration",
    "auto_combine_group_id",
    "consultation_id",
    "fast_delivery_program",
    "fulfillment_priority_level",
    "recommended_shipping_time",
    "pick_up_cut_off_time",
    "fast_dispatch_sla_time",
    "payment_card_type",
    "channel_entity_national_registry_id",
    "payment_method_code",
    "payment_auth_code",
    "pfand_fee",
    "retail_delivery_fee",
    "buyer_service_fee",
    "small_order_fee",
    "handling_duration_days",
    "gift_retail_price",
    "list_price",
    "external_list_prices",
    "pre_sale",
    "fees",
    "product_sync_fail_reasons",
    "recommended_categories",
    "listing_quality_tier",
    "integrated_platform_statuses",
    "product_families",
    "audit.pre_approved_reasons",
    "status_info.deactivation_source",
    "total_available_inventory_distribution",
    "inventory.backorder_quantity",
    "inventory.handling_time",
    "insurance",
    "shipping_service_info",
    "video",
    "certifications",
    "size_chart",
    "delivery_options",
    "product_types",
    "global_product_association",
    "prescription_requirement",
    "subscribe_info",
    "primary_combined_product_id",
    "is_replicated",
    "shipping_template_id",
    "manufacturer_ids",
    "responsible_person_ids",
    "shipping_insurance_requirement",
    "minimum_order_quantity",
    "is_pre_owned",
    "audit_failed_reasons",
    "combined_skus",
    "global_listing_policy",
    "sku_unit_count",
    "external_urls",
    "extra_identifier_codes",
    "product_main_image",
    "categories",
    "combined_listing_not_live_reasons",
    "price.unit_price",
    "main_images.height",
    "main_images.width",
    "main_images.thumb_urls",
    "main_images.urls",
    "sales_attributes.sku_img",
    "sales_attributes.supplementary_sku_images",
    "category_chains.local_name",
    "warnings",
    "audit",
    "product_attributes.name",
    "must_split_reasons",
    "dimension_limit",
    "weight_limit",
}


def _spec(shared_dir, name):
    return json.loads((shared_dir / f"fixtures/tiktok/api-reference/{name}.spec.json").read_text())["document_api_meta"]


def _missing(sample, actual, path=""):
    """List key paths present in the sample but absent from the actual value."""
    missing = []
    if isinstance(sample, dict) and isinstance(actual, dict):
        for key, value in sample.items():
            dotted = f"{path}.{key}" if path else key
            short = ".".join(dotted.split(".")[-2:])
            if key in NOT_MODELLED or short in NOT_MODELLED:
                continue
            if key not in actual:
                missing.append(dotted)
            else:
                missing += _missing(value, actual[key], dotted)
    elif isinstance(sample, list) and isinstance(actual, list) and sample and actual:
        missing += _missing(sample[0], actual[0], path)
    return missing


@pytest.mark.parametrize(("fixture", "method", "path", "query"), CASES, ids=[case[0] for case in CASES])
async def test_fixture_sample_accepted_and_served(reference_api, runtime, shared_dir, fixture, method, path, query):
    spec = _spec(shared_dir, fixture)
    package_id = runtime.store.orders[REFERENCE_ORDER].line_items[0].package_id
    path = path.replace("{package}", package_id)
    body = spec["request_body"].encode() if spec["request_body"] else None
    if fixture == "fulfillment/batch-ship-packages":
        body = body.replace(b"12321312312431", package_id.encode())
    if fixture == "orders/get-order-list":
        body = b"{}"
    if fixture in ("event/get-shop-webhooks", "event/delete-shop-webhook"):
        await reference_api.call(
            "PUT",
            "/event/202309/webhooks",
            body={"address": "https://partner.tiktokshop.com", "event_type": "ORDER_STATUS_CHANGE"},
        )

    response = await reference_api.call(
        method, path, query=query, body=body, cipher=None if query is None else "default"
    )

    answer = response.json()
    sample = json.loads(spec["response_body"])
    assert response.status_code == 200, answer
    assert answer["code"] == 0, answer
    if fixture != "fulfillment/batch-ship-packages":
        assert _missing(sample["data"], answer["data"]) == []


async def test_fixture_order_list_filters_accepted(reference_api, shared_dir):
    """The sample search body (every filter at once) is valid even though it matches nothing here."""
    spec = _spec(shared_dir, "orders/get-order-list")

    response = await reference_api.call(
        "POST", "/order/202309/orders/search", query={"page_size": "20"}, body=spec["request_body"].encode()
    )

    assert response.json()["code"] == 0
    assert response.json()["data"]["next_page_token"] == ""


async def test_fixture_update_shipping_info_accepted(reference_api, shared_dir):
    spec = _spec(shared_dir, "fulfillment/update-shipping-info")
    await reference_api.call(
        "POST",
        f"/fulfillment/202309/orders/{REFERENCE_ORDER}/packages",
        body={"tracking_number": "FIRST1", "shipping_provider_id": "6617675021119438849"},
    )

    response = await reference_api.call(
        "POST", f"/fulfillment/202309/orders/{REFERENCE_ORDER}/shipping_info/update", body=spec["request_body"].encode()
    )

    assert response.json()["code"] == 0


async def test_fixture_cancel_order_sample_accepted(reference_api):
    """Send the request sample of TikTok's Cancel Order reference page."""
    body = b'{"order_id":"577087614418520388","skus":[{"sku_id":"1729386416015578024","quantity":1}],"order_line_item_ids":["577087614418716996"],"cancel_reason":"ecom_order_delivered_refund_and_return_reason_wrong_product_seller"}'

    response = await reference_api.call("POST", "/return_refund/202309/cancellations", body=body)

    assert response.json()["code"] == 0
    assert set(response.json()["data"]) == {"cancel_id", "cancel_status"}
