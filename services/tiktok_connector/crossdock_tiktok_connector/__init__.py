"""TikTok Shop connector: OAuth, orders, products, inventory per warehouse, fulfillments and webhooks."""
