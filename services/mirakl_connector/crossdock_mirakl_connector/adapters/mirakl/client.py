"""Transport of the Mirakl seller API: base URL, raw-key authentication, JSON decoding and error mapping.

The shop API key goes raw in the `Authorization` header (no `Bearer`), as the
Mirakl seller OpenAPI's `shop_api_key` scheme defines. Every request carries
`shop_id` when the integration has one, which is harmless for single-shop keys.
"""

import json
import logging
from decimal import Decimal
from typing import Any

import httpx
from crossdock_common.http import MarketplaceHttpClient, RateLimitedError, ServerError
from crossdock_common.http.errors import parse_retry_after

from crossdock_mirakl_connector.adapters.mirakl.errors import (
    AuthenticationError,
    ForbiddenError,
    MiraklApiError,
    NotFoundError,
    UnexpectedResponseError,
)

logger = logging.getLogger(__name__)


def normalize_base_url(url: str) -> str:
    """Return the instance base URL without a trailing slash or `/api` (paths below add `/api/...`)."""
    base = url.strip().rstrip("/")
    if base.endswith("/api"):
        base = base[: -len("/api")]
    return base


def _error_message(response: httpx.Response) -> tuple[str, str | None]:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500], None
    if isinstance(body, dict):
        return str(body.get("message") or body)[:500], body.get("code") if isinstance(body.get("code"), str) else None
    return str(body)[:500], None


def check_mirakl_response(response: httpx.Response) -> Exception | None:
    """Map a Mirakl response to an error, or None on success."""
    status = response.status_code
    where = f"{response.request.method} {response.request.url.path}"
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        try:
            # Retry-After contains whole seconds, so a finer value in the body is preferred.
            precise = response.json().get("retry_after_seconds")
            if isinstance(precise, int | float) and precise >= 0:
                retry_after = float(precise)
        except (ValueError, AttributeError):
            pass
        return RateLimitedError(f"rate limited (429) on {where}", retry_after=retry_after, body=response.text[:2000])
    if status >= 500:
        return ServerError(f"{status} on {where}", status_code=status, body=response.text[:2000])
    if status < 400:
        return None
    message, code = _error_message(response)
    error_class = {401: AuthenticationError, 403: ForbiddenError, 404: NotFoundError}.get(status, MiraklApiError)
    return error_class(
        f"{status} on {where}: {message}", status_code=status, body=response.text[:2000], mirakl_code=code
    )


def decode(response: httpx.Response) -> Any:
    """Decode a JSON body with amounts as `Decimal`, never as binary floats."""
    if not response.content:
        return None
    return json.loads(response.text, parse_float=Decimal)


def require_list(body: Any, field: str, operation: str) -> tuple[list[Any], int]:
    """Return `body[field]` and `total_count` of a list response, raising when either is missing.

    A 200 whose body is an error object or carries `null` must never read as an empty page.
    """
    items = body.get(field) if isinstance(body, dict) else None
    total = body.get("total_count") if isinstance(body, dict) else None
    if not isinstance(items, list) or not isinstance(total, int):
        excerpt = str(body)[:300]
        raise UnexpectedResponseError(
            f"{operation} returned 200 without the '{field}' list and 'total_count'; the next poll retries: {excerpt}",
            body=excerpt,
        )
    return items, total


class MiraklClient:
    """Calls of one integration to its Mirakl instance."""

    def __init__(
        self,
        *,
        url: str,
        api_key: str,
        integration_id: str,
        shop_id: int | None = None,
        timeout: float = 30.0,
        max_attempts: int = 5,
        max_rate_limit_waits: int = 20,
        backoff_initial: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = normalize_base_url(url)
        self.shop_id = shop_id
        self.integration_id = integration_id
        self._http = MarketplaceHttpClient(
            base_url=self.base_url,
            integration_id=integration_id,
            timeout=timeout,
            max_attempts=max_attempts,
            max_rate_limit_waits=max_rate_limit_waits,
            backoff_initial=backoff_initial,
            headers={"Authorization": api_key, "Accept": "application/json", "User-Agent": "crossdock-mirakl"},
            check=check_mirakl_response,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "MiraklClient":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    def _params(self, params: dict[str, Any] | None) -> dict[str, Any]:
        merged = {key: value for key, value in (params or {}).items() if value is not None}
        if self.shop_id is not None:
            merged["shop_id"] = self.shop_id
        return merged

    async def call(self, method: str, path: str, *, params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Send one request to `/api{path}` and return the decoded JSON (None for 204)."""
        response = await self._http.request(method, f"/api{path}", params=self._params(params), **kwargs)
        return decode(response)

    async def call_text(self, method: str, path: str, *, params: dict[str, Any] | None = None) -> str:
        """Send one request and return the body as text (CSV error reports)."""
        response = await self._http.request(method, f"/api{path}", params=self._params(params))
        return response.text
