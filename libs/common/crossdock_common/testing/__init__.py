"""Test support: locating real Kafka and PostgreSQL servers, and the pytest fixtures built on it."""
