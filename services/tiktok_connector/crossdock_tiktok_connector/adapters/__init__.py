"""The TikTok Shop API client and the Postgres repository."""
