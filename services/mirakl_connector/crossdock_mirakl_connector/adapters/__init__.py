"""Adapters: the Mirakl seller API client and the connector's Postgres queries."""
