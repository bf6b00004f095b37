"""Order routing: canonical orders, routing rules, stalled orders, 3PL dispatch and fulfillments."""
