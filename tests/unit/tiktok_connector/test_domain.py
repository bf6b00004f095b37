"""Signing vectors, error typing, order mapping, inventory and settings rules of the TikTok connector."""

import json
from decimal import Decimal

import pytest
from crossdock_tiktok_connector.adapters import errors
from crossdock_tiktok_connector.adapters.client import follow_pages
from crossdock_tiktok_connector.domain.inventory import build_sku_update, clamp_quantity
from crossdock_tiktok_connector.domain.orders import aggregate_lines, canonical_order, map_status, should_apply
from crossdock_tiktok_connector.domain.settings import SettingsError, check_products_mode, choose_fulfillment_method
from crossdock_tiktok_connector.domain.signing import sign_request, verify_webhook, webhook_signature
from crossdock_tiktok_connector.service.fulfillment import choose_unit_lines
from crossdock_tiktok_connector.service.products import channel_products


def _vectors(shared_dir):
    return json.loads((shared_dir / "fixtures/tiktok/signing-vectors.json").read_text())


def test_sign_request_matches_every_vector(shared_dir):
    for vector in _vectors(shared_dir)["request_signing"]:
        sign = sign_request(
            app_secret=vector["app_secret"], path=vector["path"], query=vector["query"], body=vector["body"].encode()
        )
        assert sign == vector["expected"], vector["id"]


def test_sign_request_is_lowercase_hex():
    sign = sign_request(
        app_secret="s3cr3t",
        path="/order/202309/orders",
        query={"app_key": "ak1", "shop_cipher": "ROW_x", "timestamp": "1700000000"},
    )
    assert sign == sign.lower()
    assert len(sign) == 64


def test_sign_request_ignores_sign_and_access_token():
    query = {"app_key": "29a39d", "timestamp": "1623812664"}
    plain = sign_request(app_secret="e59af819cc", path="/authorization/202309/shops", query=query)
    extra = sign_request(
        app_secret="e59af819cc", path="/authorization/202309/shops", query={**query, "sign": "x", "access_token": "y"}
    )
    assert plain == extra


def test_sign_request_body_bytes_matter():
    query = {"app_key": "k", "timestamp": "1"}
    compact = sign_request(app_secret="s", path="/p", query=query, body=b'{"page_size":50}')
    spaced = sign_request(app_secret="s", path="/p", query=query, body=b'{"page_size": 50}')
    assert compact != spaced


def test_webhook_signature_matches_vector(shared_dir):
    for vector in _vectors(shared_dir)["webhook_signing"]:
        raw = vector["raw_body"].encode()
        assert (
            webhook_signature(app_key=vector["app_key"], app_secret=vector["app_secret"], raw_body=raw)
            == vector["expected_authorization_header"]
        )
        assert verify_webhook(
            app_key=vector["app_key"],
            app_secret=vector["app_secret"],
            raw_body=raw,
            authorization=vector["expected_authorization_header"],
        )
        assert not verify_webhook(
            app_key=vector["app_key"],
            app_secret=vector["app_secret"],
            raw_body=raw + b" ",
            authorization=vector["expected_authorization_header"],
        )


@pytest.mark.parametrize(
    ("code", "message", "kind", "retriable"),
    [
        (36009002, "Too many requests", errors.TikTokRateLimitedError, True),
        (105002, "access token expired", errors.AccessTokenExpiredError, False),
        (36004001, "rt has expired", errors.ReauthorizationRequiredError, False),
        (36004005, "can not find related auth record", errors.ReauthorizationRequiredError, False),
        (105005, "you should apply auth pkg for this api", errors.ScopeMissingError, False),
        (21008106, "This interface cannot be used in this region.", errors.RegionNotSupportedError, False),
        (
            36009004,
            "The timestamp must not exceed the current time by more than 30 seconds",
            errors.TimestampRejectedError,
            True,
        ),
        (36009004, "Invalid credentials: x-tts-access-token is invalid", errors.AccessTokenExpiredError, False),
        (36009004, "shop_cipher not required for this API; remove it", errors.ConfigurationError, False),
        (12052024, "some business error", errors.TikTokApiError, False),
    ],
)
def test_error_for_types_codes(code, message, kind, retriable):
    error = errors.error_for(code=code, message=message)
    assert type(error) is kind
    assert error.retriable is retriable


