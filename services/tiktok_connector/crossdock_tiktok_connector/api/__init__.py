"""HTTP routes of the connector."""
