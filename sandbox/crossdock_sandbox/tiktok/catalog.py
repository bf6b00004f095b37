"""Product write rules: body validation for create and edit, inventory update checks and audit."""

from crossdock_sandbox.tiktok import errors
from crossdock_sandbox.tiktok.store import Product, SandboxStore, Shop, Sku

TITLE_MAX_LENGTH = 255
DESCRIPTION_MAX_LENGTH = 10_000
MAIN_IMAGES_MAX = 9
# Stock per warehouse must be at most 99,999. The reference page states a range
# starting at 1, but 0 is how sellers mark a SKU out of stock and is accepted here.
QUANTITY_MAX = 99_999


def validate_product_body(store: SandboxStore, shop: Shop, body: dict, *, existing: Product | None) -> None:
    """Reject a create or edit body the way TikTok does, naming the first invalid field."""
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise errors.TikTokApiError(errors.PRODUCT_TITLE_TOO_LONG, "The product title is required")
    if len(title) > TITLE_MAX_LENGTH:
        raise errors.TikTokApiError(
            errors.PRODUCT_TITLE_TOO_LONG, f"The product name exceeds {TITLE_MAX_LENGTH} characters"
        )

    description = body.get("description")
    if not isinstance(description, str) or not description.strip():
        raise errors.TikTokApiError(errors.PRODUCT_DESCRIPTION_REQUIRED, "The product description is required")
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise errors.TikTokApiError(
            12052013, f"The product description cannot exceed {DESCRIPTION_MAX_LENGTH} characters"
        )

    if not str(body.get("category_id") or "").strip():
        raise errors.TikTokApiError(errors.PRODUCT_CATEGORY_INVALID, "The category is invalid: category_id is required")
    images = body.get("main_images") or []
    if not images or len(images) > MAIN_IMAGES_MAX:
        raise errors.TikTokApiError(
            errors.PRODUCT_MAIN_IMAGE_REQUIRED, f"Main product image is required (1 to {MAIN_IMAGES_MAX} images)"
        )

    weight = body.get("package_weight") or {}
    if not _positive_decimal(weight.get("value")):
        raise errors.TikTokApiError(
            errors.PRODUCT_WEIGHT_INVALID,
            "product package weight is invalid: package_weight.value must be a positive decimal string",
        )

    skus = body.get("skus") or []
    if not skus:
        raise errors.TikTokApiError(
            12052902, "The SKU list is empty. Either omit the list entirely, or provide all required details."
        )
    own_sku_ids = {sku.id for sku in existing.skus} if existing else set()
    shop_warehouses = {w.id for w in store.shop_warehouses(shop.id)}
    for entry in skus:
        _validate_sku_entry(
            entry, own_sku_ids=own_sku_ids, shop_warehouses=shop_warehouses, editing=existing is not None
        )


def _validate_sku_entry(entry: dict, *, own_sku_ids: set[str], shop_warehouses: set[str], editing: bool) -> None:
    sku_id = entry.get("id")
    if sku_id and (not editing or str(sku_id) not in own_sku_ids):
        raise errors.TikTokApiError(errors.SKU_NOT_FOUND, f"The SKU id {sku_id} does not exist in this product.")
    if not _positive_decimal((entry.get("price") or {}).get("amount")):
        raise errors.TikTokApiError(
            errors.PRODUCT_PRICE_INVALID, "The product price is invalid: price.amount must be a positive decimal string"
        )

    for stock in entry.get("inventory") or []:
        if str(stock.get("warehouse_id", "")) not in shop_warehouses:
            raise errors.TikTokApiError(
                errors.WAREHOUSE_NOT_FOUND, f"The warehouse {stock.get('warehouse_id')!r} does not exist"
            )
        quantity = stock.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= QUANTITY_MAX:
            raise errors.TikTokApiError(
                errors.INVENTORY_QUANTITY_OUT_OF_LIMITS,
                f"The SKU inventory quantity {quantity!r} must be an integer from 0 to {QUANTITY_MAX}.",
            )


def apply_product_body(store: SandboxStore, shop: Shop, product: Product, body: dict, *, partial: bool) -> None:
    """Copy a validated body onto the product; SKUs missing from `skus` are deleted, as a full edit does."""
    product.title = body["title"]
    product.description = body["description"]
    product.category_id = str(body["category_id"])
    product.brand_id = str(body.get("brand_id") or "")
    product.main_images = list(body["main_images"])
    product.package_weight = dict(body["package_weight"])
    product.package_dimensions = body.get("package_dimensions")
    product.product_attributes = list(body.get("product_attributes") or [])
    product.external_product_id = str(body.get("external_product_id") or "")

    existing = {sku.id: sku for sku in product.skus}
    skus = []
    for entry in body["skus"]:
        sku = existing.get(str(entry.get("id") or "")) or Sku(
            id=store.ids.numeric(), seller_sku="", sale_price="0", currency=shop.currency
        )
        price = entry["price"]
        sku.seller_sku = str(entry.get("seller_sku") or "")
        sku.sale_price = str(price["amount"]).strip()
        # Sample payloads carry values such as "USD\n", so surrounding whitespace is dropped.
        sku.currency = str(price.get("currency") or shop.currency).strip()
        sku.external_sku_id = str(entry.get("external_sku_id") or "")
        sku.identifier_code = entry.get("identifier_code")
        sku.sales_attributes = [_with_value_id(store, attribute) for attribute in entry.get("sales_attributes") or []]
        if "inventory" in entry:
            sku.inventory = {str(stock["warehouse_id"]): stock["quantity"] for stock in entry["inventory"]}
        skus.append(sku)
    product.skus = skus


