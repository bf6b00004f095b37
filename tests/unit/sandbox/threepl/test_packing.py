"""Splitting request lines into packages."""

import pytest
from crossdock_sandbox.threepl.models import ShipmentLine
from crossdock_sandbox.threepl.packing import limit_to_remaining, split_into_packages


def as_tuples(packages):
    return [[(line.line_id, line.quantity) for line in package] for package in packages]


def test_split_one_package_keeps_everything():
    assert as_tuples(split_into_packages({"L1": 3, "L2": 1}, 1)) == [[("L1", 3), ("L2", 1)]]


def test_split_odd_units_go_first():
    assert as_tuples(split_into_packages({"L1": 3}, 2)) == [[("L1", 2)], [("L1", 1)]]


def test_split_drops_empty_packages():
    assert as_tuples(split_into_packages({"L1": 1}, 4)) == [[("L1", 1)]]


@pytest.mark.parametrize("packages", [1, 2, 3, 5, 8])
def test_split_sums_to_request(packages):
    quantities = {"L1": 7, "L2": 2, "L3": 1}

    result = split_into_packages(quantities, packages)

    totals = {}
    for package in result:
        for line in package:
            totals[line.line_id] = totals.get(line.line_id, 0) + line.quantity
    assert totals == quantities
    assert len(result) <= packages


def test_split_zero_packages_is_error():
    with pytest.raises(ValueError, match="packages=0"):
        split_into_packages({"L1": 1}, 0)


def test_limit_to_remaining_cuts_and_drops():
    package = [ShipmentLine(line_id="L1", quantity=2), ShipmentLine(line_id="L2", quantity=1)]

    assert as_tuples([limit_to_remaining(package, {"L1": 1, "L2": 0})]) == [[("L1", 1)]]
