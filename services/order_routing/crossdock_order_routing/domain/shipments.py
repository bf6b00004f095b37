"""Checks of a 3PL shipment against what is left to ship of its shipping request."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ShipmentLineProblem:
    """One reported line that cannot be applied, with its index in the shipment body."""

    index: int
    line_id: str
    detail: str


def check_shipment_lines(
    reported: Sequence[tuple[str, int]], remaining: Mapping[str, int]
) -> list[ShipmentLineProblem]:
    """Return the problems of `reported` (line id, units) given the units left per line of the request.

    A line reported twice in one shipment counts with its total.
    """
    problems: list[ShipmentLineProblem] = []
    totals: dict[str, int] = {}
    for index, (line_id, quantity) in enumerate(reported):
        if line_id not in remaining:
            problems.append(
                ShipmentLineProblem(index, line_id, f"line {line_id!r} is not part of this shipping request")
            )
            continue
        totals[line_id] = totals.get(line_id, 0) + quantity
        if totals[line_id] > remaining[line_id]:
            problems.append(
                ShipmentLineProblem(
                    index,
                    line_id,
                    f"{totals[line_id]} units reported, {remaining[line_id]} left to ship",
                )
            )
    return problems


def fulfillment_status(open_quantities: Mapping[str, int], shipped_quantities: Mapping[str, int]) -> str | None:
    """Return `fulfilled`, `partially_fulfilled`, or None when nothing shipped yet.

    `open_quantities` are the ordered units minus cancelled units, per line.
    """
    shipped_any = any(quantity > 0 for quantity in shipped_quantities.values())
    if not shipped_any:
        return None
    complete = all(shipped_quantities.get(line_id, 0) >= quantity for line_id, quantity in open_quantities.items())
    return "fulfilled" if complete else "partially_fulfilled"
