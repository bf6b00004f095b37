"""HTTP API of order routing: orders, routing rules, HTTP-3PL integrations and the 3PL shipment intake."""
