"""Product operations: P31 lookup by reference, P41 import, P42 import status and P44 error report."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from crossdock_sandbox.mirakl.api.deps import Store, caller
from crossdock_sandbox.mirakl.api.stock import read_upload
from crossdock_sandbox.mirakl.clock import format_datetime
from crossdock_sandbox.mirakl.errors import bad_request, not_found
from crossdock_sandbox.mirakl.imports import PRODUCT_COLUMNS, create_job, find_product, read_semicolon_csv

router = APIRouter(prefix="/api")

MAX_REFERENCES = 100


@router.get("/products", tags=["P31"])
async def list_products(request: Request, context: caller("P31"), store: Store) -> dict:
    """P31: return catalog products for up to 100 `TYPE|value` references."""
    raw = request.query_params.get("product_references") or request.query_params.get("products")
    if not raw:
        raise bad_request("The parameter product_references is required, e.g. EAN|3760000000000.")
    references = [item for item in raw.split(",") if item]
    if len(references) > MAX_REFERENCES:
        raise bad_request(f"The limit of {MAX_REFERENCES} is exceeded for the parameter : product_references")

    found = {}
    for reference in references:
        kind, separator, value = reference.partition("|")
        if not separator or not value:
            raise bad_request(f"The product reference '{reference}' must look like TYPE|value.")
        if kind.upper() in ("SHOP_SKU", "SKU"):
            raise bad_request(
                f"The reference type '{kind}' is not allowed here; use a product identifier such as EAN or UPC."
            )
        product = find_product(store, value, kind)
        if product is not None:
            for ref_type, ref_value in product.references:
                if (ref_type, ref_value) == (kind.upper(), value):
                    found[(product.product_sku, ref_type, ref_value)] = product

    products = [
        {
            "product_sku": sku,
            "product_id": value,
            "product_id_type": kind,
            "product_title": product.title,
            "category_code": product.category_code,
            "category_label": product.category_label,
        }
        for (sku, kind, value), product in sorted(found.items(), key=lambda item: item[0])
    ]
    return {"products": products, "total_count": len(products)}


@router.post("/products/imports", status_code=201, tags=["P41"])
async def import_products(request: Request, response: Response, context: caller("P41"), store: Store) -> dict:
    """P41: queue a product file (`sku;product-id;product-id-type;title;category`)."""
    raw = await read_upload(request)
    header, rows, raw_lines = read_semicolon_csv(raw, required=PRODUCT_COLUMNS, what="product")
    job = create_job(
        store,
        kind="products",
        shop_id=context.shop_id,
        payload=(rows, raw_lines),
        lines_read=len(rows),
        header=";".join(header),
    )
    response.headers["Location"] = str(request.url_for("get_product_import", import_id=job.import_id))
    return {"import_id": int(job.import_id)}


@router.get("/products/imports/{import_id}", tags=["P42"])
async def get_product_import(import_id: str, context: caller("P42"), store: Store) -> dict:
    """P42: report a product import's status and line counts."""
    job = store.imports.get(import_id)
    if job is None or job.kind != "products" or job.shop_id != context.shop_id:
        raise not_found(f"The product import {import_id} does not exist.")
    return {
        "import_id": int(job.import_id),
        "shop_id": job.shop_id,
        "import_status": job.status_at(store.clock.monotonic()),
        "date_created": format_datetime(job.created_date),
        "has_error_report": job.applied and bool(job.error_lines),
        "has_new_product_report": False,
        "has_transformed_file": False,
        "transform_lines_read": job.lines_read,
        "transform_lines_in_success": job.lines_in_success if job.applied else 0,
        "transform_lines_in_error": job.lines_in_error if job.applied else 0,
        "transform_lines_with_warning": 0,
    }


@router.get("/products/imports/{import_id}/error_report", tags=["P44"])
async def get_product_import_errors(import_id: str, context: caller("P44"), store: Store) -> PlainTextResponse:
    """P44: return the products a finished import did not integrate, one line each with the reason."""
    job = store.imports.get(import_id)
    if job is None or job.kind != "products" or job.shop_id != context.shop_id:
        raise not_found(f"The product import {import_id} does not exist.")
    if not job.applied or not job.error_lines:
        raise not_found(f"The product import {import_id} has no error report.")
    rows = ["line;error-message;product"] + [f"{number};{reason};{raw}" for number, reason, raw in job.error_lines]
    # Like OF03, the report is declared as a binary download.
    return PlainTextResponse("\n".join(rows) + "\n", media_type="application/octet-stream")
