"""Products: search, detail, create, edit, price and inventory."""

from fastapi import APIRouter

from crossdock_sandbox.tiktok import errors, paging
from crossdock_sandbox.tiktok.catalog import apply_product_body, check_inventory_update, validate_product_body
from crossdock_sandbox.tiktok.gateway import OpenApiCall, ShopCall
from crossdock_sandbox.tiktok.store import Product
from crossdock_sandbox.tiktok.views import product_detail_view, product_summary_view

router = APIRouter(tags=["product"])

SEARCH_FILTER_MAX_VALUES = 10
SEARCH_RESULT_CAP = 10_000


@router.post("/product/202309/products/search")
@router.post("/product/202312/products/search")
@router.post("/product/202502/products/search")
async def search_products(call: ShopCall) -> dict:
    """Page through the shop's products; filters go in the body, paging in the query."""
    size = paging.page_size(call.query, error_code=errors.PRODUCT_PAGE_SIZE_INVALID)
    offset = paging.page_offset(call.query, error_code=errors.PRODUCT_PAGE_TOKEN_INVALID)
    body = call.json_body()

    seller_skus = body.get("seller_skus") or []
    sku_ids = body.get("sku_ids") or []
    if len(seller_skus) > SEARCH_FILTER_MAX_VALUES:
        raise errors.TikTokApiError(
            errors.SELLER_SKUS_FILTER_TOO_LONG, "The maximum count of seller_skus in the search filter is 10."
        )
    if len(sku_ids) > SEARCH_FILTER_MAX_VALUES:
        raise errors.TikTokApiError(errors.SKU_IDS_FILTER_TOO_LONG, "The number of SKU IDs exceeds the limit of 10")

    shop = call.require_shop()
    products = [
        p
        for p in call.runtime.store.products.values()
        if p.shop_id == shop.id and _matches(p, body, seller_skus, sku_ids)
    ]
    products.sort(key=lambda p: (p.create_time, p.id))
    if offset + size > SEARCH_RESULT_CAP:
        raise errors.TikTokApiError(12052180, "The total number of search results can not exceed 10000.")

    page = products[offset : offset + size]
    return errors.envelope(
        {
            "products": [product_summary_view(p) for p in page],
            "total_count": len(products),
            "next_page_token": paging.next_token(offset, size, len(products)),
        }
    )


@router.get("/product/202309/products/{product_id}")
async def get_product(product_id: str, call: ShopCall) -> dict:
    """Return one product with its SKUs, prices and per-warehouse inventory."""
    product = _own_product(call, product_id)
    if product.status in ("FREEZE", "DELETED"):
        raise errors.TikTokApiError(errors.PRODUCT_NOT_FOUND, "The product does not exist")
    return errors.envelope(product_detail_view(product, call.require_shop()))


@router.post("/product/202309/products")
async def create_product(call: ShopCall) -> dict:
    """Create a product; it goes to audit and becomes ACTIVATE once approved."""
    body = call.json_body()
    shop = call.require_shop()
    store = call.runtime.store
    validate_product_body(store, shop, body, existing=None)

    product = Product(
        id=store.ids.numeric(),
        shop_id=shop.id,
        title="",
        description="",
        category_id="",
        status="PENDING",
        skus=[],
        create_time=call.now,
        update_time=call.now,
        audit_status="AUDITING",
    )
    apply_product_body(store, shop, product, body, partial=False)
    if body.get("save_mode") == "AS_DRAFT":
        product.status = "DRAFT"
        product.audit_status = "NONE"
    store.products[product.id] = product
    _after_submit(call, product)
    return errors.envelope(_write_result(product))


@router.put("/product/202309/products/{product_id}")
@router.put("/product/202509/products/{product_id}")
async def edit_product(product_id: str, call: ShopCall) -> dict:
    """Replace a product: every field is overwritten and SKUs left out are deleted; it is audited again."""
    product = _own_product(call, product_id)
    body = call.json_body()
    shop = call.require_shop()
    validate_product_body(call.runtime.store, shop, body, existing=product)

    apply_product_body(call.runtime.store, shop, product, body, partial=False)
    product.update_time = call.now
    if body.get("save_mode") == "AS_DRAFT":
        product.status = "DRAFT"
    else:
        product.audit_status = "AUDITING"
        if product.status in ("DRAFT", "FAILED"):
            product.status = "PENDING"
    _after_submit(call, product)
    result = _write_result(product)
    result["audit"] = {"status": product.audit_status}
    return errors.envelope(result)


