"""Offer operations: OF21 list, OF24 create/update/delete, OF02 and OF03 import tracking."""

from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict

from crossdock_sandbox.mirakl.api.deps import Store, caller, parse_int
from crossdock_sandbox.mirakl.clock import format_datetime
from crossdock_sandbox.mirakl.errors import bad_request, not_found
from crossdock_sandbox.mirakl.imports import create_job
from crossdock_sandbox.mirakl.models import Offer

router = APIRouter(prefix="/api")

OFFER_SORTS = {"totalPrice", "price", "productTitle"}


class OfferUpdate(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True, extra="allow")

    shop_sku: str
    product_id: str
    product_id_type: str
    price: float
    state_code: str
    update_delete: str
    quantity: int | None = None
    description: str | None = None
    internal_description: str | None = None
    leadtime_to_ship: int | None = None
    logistic_class: str | None = None
    min_quantity_alert: int | None = None
    min_order_quantity: int | None = None
    max_order_quantity: int | None = None
    package_quantity: int | None = None
    discount: dict | None = None


class OfferUpdateRequest(BaseModel):
    offers: list[OfferUpdate]


def offer_view(store, offer: Offer) -> dict:
    product = store.products[offer.product_sku]
    shop = store.shops[offer.shop_id]
    view = {
        "offer_id": offer.offer_id,
        "shop_sku": offer.shop_sku,
        "product_sku": offer.product_sku,
        "product_title": product.title,
        "product_references": [{"reference_type": kind, "reference": value} for kind, value in product.references],
        "category_code": product.category_code,
        "category_label": product.category_label,
        "quantity": offer.available_quantity(),
        "price": offer.price,
        "total_price": offer.price,
        "all_prices": [{"price": offer.price, "unit_origin_price": offer.price, "volume_prices": []}],
        "state_code": offer.state_code,
        "active": offer.active and offer.available_quantity() > 0,
        "channels": [],
        "currency_iso_code": shop.currency_iso_code,
        "description": offer.description,
        "fulfillment": {"center": {"code": "DEFAULT"}},
        "leadtime_to_ship": offer.leadtime_to_ship or 0,
        "logistic_class": {"code": offer.logistic_class or "DEFAULT", "label": offer.logistic_class or "Default"},
        "min_order_quantity": offer.min_order_quantity or 1,
        "max_order_quantity": offer.max_order_quantity or 0,
        "min_quantity_alert": offer.min_quantity_alert or 0,
        "package_quantity": offer.package_quantity or 1,
        "min_shipping_price": 2.5,
        "min_shipping_price_additional": 2.5,
        "min_shipping_type": "STD",
        "min_shipping_zone": "FR",
        "shipping_deadline": format_datetime(store.clock.now() + timedelta(days=offer.leadtime_to_ship or 2)),
        "warehouses": [{"code": code, "quantity": quantity} for code, quantity in sorted(offer.warehouses.items())],
    }
    if product.brand:
        view["product_brand"] = product.brand
    if offer.internal_description:
        view["internal_description"] = offer.internal_description
    if offer.discount_price is not None:
        view["discount"] = {"discount_price": offer.discount_price, "origin_price": offer.price}
    return view


@router.get("/offers", tags=["OF21"])
async def list_offers(request: Request, context: caller("OF21"), store: Store) -> dict:
    """OF21: list the shop's offers, with per-warehouse quantities, using offset pagination."""
    params = request.query_params
    page_size = parse_int(params.get("max"), name="max", default=10, minimum=1, maximum=100)
    offset = parse_int(params.get("offset"), name="offset", default=0)
    sort = params.get("sort") or "totalPrice"
    if sort not in OFFER_SORTS:
        raise bad_request(f"The sort value '{sort}' is invalid; use {', '.join(sorted(OFFER_SORTS))}.")
    direction = (params.get("order") or "asc").lower()
    if direction not in ("asc", "desc"):
        raise bad_request(f"The order value '{direction}' is invalid; use asc or desc.")

    states = {value for value in (params.get("offer_state_codes") or "").split(",") if value}
    offers = [
        offer
        for offer in store.shop_offers(context.shop_id).values()
        if (not states or offer.state_code in states)
        and (not params.get("sku") or offer.shop_sku == params["sku"])
        and (not params.get("product_id") or offer.product_sku == params["product_id"])
    ]
    sort_keys = {
        "totalPrice": lambda offer: (offer.price, offer.offer_id),
        "price": lambda offer: (offer.price, offer.offer_id),
        "productTitle": lambda offer: (store.products[offer.product_sku].title, offer.price, offer.offer_id),
    }
    offers.sort(key=sort_keys[sort], reverse=direction == "desc")
    page = offers[offset : offset + page_size]
    return {"offers": [offer_view(store, offer) for offer in page], "total_count": len(offers)}


@router.post("/offers", status_code=201, tags=["OF24"])
async def update_offers(
    request: Request, body: OfferUpdateRequest, response: Response, context: caller("OF24"), store: Store
) -> dict:
    """OF24: queue offer creations, updates and deletions; fields left out are reset to their defaults."""
    if not body.offers:
        raise bad_request("The offers list is empty.")
    job = create_job(
        store,
        kind="offers",
        shop_id=context.shop_id,
        payload=[offer.model_dump() for offer in body.offers],
        lines_read=len(body.offers),
    )
    response.headers["Location"] = str(request.url_for("get_offer_import", import_id=job.import_id))
    return {"import_id": int(job.import_id)}


def _offer_job(store, shop_id: int, import_id: str):
    job = store.imports.get(import_id)
    if job is None or job.kind != "offers" or job.shop_id != shop_id:
        raise not_found(f"The import {import_id} does not exist.")
    return job


@router.get("/offers/imports/{import_id}", tags=["OF02"])
async def get_offer_import(import_id: str, context: caller("OF02"), store: Store) -> dict:
    """OF02: report an offer import's status and line counts."""
    job = _offer_job(store, context.shop_id, import_id)
    status = job.status_at(store.clock.monotonic())
    # OF02 always carries the counters; they stay 0 until the job has run.
    return {
        "import_id": int(job.import_id),
        "status": status,
        "reason_status": "" if job.applied else "The import has not been processed yet.",
        "mode": "NORMAL",
        "type": "API",
        "date_created": format_datetime(job.created_date),
        "lines_read": job.lines_read if job.applied else 0,
        "lines_in_success": job.lines_in_success,
        "lines_in_error": job.lines_in_error,
        "lines_in_pending": 0 if job.applied else job.lines_read,
        "offer_inserted": job.offer_inserted,
        "offer_updated": job.offer_updated,
        "offer_deleted": job.offer_deleted,
        "has_error_report": job.applied and bool(job.error_lines),
    }


@router.get("/offers/imports/{import_id}/error_report", tags=["OF03"])
async def get_offer_import_errors(import_id: str, context: caller("OF03"), store: Store) -> PlainTextResponse:
    """OF03: return the rejected offers of a finished import as a `;`-separated file."""
    job = _offer_job(store, context.shop_id, import_id)
    if not job.applied or not job.error_lines:
        raise not_found(f"The import {import_id} has no error report.")
    rows = ["line;error-message;shop-sku"] + [f"{number};{reason};{raw}" for number, reason, raw in job.error_lines]
    # OF03 is declared as a binary download (application/octet-stream).
    return PlainTextResponse("\n".join(rows) + "\n", media_type="application/octet-stream")
