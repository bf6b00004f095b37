"""Inventory: locations and their 3PL links, stock levels, reservations and per-channel availability."""
