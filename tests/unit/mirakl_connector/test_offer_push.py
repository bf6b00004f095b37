"""Offers push: OF24 lines, stock quantity choice, invalid masters and exact amounts in the JSON body."""

import json
from decimal import Decimal

import pytest
from crossdock_common.events.payloads.product import ChannelOptions, ProductPayload
from crossdock_mirakl_connector.adapters.mirakl.offers import offers_json
from crossdock_mirakl_connector.service_layer.offer_push import offer_fields, offer_line, offer_problem, stock_quantity


def offer_row(**changes) -> dict:
    row = {
        "master_sku": "LAMP-1",
        "channel_sku": "MK-LAMP-1",
        "action": "offer",
        "product_id": "4006381333931",
        "product_id_type": "EAN",
        "price": Decimal("19.90"),
        "currency": "EUR",
        "description": "Desk lamp",
    }
    row.update(changes)
    return row


def test_offer_line_carries_every_managed_field():
    line = offer_line(offer_row(), 7, "11")

    assert line == {
        "shop_sku": "MK-LAMP-1",
        "product_id": "4006381333931",
        "product_id_type": "EAN",
        "price": Decimal("19.90"),
        "state_code": "11",
        "quantity": 7,
        "description": "Desk lamp",
        "update_delete": "update",
    }


def test_offer_line_delete_keeps_fields():
    line = offer_line(offer_row(action="delete", description=None), 0, "11")

    assert line["update_delete"] == "delete"
    assert line["product_id"] == "4006381333931"
    assert line["description"] == ""


def test_offer_fields_use_channel_sku():
    product = ProductPayload(
        sku="LAMP-1",
        gtin="012345678905",
        price="19.90",
        currency="EUR",
        channel_options=[ChannelOptions(integration_id="int-1", channel_sku="MK-LAMP-1")],
    )

    fields = offer_fields(product, product.channel_options[0])
    without_option = offer_fields(product, None)

    assert fields["channel_sku"] == "MK-LAMP-1"
    assert fields["product_id_type"] == "UPC"
    assert fields["price"] == "19.90"
    assert without_option["channel_sku"] == "LAMP-1"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([], 0),
        ([{"warehouse_code": "", "quantity": 5}, {"warehouse_code": "WH-PARIS", "quantity": 3}], 5),
        ([{"warehouse_code": "WH-PARIS", "quantity": 3}, {"warehouse_code": "WH-LYON", "quantity": 4}], 7),
    ],
)
def test_stock_quantity_prefers_global_line(lines, expected):
    assert stock_quantity(lines) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"product_id": None, "product_id_type": None}, "GTIN None of 'LAMP-1' is missing"),
        ({"price": None}, "'LAMP-1' has no price"),
        ({"price": Decimal("0")}, "price 0 of 'LAMP-1' is not positive"),
        ({"currency": "USD"}, "price of 'LAMP-1' is in USD but the Mirakl shop sells in EUR"),
    ],
)
def test_offer_problem_names_value(changes, expected):
    problem = offer_problem(offer_row(**changes), "EUR")

    assert problem is not None
    assert expected in problem


def test_offer_problem_none_for_valid_master():
    assert offer_problem(offer_row(), "EUR") is None


def test_offers_json_writes_exact_numbers():
    text = offers_json({"offers": [{"price": Decimal("19.90"), "quantity": 7, "shop_sku": 'A"B'}]})

    assert text == '{"offers":[{"price":19.90,"quantity":7,"shop_sku":"A\\"B"}]}'
    assert json.loads(text, parse_float=Decimal)["offers"][0]["price"] == Decimal("19.90")


def test_offers_json_rejects_nan():
    with pytest.raises(ValueError, match="not a finite number"):
        offers_json({"price": Decimal("NaN")})
