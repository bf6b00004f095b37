"""Pure catalog rules: SKU comparison, catalog source, product and channel-option validation."""