async def test_follow_pages_stops_on_empty_token():
    pages = {None: "t2", "t2": "t3", "t3": ""}
    seen = []

    async def fetch(token):
        seen.append(token)
        return {"orders": [], "next_page_token": pages[token]}

    async for _data, _next in follow_pages(fetch):
        pass
    assert seen == [None, "t2", "t3"]


async def test_follow_pages_aborts_on_repeated_token():
    async def fetch(token):
        return {"next_page_token": "same"}

    with pytest.raises(errors.PaginationLoopError):
        async for _data, _next in follow_pages(fetch):
            pass


def _order(**overrides):
    order = {
        "id": "5770000000000000001",
        "status": "AWAITING_SHIPMENT",
        "fulfillment_type": "FULFILLMENT_BY_SELLER",
        "shipping_type": "SELLER",
        "create_time": 1700000000,
        "update_time": 1700000600,
        "payment": {"currency": "USD", "total_amount": "59.70"},
        "recipient_address": {
            "name": "Zoë Ñandú",
            "address_line1": "1 Main St",
            "postal_code": "10001",
            "region_code": "US",
        },
        "line_items": [
            {
                "id": "L1",
                "sku_id": "S1",
                "seller_sku": "MUG-1",
                "sale_price": "19.90",
                "display_status": "AWAITING_SHIPMENT",
            },
            {
                "id": "L2",
                "sku_id": "S1",
                "seller_sku": "MUG-1",
                "sale_price": "19.90",
                "display_status": "AWAITING_SHIPMENT",
            },
            {
                "id": "L3",
                "sku_id": "S2",
                "seller_sku": "TEE-1",
                "sale_price": "19.90",
                "display_status": "AWAITING_SHIPMENT",
            },
        ],
    }
    order.update(overrides)
    return order


def test_aggregate_lines_sums_units_by_sku():
    lines = aggregate_lines(_order(), known_skus={"MUG-1"})
    assert [(line["line_id"], line["quantity"]) for line in lines] == [("S1", 2), ("S2", 1)]
    assert lines[0]["master_sku"] == "MUG-1"
    assert lines[1]["master_sku"] is None
    assert lines[0]["unit_price"] == Decimal("19.90")


def test_map_status_covers_pending_reasons():
    assert map_status(_order(status="UNPAID")) == ("pending", "awaiting_payment")
    assert map_status(_order(status="ON_HOLD")) == ("pending", "on_hold")
    assert map_status(_order(status="AWAITING_SHIPMENT")) == ("pending", None)
    assert map_status(_order(status="IN_TRANSIT")) == ("fulfilled", None)
    assert map_status(_order(status="CANCELLED")) == ("cancelled", None)


def test_canonical_order_fbt_is_channel_fulfilled():
    from crossdock_common.events.payloads.order import OrderPayload

    payload = canonical_order(_order(fulfillment_type="FULFILLMENT_BY_TIKTOK"), integration_id="tiktok-1")
    parsed = OrderPayload.model_validate(payload)
    assert parsed.fulfillment_type == "channel"
    assert parsed.status == "fulfilled"
    assert parsed.ship_to.name == "Zoë Ñandú"


def test_canonical_order_withholds_address_while_unpaid():
    payload = canonical_order(_order(status="UNPAID"), integration_id="tiktok-1")
    assert payload["ship_to"] is None


def test_should_apply_never_reopens_cancelled():
    cancelled = {"status": "CANCELLED", "update_time": 1000}
    ready = {"status": "AWAITING_SHIPMENT", "update_time": 1060}
    older = {"status": "AWAITING_SHIPMENT", "update_time": 940}
    assert should_apply(stored_status="CANCELLED", stored_update_time=1000, incoming=ready) is False
    assert should_apply(stored_status="CANCELLED", stored_update_time=1000, incoming=older) is False
    assert should_apply(stored_status="AWAITING_SHIPMENT", stored_update_time=1000, incoming=older) is False
    assert should_apply(stored_status="AWAITING_SHIPMENT", stored_update_time=940, incoming=cancelled) is True


