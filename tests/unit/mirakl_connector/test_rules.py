"""Pure rules of the push jobs: quantity clamping, shipped-quantity caps and GTIN types."""

import pytest
from crossdock_mirakl_connector.service_layer.fulfillments import cap_lines, remaining_quantities
from crossdock_mirakl_connector.service_layer.inventory import clamp_quantity
from crossdock_mirakl_connector.service_layer.product_push import gtin_type


@pytest.mark.parametrize(
    ("quantity", "maximum", "expected"), [(1500, 999, 999), (999, 999, 999), (-3, 999, 0), (7, None, 7)]
)
def test_clamp_quantity_cases(quantity, maximum, expected):
    assert clamp_quantity(quantity, maximum) == expected


def test_partial_shipment_leaves_remaining():
    remaining = remaining_quantities([{"line_id": "L1", "quantity": 3, "cancelled_quantity": 0}], {})

    first, notes = cap_lines([{"line_id": "L1", "quantity": 2}], remaining)
    left = remaining_quantities([{"line_id": "L1", "quantity": 3, "cancelled_quantity": 0}], first)
    second, second_notes = cap_lines([{"line_id": "L1", "quantity": 2}], left)

    assert first == {"L1": 2}
    assert notes == []
    assert left == {"L1": 1}
    assert second == {"L1": 1}
    assert second_notes == ["line L1: 2 reported, 1 left to ship"]


def test_cap_lines_skips_cancelled_and_unknown_lines():
    remaining = remaining_quantities(
        [{"line_id": "L1", "quantity": 2, "cancelled_quantity": 2}, {"line_id": "L2", "quantity": 1}], {}
    )

    send, notes = cap_lines([{"line_id": "L1", "quantity": 1}, {"line_id": "L9", "quantity": 1}], remaining)

    assert send == {}
    assert len(notes) == 2


@pytest.mark.parametrize(
    ("gtin", "expected"),
    [("4006381333931", "EAN"), ("012345678905", "UPC"), ("96385074", "EAN"), ("ABC123", None), ("12345", None)],
)
def test_gtin_type_for_product_import(gtin, expected):
    assert gtin_type(gtin) == expected
