"""Offer and stock calls: OF21 offers, OF24 offer updates with OF02/OF03 tracking, STO01/STO02/STO03 stock imports.

Stock goes through STO01 rather than OF24: OF24 resets every offer field it is
not sent (quantity to 0, description, discount, lead time and logistic class
removed), so a stock-only OF24 would wipe the seller's offer data. STO01 changes
only quantities, per warehouse code or globally when the code is empty.
"""

import csv
import io
import json
from decimal import Decimal
from typing import Any

from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient, require_list
from crossdock_mirakl_connector.adapters.mirakl.errors import UnexpectedResponseError


async def list_offers_page(client: MiraklClient, *, offset: int, max_results: int = 100) -> dict[str, Any]:
    """OF21 `GET /api/offers`: one page of the shop's offers, with `warehouses[]` quantities."""
    body = await client.call("GET", "/offers", params={"offset": offset, "max": max_results})
    offers, total = require_list(body, "offers", "OF21")
    return {"offers": offers, "total_count": total}


def stock_csv(lines: list[tuple[str, int, str]]) -> str:
    """Build the STO01 CSV (`offer-sku;quantity;warehouse-code;update-delete`) from (sku, quantity, warehouse)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["offer-sku", "quantity", "warehouse-code", "update-delete"])
    for sku, quantity, warehouse in lines:
        writer.writerow([sku, quantity, warehouse, "update"])
    return buffer.getvalue()


async def import_stock(client: MiraklClient, lines: list[tuple[str, int, str]]) -> str:
    """STO01 `POST /api/offers/stock/imports` (multipart CSV); return the import id."""
    files = {"file": ("stock.csv", stock_csv(lines).encode("utf-8"), "text/csv")}
    body = await client.call("POST", "/offers/stock/imports", files=files)
    return str(body["import_id"])


async def get_stock_import(client: MiraklClient, import_id: str) -> dict[str, Any]:
    """STO02 `GET /api/offers/stock/imports/{id}/status`: WAITING, RUNNING, COMPLETE or FAILED with line counts."""
    body = await client.call("GET", f"/offers/stock/imports/{import_id}/status")
    if not isinstance(body, dict) or not body.get("status"):
        raise UnexpectedResponseError(f"STO02 returned 200 without a status: {str(body)[:300]}", body=str(body)[:300])
    return body


async def get_stock_import_errors(client: MiraklClient, import_id: str) -> dict[int, str]:
    """STO03 error report: map CSV line number (the header is line 1) to Mirakl's reason."""
    text = await client.call_text("GET", f"/offers/stock/imports/{import_id}/error_report")
    return parse_error_report(text)


def parse_error_report(text: str) -> dict[int, str]:
    """Parse a Mirakl error report: the first column is the line number, the second the reason."""
    errors: dict[int, str] = {}
    rows = csv.reader(io.StringIO(text), delimiter=";")
    for row in rows:
        if len(row) < 2:
            continue
        try:
            errors[int(row[0])] = row[1]
        except ValueError:
            continue  # header row
    return errors


def offers_json(value: Any) -> str:
    """Encode a JSON body with `Decimal` amounts written as exact JSON numbers (never through a float)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"amount {value} is not a finite number and cannot be sent to Mirakl")
        return format(value, "f")
    if isinstance(value, dict):
        members = ",".join(f"{json.dumps(str(key))}:{offers_json(item)}" for key, item in value.items())
        return "{" + members + "}"
    if isinstance(value, list):
        return "[" + ",".join(offers_json(item) for item in value) + "]"
    return json.dumps(value)


async def update_offers(client: MiraklClient, offers: list[dict[str, Any]]) -> str:
    """OF24 `POST /api/offers`: create, update or delete offers asynchronously; return the import id.

    Each offer must carry every field the seller wants kept, because OF24 resets
    the fields it is not sent.
    """
    content = offers_json({"offers": offers}).encode("utf-8")
    body = await client.call("POST", "/offers", content=content, headers={"Content-Type": "application/json"})
    if not isinstance(body, dict) or body.get("import_id") is None:
        raise UnexpectedResponseError(f"OF24 returned no import_id: {str(body)[:300]}", body=str(body)[:300])
    return str(body["import_id"])


async def get_offer_import(client: MiraklClient, import_id: str) -> dict[str, Any]:
    """OF02 `GET /api/offers/imports/{id}`: status and line counts of an OF24 or OF01 import.

    The status is WAITING_SYNCHRONIZATION_PRODUCT, WAITING, RUNNING, COMPLETE or FAILED.
    """
    body = await client.call("GET", f"/offers/imports/{import_id}")
    if not isinstance(body, dict) or not body.get("status"):
        raise UnexpectedResponseError(f"OF02 returned 200 without a status: {str(body)[:300]}", body=str(body)[:300])
    return body


async def get_offer_import_errors(client: MiraklClient, import_id: str) -> dict[int, str]:
    """OF03 error report of an OF24 import: map line number (the first offer is line 1) to Mirakl's reason."""
    text = await client.call_text("GET", f"/offers/imports/{import_id}/error_report")
    return parse_error_report(text)
