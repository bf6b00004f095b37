"""A signed TikTok Shop Open API client that works against the real API or the sandbox by configuration.

Every call serializes its JSON body once, signs those bytes and sends the same
bytes. The timestamp (integer seconds) and the sign are made again for every
attempt, so a retry after a wait never carries a stale timestamp. An expired
access token is refreshed once per call and the call is retried; a refresh that
fails with a re-authorization error ends the call.
"""

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import httpx
from crossdock_common.http import ClientError, MarketplaceHttpClient
from crossdock_common.http.client import default_check
from crossdock_common.http.errors import parse_retry_after

from crossdock_tiktok_connector.adapters.errors import AccessTokenExpiredError, PaginationLoopError, error_for
from crossdock_tiktok_connector.domain.signing import sign_request

logger = logging.getLogger(__name__)

# Get Order Detail accepts at most 50 order ids per call.
ORDER_DETAIL_MAX_IDS = 50
PAGE_SIZE = 50

# Paths under these prefixes are not shop-scoped: sending shop_cipher there is an error.
_UNSCOPED_PREFIXES = ("/authorization/", "/seller/")


class TokenSource(Protocol):
    """Source of the shop's access token for the client, with a way to force a refresh."""

    async def access_token(self) -> str: ...

    async def refresh(self) -> str: ...


def check_envelope(response: httpx.Response) -> ClientError | None:
    """Map a response to a typed error: a non-zero `code` is an error even under HTTP 200."""
    try:
        envelope = response.json()
    except ValueError:
        return default_check(response)
    if not isinstance(envelope, dict) or "code" not in envelope:
        return default_check(response)
    code = envelope.get("code")
    if code == 0:
        return default_check(response)
    return error_for(
        code=int(code),
        message=str(envelope.get("message") or ""),
        request_id=envelope.get("request_id"),
        status_code=response.status_code,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
    )


