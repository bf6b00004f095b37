"""Stock imports: STO01 upload, STO02 status and STO03 error report."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from crossdock_sandbox.mirakl.api.deps import Store, caller
from crossdock_sandbox.mirakl.clock import format_datetime
from crossdock_sandbox.mirakl.errors import not_found
from crossdock_sandbox.mirakl.imports import STOCK_COLUMNS, create_job, read_semicolon_csv
from crossdock_sandbox.mirakl.multipart import read_form_file

router = APIRouter(prefix="/api")


async def read_upload(request: Request) -> bytes:
    """Return the uploaded `file` part of a multipart/form-data import request."""
    return read_form_file(content_type=request.headers.get("content-type", ""), body=await request.body())


@router.post("/offers/stock/imports", status_code=201, tags=["STO01"])
async def import_stock(request: Request, response: Response, context: caller("STO01"), store: Store) -> dict:
    """STO01: queue a stock file (`offer-sku;quantity;warehouse-code;update-delete`)."""
    raw = await read_upload(request)
    header, rows, raw_lines = read_semicolon_csv(raw, required=STOCK_COLUMNS[:2], what="stock")
    job = create_job(
        store,
        kind="stock",
        shop_id=context.shop_id,
        payload=(rows, raw_lines),
        lines_read=len(rows),
        header=";".join(header),
    )
    response.headers["Location"] = str(request.url_for("get_stock_import_status", import_id=job.import_id))
    return {"import_id": job.import_id}


def _stock_job(store, shop_id: int, import_id: str):
    job = store.imports.get(import_id)
    if job is None or job.kind != "stock" or job.shop_id != shop_id:
        raise not_found(f"The stock import {import_id} does not exist.")
    return job


@router.get("/offers/stock/imports/{import_id}/status", tags=["STO02"])
async def get_stock_import_status(import_id: str, context: caller("STO02"), store: Store) -> dict:
    """STO02: report a stock import's status; line counts appear once it has finished."""
    job = _stock_job(store, context.shop_id, import_id)
    result = {
        "import_id": job.import_id,
        "shop_id": job.shop_id,
        "status": job.status_at(store.clock.monotonic()),
        "date_created": format_datetime(job.created_date),
        "has_error_report": job.applied and bool(job.error_lines),
    }
    if job.applied:
        result["lines_in_success"] = job.lines_in_success
        result["lines_in_error"] = job.lines_in_error
    return result


@router.get("/offers/stock/imports/{import_id}/error_report", tags=["STO03"])
async def get_stock_import_errors(import_id: str, context: caller("STO03"), store: Store) -> PlainTextResponse:
    """STO03: return the rejected lines (line number, reason, then the original columns) as CSV."""
    job = _stock_job(store, context.shop_id, import_id)
    if not job.applied:
        raise not_found(
            f"The stock import {import_id} is still {job.status_at(store.clock.monotonic())}; "
            "its error report exists once it is COMPLETE."
        )
    if not job.error_lines:
        raise not_found(f"The stock import {import_id} has no error report: every line was imported.")
    rows = [f"line;error-message;{job.header}"] + [
        f"{number};{reason};{raw}" for number, reason, raw in job.error_lines
    ]
    return PlainTextResponse("\n".join(rows) + "\n", media_type="text/csv")
