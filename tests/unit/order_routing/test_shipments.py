"""Shipment quantity checks and the resulting fulfilment status."""

from crossdock_order_routing.domain.shipments import check_shipment_lines, fulfillment_status


def test_check_shipment_lines_accepts_partial_quantity():
    assert check_shipment_lines([("L1", 2)], {"L1": 3}) == []


def test_check_shipment_lines_rejects_excess():
    problems = check_shipment_lines([("L1", 2), ("L9", 1), ("L1", 2)], {"L1": 3})

    assert [(p.index, p.line_id, p.detail) for p in problems] == [
        (1, "L9", "line 'L9' is not part of this shipping request"),
        (2, "L1", "4 units reported, 3 left to ship"),
    ]


def test_fulfillment_status_partial_then_full():
    assert fulfillment_status({"L1": 3}, {"L1": 0}) is None
    assert fulfillment_status({"L1": 3, "L2": 1}, {"L1": 2, "L2": 1}) == "partially_fulfilled"
    assert fulfillment_status({"L1": 3, "L2": 1}, {"L1": 3, "L2": 1}) == "fulfilled"
