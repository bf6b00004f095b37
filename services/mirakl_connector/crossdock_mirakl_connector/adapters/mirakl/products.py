"""Product calls: P31 products by reference, P41 product import, P42 import status, P44 error report."""

import csv
import io
from typing import Any

from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient

# P31 accepts at most 100 references per call and rejects SHOP_SKU and SKU types.
MAX_REFERENCES_PER_CALL = 100


async def list_products(client: MiraklClient, references: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """P31 `GET /api/products?product_references=EAN|123,...`: operator product data for (type, value) pairs."""
    if len(references) > MAX_REFERENCES_PER_CALL:
        raise ValueError(f"{len(references)} references exceed P31's limit of {MAX_REFERENCES_PER_CALL}")
    joined = ",".join(f"{kind}|{value}" for kind, value in references)
    body = await client.call("GET", "/products", params={"product_references": joined})
    return list((body or {}).get("products") or [])


def product_csv(rows: list[dict[str, str]]) -> str:
    """Build a P41 CSV (`sku;product-id;product-id-type;title;category;brand`)."""
    # NOTE: operators usually require their own column and category mapping for
    # P41; these fixed columns match the sandbox and must be mapped per operator.
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    columns = ["sku", "product-id", "product-id-type", "title", "category", "brand"]
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue()


async def import_products(client: MiraklClient, rows: list[dict[str, str]]) -> str:
    """P41 `POST /api/products/imports` (multipart CSV); return the import id."""
    files = {"file": ("products.csv", product_csv(rows).encode("utf-8"), "text/csv")}
    body = await client.call("POST", "/products/imports", files=files)
    return str(body["import_id"])


async def get_product_import(client: MiraklClient, import_id: str) -> dict[str, Any]:
    """P42 `GET /api/products/imports/{id}`: `import_status` and transformation line counts."""
    return await client.call("GET", f"/products/imports/{import_id}")


async def get_product_import_errors(client: MiraklClient, import_id: str) -> str:
    """P44 `GET /api/products/imports/{id}/error_report`: the CSV of products that were not integrated."""
    return await client.call_text("GET", f"/products/imports/{import_id}/error_report")
