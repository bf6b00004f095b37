"""Postgres access of the catalog service."""