def check_inventory_update(
    store: SandboxStore, product: Product, body: dict
) -> tuple[list[tuple[Sku, dict[str, int]]], list[dict]]:
    """Split an inventory update into valid per-SKU changes and per-SKU errors, raising request-level errors.

    Every warehouse assigned to a SKU must be listed (12019028 when one is missing, 12052533
    when an unassigned warehouse of the shop is added). Unknown warehouses and quantities
    outside 0..99,999 fail only their SKU and come back in `data.errors`.
    """
    if product.status != "ACTIVATE":
        raise errors.TikTokApiError(
            errors.PRODUCT_STATUS_NOT_ALLOWED,
            f"The product in status {product.status} is not available for this operation. Activate it first.",
        )
    entries = body.get("skus")
    if not entries:
        raise errors.TikTokApiError(
            12052902, "The SKU list is empty. Either omit the list entirely, or provide all required details."
        )

    skus = {sku.id: sku for sku in product.skus}
    shop_warehouses = {w.id for w in store.shop_warehouses(product.shop_id)}
    updates: list[tuple[Sku, dict[str, int]]] = []
    sku_errors: list[dict] = []
    for entry in entries:
        sku_id = str(entry.get("id") or "")
        if not sku_id:
            raise errors.TikTokApiError(errors.SKU_ID_REQUIRED, "The SKU ID is necessary")
        sku = skus.get(sku_id)
        if sku is None:
            sku_errors.append(
                {"code": errors.SKU_NOT_FOUND, "message": "The SKU id not exist.", "detail": {"sku_id": sku_id}}
            )
            continue

        quantities, warehouse_errors = _sku_quantities(sku, entry.get("inventory") or [], shop_warehouses)
        if warehouse_errors:
            sku_errors.append(
                {
                    "code": errors.CHECK_FAILED,
                    "message": "Check failed",
                    "detail": {"sku_id": sku_id, "extra_errors": warehouse_errors},
                }
            )
        else:
            updates.append((sku, quantities))
    return updates, sku_errors


def _sku_quantities(sku: Sku, inventory: list[dict], shop_warehouses: set[str]) -> tuple[dict[str, int], list[dict]]:
    assigned = set(sku.inventory)
    quantities: dict[str, int] = {}
    warehouse_errors = []
    for stock in inventory:
        warehouse_id = str(stock.get("warehouse_id") or "")
        if not warehouse_id:
            if len(assigned) != 1:
                raise errors.TikTokApiError(
                    errors.INVENTORY_WAREHOUSES_INCOMPLETE,
                    "Multiple warehouses detected. Include all warehouse IDs and the corresponding details and try again.",
                )
            warehouse_id = next(iter(assigned))

        quantity = stock.get("quantity")
        if warehouse_id not in shop_warehouses:
            warehouse_errors.append(
                {
                    "warehouse_id": warehouse_id,
                    "code": errors.WAREHOUSE_NOT_FOUND,
                    "message": "The warehouse does not exist",
                }
            )
        elif not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= QUANTITY_MAX:
            warehouse_errors.append(
                {
                    "warehouse_id": warehouse_id,
                    "code": errors.INVENTORY_QUANTITY_OUT_OF_LIMITS,
                    "message": f"The SKU inventory quantity for the warehouse must be within 0 and {QUANTITY_MAX}.",
                }
            )
        else:
            quantities[warehouse_id] = quantity

    known = {w for w in quantities} | {
        e["warehouse_id"] for e in warehouse_errors if e["code"] != errors.WAREHOUSE_NOT_FOUND
    }
    if assigned - known and not warehouse_errors:
        missing = ", ".join(sorted(assigned - known))
        raise errors.TikTokApiError(
            errors.INVENTORY_WAREHOUSES_INCOMPLETE,
            f"Multiple warehouses detected. Include all warehouse IDs and the corresponding details and try again. Missing: {missing}",
        )
    if known - assigned:
        added = ", ".join(sorted(known - assigned))
        raise errors.TikTokApiError(
            errors.WAREHOUSES_CHANGED,
            f"Removal, addition, and change of warehouses are not permitted. Please specify the original warehouses for the SKUs. Not assigned: {added}",
        )
    return quantities, warehouse_errors


def finish_audit(runtime, product: Product, *, approved: bool, reason: str = "") -> None:
    """End the audit of a product and send PRODUCT_STATUS_CHANGE, as TikTok does when review completes."""
    product.audit_status = "APPROVED" if approved else "FAILED"
    product.status = "ACTIVATE" if approved else "FAILED"
    product.update_time = runtime.clock.now_int()
    runtime.webhooks.emit(
        shop_id=product.shop_id,
        event_type="PRODUCT_STATUS_CHANGE",
        # TikTok's samples send product_id as a JSON number; clients must parse it without precision loss.
        data={
            "product_id": int(product.id),
            "status": "PRODUCT_FIRST_PASS_REVIEW" if approved else "PRODUCT_AUDIT_FAILURE",
            "suspended_reason": reason,
            "update_time": product.update_time,
        },
    )


def _with_value_id(store: SandboxStore, attribute: dict) -> dict:
    result = dict(attribute)
    result.setdefault("value_id", store.ids.numeric())
    result.setdefault("id", store.ids.numeric())
    return result


def _positive_decimal(value) -> bool:
    try:
        return isinstance(value, str) and float(value) > 0
    except ValueError:
        return False