@router.post("/product/202309/products/{product_id}/prices/update")
async def update_price(product_id: str, call: ShopCall) -> dict:
    """Change SKU prices without a new audit."""
    product = _own_product(call, product_id)
    skus = {sku.id: sku for sku in product.skus}
    updates = call.json_body().get("skus") or []
    for entry in updates:
        sku = skus.get(str(entry.get("id", "")))
        amount = (entry.get("price") or {}).get("amount")
        if sku is None:
            raise errors.TikTokApiError(
                errors.SKU_NOT_FOUND, f"The SKU id {entry.get('id')!r} does not exist in product {product_id}."
            )
        if not _is_price(amount):
            raise errors.TikTokApiError(errors.PRODUCT_PRICE_INVALID, f"The product price {amount!r} is invalid")
    for entry in updates:
        skus[str(entry["id"])].sale_price = entry["price"]["amount"]
    product.update_time = call.now
    return errors.envelope({})


@router.post("/product/202309/products/{product_id}/inventory/update")
async def update_inventory(product_id: str, call: ShopCall) -> dict:
    """Set per-warehouse stock of a product's SKUs; per-SKU failures come back in `data.errors` with code 0."""
    product = _own_product(call, product_id)
    body = call.json_body()
    updates, sku_errors = check_inventory_update(call.runtime.store, product, body)

    for sku, quantities in updates:
        sku.inventory.update(quantities)
    if updates:
        product.update_time = call.now
    return errors.envelope({"errors": sku_errors})


@router.post("/product/202309/inventory/search")
async def search_inventory(call: ShopCall) -> dict:
    """Report available stock per SKU and warehouse for products or SKUs (not both)."""
    body = call.json_body()
    product_ids = body.get("product_ids") or []
    sku_ids = body.get("sku_ids") or []
    shop = call.require_shop()

    result = []
    for product in call.runtime.store.products.values():
        if product.shop_id != shop.id:
            continue
        chosen = [s for s in product.skus if product.id in product_ids or s.id in sku_ids]
        if chosen:
            result.append(
                {
                    "product_id": product.id,
                    "skus": [
                        {
                            "id": sku.id,
                            "seller_sku": sku.seller_sku,
                            "total_available_quantity": sum(sku.inventory.values()),
                            "total_committed_quantity": 0,
                            "warehouse_inventory": [
                                {"warehouse_id": w, "available_quantity": q, "committed_quantity": 0}
                                for w, q in sku.inventory.items()
                            ],
                        }
                        for sku in chosen
                    ],
                }
            )
    return errors.envelope({"inventory": result})


def _own_product(call: OpenApiCall, product_id: str) -> Product:
    product = call.runtime.store.products.get(product_id)
    if product is None or product.status == "DELETED":
        raise errors.TikTokApiError(errors.PRODUCT_NOT_FOUND, f"The product {product_id} does not exist")
    if product.shop_id != call.require_shop().id:
        raise errors.TikTokApiError(
            errors.PRODUCT_NOT_EDITABLE,
            "You cannot edit the specified product(s) as it isn't listed in your account or shop.",
        )
    return product


def _matches(product: Product, body: dict, seller_skus: list, sku_ids: list) -> bool:
    status = body.get("status") or "ALL"
    if status != "ALL" and product.status != status:
        return False
    if product.status == "DELETED" and status != "DELETED":
        return False
    if seller_skus and not any(sku.seller_sku in seller_skus for sku in product.skus):
        return False
    if sku_ids and not any(sku.id in sku_ids for sku in product.skus):
        return False
    bounds = (
        ("create_time_ge", product.create_time, lambda value, bound: value >= bound),
        ("create_time_le", product.create_time, lambda value, bound: value <= bound),
        ("update_time_ge", product.update_time, lambda value, bound: value >= bound),
        ("update_time_le", product.update_time, lambda value, bound: value <= bound),
    )
    return all(body.get(name) is None or compare(value, int(body[name])) for name, value, compare in bounds)


def _after_submit(call: OpenApiCall, product: Product) -> None:
    """Approve at once when the sandbox audits automatically, sending PRODUCT_STATUS_CHANGE."""
    from crossdock_sandbox.tiktok.catalog import finish_audit

    if product.status == "PENDING" and call.runtime.auto_audit:
        finish_audit(call.runtime, product, approved=True)


def _write_result(product: Product) -> dict:
    return {
        "product_id": product.id,
        "skus": [
            {
                "id": sku.id,
                "seller_sku": sku.seller_sku,
                "external_sku_id": sku.external_sku_id,
                "sales_attributes": [
                    {"id": a.get("id", ""), "value_id": a.get("value_id", "")} for a in sku.sales_attributes
                ],
            }
            for sku in product.skus
        ],
        "warnings": [],
    }


def _is_price(amount) -> bool:
    try:
        return isinstance(amount, str) and float(amount) > 0
    except ValueError:
        return False
