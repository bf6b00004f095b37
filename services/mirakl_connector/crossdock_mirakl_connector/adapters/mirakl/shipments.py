"""Multiple-shipment calls (platforms with PC01 `multi_shipment`): ST01 create shipments."""

from typing import Any

from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient


async def create_shipments(client: MiraklClient, shipments: list[dict[str, Any]]) -> dict[str, Any]:
    """ST01 `POST /api/shipments`; per-shipment failures come back in `shipment_errors` with a 201."""
    body = await client.call("POST", "/shipments", json={"shipments": shipments})
    return {
        "shipment_success": list((body or {}).get("shipment_success") or []),
        "shipment_errors": list((body or {}).get("shipment_errors") or []),
    }
