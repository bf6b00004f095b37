"""Pure routing rules: release of orders, choice of locations, shipment quantities. No I/O here."""
