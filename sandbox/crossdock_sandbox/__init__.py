"""Sandbox servers that stand in for the Mirakl seller API, the TikTok Shop API and an HTTP 3PL."""
