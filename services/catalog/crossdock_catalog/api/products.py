"""Master products: CRUD with pagination and filters, bulk upsert (CSV or JSON) and channel options."""

from typing import Annotated, Any, Literal

from crossdock_common.auth.dependencies import Reader, Writer
from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import ValidationError

from crossdock_catalog.adapters import repository
from crossdock_catalog.api.common import channel_options_json, product_json, runtime_of, transaction
from crossdock_catalog.domain.channel_options import ChannelOptionsInput
from crossdock_catalog.domain.products import (
    BulkFileError,
    ProductInput,
    parse_csv_rows,
    parse_json_text,
    validation_messages,
)
from crossdock_catalog.errors import InvalidInputError, NotFoundError
from crossdock_catalog.service_layer import products as product_cases
from crossdock_catalog.service_layer.publishing import effective_options

router = APIRouter(prefix="/v1/products", tags=["products"])

MAX_PAGE_SIZE = 500


async def _product_with_options(connection, account_id: str, sku: str) -> dict[str, Any]:
    row = await repository.get_product(connection, account_id, sku)
    if row is None:
        raise NotFoundError(f"product {sku!r} not found")
    integrations = await repository.list_sales_integrations(connection, account_id)
    by_id = {integration.integration_id: integration for integration in integrations}
    parent_has_channel_skus = await repository.any_channel_sku(connection, account_id, sku)
    options = await effective_options(connection, account_id, sku, integrations)
    links = await repository.channel_products_linked_to(connection, account_id, sku)
    return {
        **product_json(row),
        "channel_options": [
            channel_options_json(option, by_id[option["integration_id"]], row["product_type"], parent_has_channel_skus)
            for option in options
        ],
        "channel_links": [
            {
                "integration_id": link["integration_id"],
                "channel_product_id": link["channel_product_id"],
                "channel_sku": link["channel_sku"],
            }
            for link in links
        ],
    }


@router.get("")
async def list_products(
    request: Request,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    product_type: Literal["simple", "parent", "variant"] | None = None,
    parent_sku: str | None = None,
    status: Literal["active", "inactive"] | None = None,
    gtin: str | None = None,
    owner_integration_id: str | None = None,
    q: Annotated[str | None, Query(description="text contained in the title, case-insensitive")] = None,
) -> dict[str, Any]:
    """List master products ordered by SKU, one page at a time."""
    try:
        after_sku = repository.decode_cursor(cursor) if cursor else None
    except ValueError as error:
        raise InvalidInputError(str(error)) from None
    filters = {
        "product_type": product_type,
        "parent_sku": parent_sku,
        "status": status,
        "gtin": gtin,
        "owner_integration_id": owner_integration_id,
        "q": q,
    }
    async with transaction(request) as connection:
        rows = await repository.list_products(
            connection, principal.account_id, limit=limit + 1, after_sku=after_sku, filters=filters
        )
    page = rows[:limit]
    next_cursor = repository.encode_cursor(page[-1]["sku"]) if len(rows) > limit else None
    return {"items": [product_json(row) for row in page], "next_cursor": next_cursor}


@router.post("", status_code=201)
async def create_product(request: Request, principal: Writer, product: ProductInput) -> dict[str, Any]:
    """Create a master product; 409 when the SKU exists (compared exactly) or the catalog source is a channel."""
    async with transaction(request) as connection:
        await product_cases.create_product(connection, runtime_of(request), principal.account_id, product)
        body = await _product_with_options(connection, principal.account_id, product.sku)
    return {**body, "warnings": product.warnings()}


_BULK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array", "items": ProductInput.model_json_schema()}},
        },
    }
}


@router.post("/bulk", openapi_extra=_BULK_BODY)
async def bulk_upsert(
    request: Request,
    principal: Writer,
    dry_run: Annotated[bool, Query(description="validate and report without saving")] = False,
) -> dict[str, Any]:
    """Create or replace many products from a CSV (text/csv) or JSON body; each rejected row is reported.

    Valid rows are applied and invalid rows are skipped, each row completely or not at all.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInputError(f"body is not UTF-8 text: {error}") from None
    try:
        if content_type in ("text/csv", "application/csv"):
            rows = parse_csv_rows(text)
        elif content_type == "application/json":
            rows = parse_json_text(text)
        else:
            raise InvalidInputError(f"unsupported Content-Type {content_type!r}; send text/csv or application/json")
    except BulkFileError as error:
        raise InvalidInputError(str(error)) from None

    runtime = runtime_of(request)
    async with runtime.pool.acquire() as connection:
        outer = connection.transaction()
        await outer.start()
        try:
            result = await product_cases.bulk_upsert(connection, runtime, principal.account_id, rows, dry_run=dry_run)
        except BaseException:
            await outer.rollback()
            raise
        if dry_run:
            await outer.rollback()
        else:
            await outer.commit()
    return result


@router.get("/{sku:path}/channel-options")
async def get_channel_options(request: Request, principal: Reader, sku: str) -> list[dict[str, Any]]:
    """List the product's options on each Mirakl and TikTok integration (defaults where never set)."""
    async with transaction(request) as connection:
        body = await _product_with_options(connection, principal.account_id, sku)
    return body["channel_options"]


@router.put("/{sku:path}/channel-options/{integration_id}")
async def put_channel_options(
    request: Request,
    principal: Writer,
    sku: str,
    integration_id: str,
    change: Annotated[ChannelOptionsInput, Body()],
) -> dict[str, Any]:
    """Set syncToChannel, inventoryBuffer or channelSku of a product on one integration."""
    async with transaction(request) as connection:
        await product_cases.set_channel_options(
            connection, runtime_of(request), principal.account_id, sku, integration_id, change
        )
        body = await _product_with_options(connection, principal.account_id, sku)
    return next(option for option in body["channel_options"] if option["integrationId"] == integration_id)


@router.get("/{sku:path}")
async def get_product(request: Request, principal: Reader, sku: str) -> dict[str, Any]:
    """Return one master product (exact SKU) with its channel options and links."""
    async with transaction(request) as connection:
        return await _product_with_options(connection, principal.account_id, sku)


@router.put("/{sku:path}")
async def replace_product(
    request: Request, principal: Writer, sku: str, body: Annotated[dict[str, Any], Body()], response: Response
) -> dict[str, Any]:
    """Create or replace the master product with this exact SKU; fields left out get their defaults."""
    if "sku" in body and body["sku"] != sku:
        raise InvalidInputError(
            f"body SKU {body['sku']!r} differs from the SKU {sku!r} in the path; a SKU cannot be renamed, "
            "create a new product instead"
        )
    try:
        product = ProductInput.model_validate({**body, "sku": sku})
    except ValidationError as error:
        messages = validation_messages(error)
        raise InvalidInputError("; ".join(messages), errors=messages) from None
    async with transaction(request) as connection:
        outcome = await product_cases.replace_product(connection, runtime_of(request), principal.account_id, product)
        result = await _product_with_options(connection, principal.account_id, sku)
    if outcome == "created":
        response.status_code = 201
    return {**result, "outcome": outcome, "warnings": product.warnings()}


@router.delete("/{sku:path}", status_code=204)
async def delete_product(request: Request, principal: Writer, sku: str) -> Response:
    """Delete a master product; its channel products become unmatched."""
    async with transaction(request) as connection:
        await product_cases.delete_product(connection, runtime_of(request), principal.account_id, sku)
    return Response(status_code=204)
