"""HTTP calls from the hub to a 3PL under the HTTP-3PL contract (docs/3pl-contract.md).

Bodies are serialized once and stored, so every retry sends the same bytes;
each attempt signs those bytes again with the integration's shared secret.
"""

import json
from typing import Any

import httpx
from crossdock_common.auth.signatures import SIGNATURE_HEADER, sign_body
from crossdock_common.http import MarketplaceHttpClient
from crossdock_common.http.client import default_check
from crossdock_common.http.errors import ClientError

# The contract names TikTok Shop `tiktok_shop`; the hub's canonical channel is `tiktok`.
CONTRACT_CHANNELS = {"mirakl": "mirakl", "tiktok": "tiktok_shop"}
PROBE_REQUEST_ID = "crossdock-connection-test"


def serialize(body: dict[str, Any]) -> bytes:
    """Serialize a body compactly as UTF-8 JSON: the exact bytes that are signed and sent."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def shipping_request_body(
    *,
    request_id: str,
    channel: str,
    external_order_id: str,
    ship_to: dict[str, Any],
    lines: list[dict[str, Any]],
    label: dict[str, Any] | None,
    service_level: str = "standard",
) -> bytes:
    """Build the body of `POST {url}/shipping-requests` from a canonical address and lines."""
    body = {
        "request_id": request_id,
        "order_ref": {"channel": CONTRACT_CHANNELS.get(channel, channel), "external_order_id": external_order_id},
        "ship_to": {
            "name": ship_to.get("name") or "",
            "address_lines": [line for line in ship_to.get("lines", []) if line and line.strip()],
            "city": ship_to.get("city") or "",
            "region": ship_to.get("state") or None,
            "postal_code": ship_to.get("postal_code") or None,
            "country": ship_to["country"],
            "phone": ship_to.get("phone") or None,
        },
        "lines": lines,
        "service_level": service_level,
        "label": label,
    }
    return serialize(body)


def _accept_answers(*statuses: int):
    """Build a response check that returns the given 4xx responses instead of raising."""

    def check(response: httpx.Response) -> ClientError | None:
        if response.status_code in statuses:
            return None
        return default_check(response)

    return check


class ThreePLClient:
    """Sends signed calls to one 3PL integration, with retries on 5xx, timeouts and network errors."""

    def __init__(
        self,
        *,
        base_url: str,
        secret: str,
        integration_id: str,
        timeout: float,
        attempts: int,
        backoff_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._secret = secret
        self._base_url = base_url.rstrip("/")
        self._options = {
            "integration_id": integration_id,
            "timeout": timeout,
            "max_attempts": attempts,
            "backoff_initial": backoff_seconds,
            "backoff_max": max(backoff_seconds * 8, backoff_seconds),
            "transport": transport,
        }

    def _client(self, check) -> MarketplaceHttpClient:
        return MarketplaceHttpClient(base_url=self._base_url, check=check, **self._options)

    def _signed(self, client: MarketplaceHttpClient, path: str, body: bytes):
        def build() -> httpx.Request:
            headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign_body(body, self._secret)}
            return client.http.build_request("POST", self._base_url + path, content=body, headers=headers)

        return build

    async def create_shipping_request(self, body: bytes) -> httpx.Response:
        """Send a shipping request; return the 2xx response or raise a `ClientError`."""
        async with self._client(default_check) as client:
            return await client.send(self._signed(client, "/shipping-requests", body))

    async def cancel_shipping_request(self, request_id: str, reason: str | None) -> httpx.Response:
        """Cancel a shipping request; return the response (200, 404 or 409) or raise a `ClientError`."""
        body = serialize({"reason": reason[:500] if reason else None})
        async with self._client(_accept_answers(404, 409)) as client:
            return await client.send(self._signed(client, f"/shipping-requests/{request_id}/cancel", body))

    async def probe(self) -> httpx.Response:
        """Check URL and shared secret with a signed cancel of a request id that never exists.

        A 3PL that follows the contract checks the signature first. It returns 401
        when the secret is wrong, and 404 (or 200) when URL and secret are right.
        The call changes nothing at the 3PL.
        """
        body = b""
        async with self._client(_accept_answers(401, 404)) as client:
            return await client.send(self._signed(client, f"/shipping-requests/{PROBE_REQUEST_ID}/cancel", body))
