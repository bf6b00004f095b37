"""Use cases: OAuth, order and product sync, inventory and fulfillment pushes, webhooks, commands."""
