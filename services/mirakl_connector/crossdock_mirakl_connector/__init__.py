"""Mirakl seller-account connector: orders, acceptance, inventory, fulfillments, products and locations."""
