"""Routers of the sandbox: one per TikTok API area, plus OAuth and the admin API."""
