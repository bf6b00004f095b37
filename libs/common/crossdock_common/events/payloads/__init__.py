"""Canonical payload models, one module per entity."""
