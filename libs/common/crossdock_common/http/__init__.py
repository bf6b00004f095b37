"""Outbound HTTP for marketplace and 3PL clients: retries, Retry-After, rate limits, redaction."""

from crossdock_common.http.client import MarketplaceHttpClient
from crossdock_common.http.errors import (
    ClientError,
    HttpStatusError,
    NetworkError,
    RateLimitedError,
    RetriesExhaustedError,
    ServerError,
)

__all__ = [
    "ClientError",
    "HttpStatusError",
    "MarketplaceHttpClient",
    "NetworkError",
    "RateLimitedError",
    "RetriesExhaustedError",
    "ServerError",
]
