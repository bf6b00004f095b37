"""Mirakl seller API client, one module per API area (account, orders, offers and stock, products, shipments)."""