def test_clamp_quantity_limits():
    assert clamp_quantity(0).quantity == 0
    assert clamp_quantity(99_999).adjusted_from is None
    assert clamp_quantity(150_000).quantity == 99_999
    assert clamp_quantity(150_000).adjusted_from == 150_000


def test_build_sku_update_lists_every_assigned_warehouse():
    entries = build_sku_update(sku_id="S1", assigned={"W1": 5, "W2": 7}, wanted={"W1": 0})
    assert entries == [{"warehouse_id": "W1", "quantity": 0}, {"warehouse_id": "W2", "quantity": 7}]


def test_check_products_mode_rejects_push_for_de():
    with pytest.raises(SettingsError) as raised:
        check_products_mode(mode="push", region="DE", catalog_source="other")
    assert "manage the catalog in TikTok Shop directly" in str(raised.value)
    check_products_mode(mode="push", region="GB", catalog_source="other")
    check_products_mode(mode="push", region="US", catalog_source=None)


def test_check_products_mode_rejects_push_for_tiktok_source():
    with pytest.raises(SettingsError):
        check_products_mode(mode="push", region="US", catalog_source="tiktok")


def test_choose_fulfillment_method_by_region():
    assert choose_fulfillment_method(setting="auto", region="US") == "mark_package_as_shipped"
    assert choose_fulfillment_method(setting="auto", region="MY") == "ship_package"
    assert choose_fulfillment_method(setting="ship_package", region="US") == "ship_package"


def test_choose_unit_lines_caps_partial_shipments():
    order = _order(
        line_items=[
            {
                "id": f"L{i}",
                "sku_id": "S1",
                "seller_sku": "MUG-1",
                "display_status": "AWAITING_SHIPMENT",
                "tracking_number": "T0" if i == 0 else "",
            }
            for i in range(3)
        ]
    )
    chosen, notes = choose_unit_lines(order, [{"line_id": "S1", "quantity": 2}])
    assert chosen == ["L1", "L2"]
    assert notes == []
    chosen, notes = choose_unit_lines(order, [{"line_id": "S1", "quantity": 3}])
    assert len(chosen) == 2
    assert notes


def test_channel_products_reports_empty_seller_sku():
    product = {
        "id": "P1",
        "title": "Tasse 🍃 Grün – 0,5 l",
        "status": "ACTIVATE",
        "skus": [
            {"id": "K1", "seller_sku": "MUG-1", "price": {"currency": "EUR", "sale_price": "9.90"}},
            {"id": "K2", "seller_sku": ""},
        ],
    }
    payloads, skipped = channel_products(product, "tiktok-1")
    assert [p["channel_sku"] for p in payloads] == ["MUG-1"]
    assert payloads[0]["title"] == "Tasse 🍃 Grün – 0,5 l"
    assert skipped[0]["sku_id"] == "K2"


@pytest.mark.parametrize(
    "spec",
    [
        "orders/get-order-detail.spec.json",
        "orders/get-order-list.spec.json",
        "products/search-products.spec.json",
        "products/get-product.spec.json",
    ],
)
def test_reference_payloads_parse(shared_dir, spec):
    from crossdock_common.events.payloads.order import OrderPayload
    from crossdock_common.events.payloads.product import ChannelProductPayload

    meta = json.loads((shared_dir / "fixtures/tiktok/api-reference" / spec).read_text())["document_api_meta"]
    body = meta["response_body"]
    data = (json.loads(body) if isinstance(body, str) else body)["data"]
    if "orders" in data:
        for order in data["orders"]:
            assert OrderPayload.model_validate(canonical_order(order, integration_id="tiktok-1")).external_id
    else:
        for product in data.get("products") or [data]:
            payloads, skipped = channel_products(product, "tiktok-1")
            assert payloads or skipped
            for payload in payloads:
                assert ChannelProductPayload.model_validate(payload).channel_sku
