"""Sub-commands of `crossdock`, one module per area of the hub."""
