"""Offer and stock calls: OF21 offers, STO01 stock import, STO02 status, STO03 error report.

Stock goes through STO01 rather than OF24: OF24 resets every offer field it is
not sent (quantity to 0, description, discount, lead time and logistic class
removed), so a stock-only OF24 would wipe the seller's offer data. STO01 changes
only quantities, per warehouse code or globally when the code is empty.
"""

import csv
import io
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
