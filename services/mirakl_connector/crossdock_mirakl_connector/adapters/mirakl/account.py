"""Account and platform calls: A01 shop account, PC01 platform configuration, SH21 carriers."""

from typing import Any

from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient
from crossdock_mirakl_connector.adapters.mirakl.errors import UnexpectedResponseError


async def get_account(client: MiraklClient) -> dict[str, Any]:
    """A01 `GET /api/account`, allowed at most once a day (Mirakl seller OpenAPI call frequency), so only on connect."""
    body = await client.call("GET", "/account")
    if not isinstance(body, dict) or body.get("shop_id") is None:
        raise UnexpectedResponseError(f"A01 returned 200 without a shop_id: {str(body)[:300]}", body=str(body)[:300])
    return body


async def get_platform_configuration(client: MiraklClient) -> dict[str, Any]:
    """PC01 `GET /api/platform/configuration`: acceptance mode, multi-shipment and other platform features."""
    return await client.call("GET", "/platform/configuration")


async def list_carriers(client: MiraklClient) -> list[dict[str, Any]]:
    """SH21 `GET /api/shipping/carriers` (at most once a day): the operator's registered carriers."""
    body = await client.call("GET", "/shipping/carriers")
    return list((body or {}).get("carriers") or [])