class TikTokClient:
    """Calls one shop's Open API and the auth host with the app's key and secret."""

    def __init__(
        self,
        *,
        api_base_url: str,
        auth_base_url: str,
        app_key: str,
        app_secret: str,
        integration_id: str,
        tokens: TokenSource | None = None,
        shop_cipher: str | None = None,
        timeout: float = 20.0,
        max_attempts: int = 4,
        backoff_initial: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        if not app_key or not app_secret:
            raise ValueError("TikTok app key and secret are required; set CROSSDOCK_TIKTOK_APP_KEY and _APP_SECRET")
        self.app_key = app_key
        self._app_secret = app_secret
        self.shop_cipher = shop_cipher
        self.tokens = tokens
        self._clock = clock
        options: dict[str, Any] = {"sleep": sleep} if sleep else {}
        self._api = MarketplaceHttpClient(
            base_url=api_base_url.rstrip("/"),
            integration_id=integration_id,
            timeout=timeout,
            max_attempts=max_attempts,
            backoff_initial=backoff_initial,
            check=check_envelope,
            transport=transport,
            **options,
        )
        self._auth = MarketplaceHttpClient(
            base_url=auth_base_url.rstrip("/"),
            integration_id=integration_id,
            timeout=timeout,
            max_attempts=max_attempts,
            backoff_initial=backoff_initial,
            check=check_envelope,
            transport=transport,
            **options,
        )

    async def aclose(self) -> None:
        await self._api.aclose()
        await self._auth.aclose()

    async def __aenter__(self) -> "TikTokClient":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # Auth host: unsigned GET calls carrying the app secret in the query.

    async def get_token(self, auth_code: str) -> dict[str, Any]:
        """Exchange an authorization code for an access and refresh token."""
        return await self._token_call("/api/v2/token/get", {"auth_code": auth_code, "grant_type": "authorized_code"})

    async def refresh_token(self, refresh_token: str) -> dict[str, Any]:
        """Trade a refresh token for a new token pair (both must be stored)."""
        return await self._token_call(
            "/api/v2/token/refresh", {"refresh_token": refresh_token, "grant_type": "refresh_token"}
        )

    async def _token_call(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        query = {"app_key": self.app_key, "app_secret": self._app_secret, **params}
        response = await self._auth.send(lambda: self._auth.http.build_request("GET", path, params=query))
        return _data(response)

    # Open API.

    async def call(
        self, method: str, path: str, *, query: dict[str, Any] | None = None, body: Any = None
    ) -> dict[str, Any]:
        """Send one signed call and return its `data`, refreshing an expired access token once."""
        payload = b"" if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        try:
            return await self._signed_call(method, path, query or {}, payload)
        except AccessTokenExpiredError:
            if self.tokens is None:
                raise
            logger.info("access token expired; refreshing once", extra={"path": path})
            await self.tokens.refresh()
            return await self._signed_call(method, path, query or {}, payload)

    async def _signed_call(self, method: str, path: str, extra: dict[str, Any], payload: bytes) -> dict[str, Any]:
        token = await self.tokens.access_token() if self.tokens is not None else None
        scoped = not path.startswith(_UNSCOPED_PREFIXES)
        if scoped and not self.shop_cipher:
            raise ValueError(f"{path} needs a shop cipher; connect the integration first")

        def build() -> httpx.Request:
            query = {key: _query_value(value) for key, value in extra.items() if value not in (None, "")}
            query["app_key"] = self.app_key
            query["timestamp"] = str(int(self._clock()))
            if scoped:
                query["shop_cipher"] = self.shop_cipher
            query["sign"] = sign_request(app_secret=self._app_secret, path=path, query=query, body=payload)
            headers = {"content-type": "application/json"}
            if token:
                headers["x-tts-access-token"] = token
            return self._api.http.build_request(method, path, params=query, content=payload or None, headers=headers)

        response = await self._api.send(build)
        return _data(response)

    # Authorization, shops and logistics.

    async def authorized_shops(self) -> list[dict[str, Any]]:
        return (await self.call("GET", "/authorization/202309/shops")).get("shops") or []

    async def warehouses(self) -> list[dict[str, Any]]:
        return (await self.call("GET", "/logistics/202309/warehouses")).get("warehouses") or []

    async def shipping_providers(self, delivery_option_id: str) -> list[dict[str, Any]]:
        path = f"/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers"
        return (await self.call("GET", path)).get("shipping_providers") or []

    # Orders.

    async def search_orders_page(self, filters: dict[str, Any], page_token: str | None) -> dict[str, Any]:
        query = {"page_size": PAGE_SIZE, "page_token": page_token, "sort_field": "update_time", "sort_order": "ASC"}
        return await self.call("POST", "/order/202309/orders/search", query=query, body=filters)

    async def order_details(self, order_ids: list[str]) -> list[dict[str, Any]]:
        """Fetch full orders, at most 50 ids per call."""
        orders: list[dict[str, Any]] = []
        for start in range(0, len(order_ids), ORDER_DETAIL_MAX_IDS):
            chunk = order_ids[start : start + ORDER_DETAIL_MAX_IDS]
            data = await self.call("GET", "/order/202309/orders", query={"ids": ",".join(chunk)})
            orders.extend(data.get("orders") or [])
        return orders

    async def cancel_order(self, order_id: str, reason: str, line_item_ids: list[str] | None) -> dict[str, Any]:
        body: dict[str, Any] = {"order_id": order_id, "cancel_reason": reason}
        if line_item_ids:
            body["order_line_item_ids"] = line_item_ids
        return await self.call("POST", "/return_refund/202309/cancellations", body=body)

    # Products and inventory.

    async def search_products_page(self, filters: dict[str, Any], page_token: str | None) -> dict[str, Any]:
        query = {"page_size": PAGE_SIZE, "page_token": page_token}
        return await self.call("POST", "/product/202309/products/search", query=query, body=filters)

    async def product(self, product_id: str) -> dict[str, Any]:
        return await self.call("GET", f"/product/202309/products/{product_id}")

    async def create_product(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self.call("POST", "/product/202309/products", body=body)

    async def edit_product(self, product_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self.call("PUT", f"/product/202309/products/{product_id}", body=body)

    async def update_inventory(self, product_id: str, skus: list[dict[str, Any]]) -> dict[str, Any]:
        path = f"/product/202309/products/{product_id}/inventory/update"
        return await self.call("POST", path, body={"skus": skus})

    # Fulfillment.

    async def mark_package_as_shipped(
        self, order_id: str, *, tracking_number: str, provider_id: str, line_item_ids: list[str]
    ) -> dict[str, Any]:
        body = {
            "tracking_number": tracking_number,
            "shipping_provider_id": provider_id,
            "order_line_item_ids": line_item_ids,
        }
        return await self.call("POST", f"/fulfillment/202309/orders/{order_id}/packages", body=body)

    async def ship_package(self, package_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self.call("POST", f"/fulfillment/202309/packages/{package_id}/ship", body=body)

    async def split_order(self, order_id: str, groups: list[list[str]]) -> list[dict[str, Any]]:
        body = {
            "splittable_groups": [{"id": str(index), "order_line_item_ids": ids} for index, ids in enumerate(groups)]
        }
        return (await self.call("POST", f"/fulfillment/202309/orders/{order_id}/split", body=body)).get(
            "packages"
        ) or []

    async def package(self, package_id: str) -> dict[str, Any]:
        return await self.call("GET", f"/fulfillment/202309/packages/{package_id}")

    async def shipping_document(self, package_id: str) -> dict[str, Any]:
        path = f"/fulfillment/202309/packages/{package_id}/shipping_documents"
        return await self.call("GET", path, query={"document_type": "SHIPPING_LABEL"})

    # Event API.

    async def subscribe_webhook(self, event_type: str, address: str) -> None:
        await self.call("PUT", "/event/202309/webhooks", body={"event_type": event_type, "address": address})

    async def webhooks(self) -> list[dict[str, Any]]:
        return (await self.call("GET", "/event/202309/webhooks")).get("webhooks") or []


async def follow_pages(fetch: Callable[[str | None], Awaitable[dict[str, Any]]], *, start_token: str | None = None):
    """Yield (data, next_token) per page until `next_page_token` is empty; raise when a token repeats."""
    token = start_token
    seen: set[str] = set()
    while True:
        data = await fetch(token)
        next_token = data.get("next_page_token") or ""
        if next_token and (next_token == token or next_token in seen):
            raise PaginationLoopError(
                f"next_page_token {next_token!r} repeated; stopping instead of fetching the same page again",
                code=0,
            )
        yield data, next_token
        if not next_token:
            return
        seen.add(next_token)
        token = next_token


def _data(response: httpx.Response) -> dict[str, Any]:
    envelope = response.json()
    data = envelope.get("data")
    return data if isinstance(data, dict) else {}


def _query_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)
