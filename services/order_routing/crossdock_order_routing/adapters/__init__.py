"""Outbound HTTP to 3PLs."""
