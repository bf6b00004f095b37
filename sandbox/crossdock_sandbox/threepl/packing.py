"""Split the units of a shipping request into packages."""

from crossdock_sandbox.threepl.models import ShipmentLine


def split_into_packages(quantities: dict[str, int], packages: int) -> list[list[ShipmentLine]]:
    """Spread each line's units over `packages` packages as evenly as possible.

    Earlier packages take the odd units, so a line of 3 units in 2 packages
    ships 2 then 1: the first package is a partial shipment of that line.
    Empty packages are dropped, so fewer packages come back when there are
    fewer units than packages. Lines keep their order inside each package.
    """
    if packages < 1:
        raise ValueError(f"packages={packages} is invalid; use 1 or more")

    contents: list[list[ShipmentLine]] = [[] for _ in range(packages)]
    for line_id, quantity in quantities.items():
        base, extra = divmod(quantity, packages)
        for index in range(packages):
            units = base + (1 if index < extra else 0)
            if units > 0:
                contents[index].append(ShipmentLine(line_id=line_id, quantity=units))

    return [package for package in contents if package]


def limit_to_remaining(package: list[ShipmentLine], remaining: dict[str, int]) -> list[ShipmentLine]:
    """Cut a planned package down to the units still left, since a manual shipment may have taken some."""
    limited = []
    for line in package:
        units = min(line.quantity, remaining.get(line.line_id, 0))
        if units > 0:
            limited.append(ShipmentLine(line_id=line.line_id, quantity=units))
    return limited
