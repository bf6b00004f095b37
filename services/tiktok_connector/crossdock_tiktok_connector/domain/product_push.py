"""Product push rules: which master products form one TikTok product, and the Create/Edit Product body.

A simple master becomes a TikTok product with one SKU. A parent master and its
variants become one TikTok product whose SKUs are the variants. Every TikTok
SKU carries the master SKU as `seller_sku`, because TikTok has no channel SKU.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

# Master product attributes that configure the push and are not sales attributes of a variant.
CATEGORY_ATTRIBUTE = "tiktok_category_id"
WEIGHT_ATTRIBUTE = "package_weight"
WEIGHT_UNIT_ATTRIBUTE = "package_weight_unit"
PUSH_ATTRIBUTES = frozenset({CATEGORY_ATTRIBUTE, WEIGHT_ATTRIBUTE, WEIGHT_UNIT_ATTRIBUTE, "category", "brand"})
WEIGHT_UNITS = frozenset({"KILOGRAM", "POUND"})

# Limits of Create Product (API 202309): at most 9 main images, 3 sales attribute types per SKU,
# 300 SKUs per product in US and GB shops, and seller_sku of 1 to 50 characters without spaces.
MAIN_IMAGES_MAX = 9
SALES_ATTRIBUTES_MAX = 3
SKUS_MAX = 300
SELLER_SKU_MAX_LENGTH = 50
TITLE_MAX_LENGTH = 255


class ProductDataError(ValueError):
    """A master product lacks data that TikTok requires, so retrying cannot help until the product changes."""

    def __init__(self, group_sku: str, problems: list[str]) -> None:
        super().__init__(f"product {group_sku!r} cannot be pushed to TikTok: " + "; ".join(problems))
        self.group_sku = group_sku
        self.problems = problems


def group_sku(product: dict[str, Any]) -> str:
    """Return the master SKU that names the product's TikTok product: the parent of a variant, else its own SKU."""
    return product.get("parent_sku") or product["sku"]


def syncs_to(product: dict[str, Any], integration_id: str) -> bool:
    """Return whether the product's channel options for this integration allow syncing (default yes)."""
    for option in product.get("channel_options") or []:
        if option.get("integration_id") == integration_id:
            return bool(option.get("sync_to_channel", True))
    return True


def split_group(
    group: str, masters: list[dict[str, Any]], integration_id: str
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Return the head master (parent or simple) of a group and the masters that become TikTok SKUs.

    Deleted masters and masters whose channel options turn sync off for this
    integration are left out, so an edit removes their SKUs from TikTok.
    """
    head = next((m for m in masters if m["sku"] == group), None)
    live = [m for m in masters if m.get("status") != "deleted" and syncs_to(m, integration_id)]
    if head is not None and head.get("product_type") == "parent":
        sellable = [m for m in live if m.get("parent_sku") == group]
    else:
        sellable = [m for m in live if m["sku"] == group]
    return head, sorted(sellable, key=lambda m: m["sku"])


def build_product_body(
    *,
    group: str,
    head: dict[str, Any] | None,
    skus: list[dict[str, Any]],
    default_category_id: str | None,
    warehouse_id: str | None,
    sku_ids: dict[str, str],
) -> dict[str, Any]:
    """Build a Create Product or Edit Product body (API 202309), or raise ProductDataError naming every missing field.

    `sku_ids` maps seller SKUs to the TikTok SKU ids of an existing product: an
    edit must send them, because TikTok deletes the SKUs an edit leaves out and
    creates new ones for entries without an id. New SKUs get 0 units in
    `warehouse_id`; the inventory push sets the real quantities later.
    """
    if head is None:
        raise ProductDataError(group, [f"parent product {group!r} has not been received from the catalog"])
    problems = _product_problems(head, skus, default_category_id, warehouse_id, sku_ids)
    if problems:
        raise ProductDataError(group, problems)

    # TODO: real TikTok takes only URIs returned by its image upload; catalog image URLs are sent as they are.
    images = head.get("images") or next((m["images"] for m in skus if m.get("images")), [])
    body: dict[str, Any] = {
        "title": head["title"],
        "description": head["description"],
        "category_id": _category_id(head, skus, default_category_id),
        "main_images": [{"uri": uri} for uri in images[:MAIN_IMAGES_MAX]],
        "package_weight": _package_weight(head, skus),
        "skus": [_sku_body(master, sku_ids, warehouse_id, several=len(skus) > 1) for master in skus],
    }
    return body


def _product_problems(
    head: dict[str, Any],
    skus: list[dict[str, Any]],
    default_category_id: str | None,
    warehouse_id: str | None,
    sku_ids: dict[str, str],
) -> list[str]:
    problems = []
    if head.get("status") == "deleted":
        problems.append("the product is deleted in the catalog; end the TikTok listing in TikTok Shop")
    if not (head.get("title") or "").strip():
        problems.append("title is missing")
    elif len(head["title"]) > TITLE_MAX_LENGTH:
        problems.append(f"title is longer than {TITLE_MAX_LENGTH} characters")
    if not (head.get("description") or "").strip():
        problems.append("description is missing")
    if not _category_id(head, skus, default_category_id):
        problems.append(
            f"category is missing: set the attribute {CATEGORY_ATTRIBUTE!r} to a TikTok leaf category id, "
            "or the integration setting defaultCategoryId"
        )
    if not head.get("images") and not any(m.get("images") for m in skus):
        problems.append("images are missing: TikTok needs at least one main image")
    problems.extend(_weight_problems(head, skus))

    if not skus:
        problems.append("no SKU to push: a parent needs at least one variant that is not deleted")
    if len(skus) > SKUS_MAX:
        problems.append(f"{len(skus)} variants exceed TikTok's maximum of {SKUS_MAX} SKUs per product")
    if warehouse_id is None and any(m["sku"] not in sku_ids for m in skus):
        problems.append("the shop has no sales warehouse to list new SKUs in; reconnect the shop")
    for master in skus:
        problems.extend(_sku_problems(master, several=len(skus) > 1))
    return problems


def _sku_problems(master: dict[str, Any], *, several: bool) -> list[str]:
    sku = master["sku"]
    problems = []
    if len(sku) > SELLER_SKU_MAX_LENGTH or " " in sku:
        problems.append(
            f"SKU {sku!r} is not a valid TikTok seller_sku (1 to {SELLER_SKU_MAX_LENGTH} characters, no spaces)"
        )
    if not _positive(master.get("price")):
        problems.append(f"price of SKU {sku!r} is missing")
    elif not master.get("currency"):
        problems.append(f"currency of SKU {sku!r} is missing")
    if several:
        attributes = _sales_attributes(master)
        if not attributes:
            problems.append(f"variant {sku!r} has no attributes (such as Color or Size) to tell it apart")
        elif len(attributes) > SALES_ATTRIBUTES_MAX:
            problems.append(f"variant {sku!r} has {len(attributes)} attributes; TikTok allows {SALES_ATTRIBUTES_MAX}")
    return problems


def _weight_problems(head: dict[str, Any], skus: list[dict[str, Any]]) -> list[str]:
    attributes = _merged_attributes(head, skus)
    value = attributes.get(WEIGHT_ATTRIBUTE)
    unit = attributes.get(WEIGHT_UNIT_ATTRIBUTE, "KILOGRAM")
    problems = []
    if not _positive(value):
        problems.append(f"package weight is missing: set the attribute {WEIGHT_ATTRIBUTE!r} to a positive decimal")
    if unit not in WEIGHT_UNITS:
        problems.append(f"{WEIGHT_UNIT_ATTRIBUTE} {unit!r} is invalid: use KILOGRAM or POUND")
    return problems


def _merged_attributes(head: dict[str, Any], skus: list[dict[str, Any]]) -> dict[str, str]:
    """Return the head's attributes, with gaps filled from the first variant that has them."""
    merged: dict[str, str] = {}
    for master in reversed(skus):
        merged.update(master.get("attributes") or {})
    merged.update(head.get("attributes") or {})
    return merged


def _category_id(head: dict[str, Any], skus: list[dict[str, Any]], default: str | None) -> str | None:
    return _merged_attributes(head, skus).get(CATEGORY_ATTRIBUTE) or default or None


def _package_weight(head: dict[str, Any], skus: list[dict[str, Any]]) -> dict[str, str]:
    attributes = _merged_attributes(head, skus)
    return {"value": str(attributes[WEIGHT_ATTRIBUTE]), "unit": attributes.get(WEIGHT_UNIT_ATTRIBUTE, "KILOGRAM")}


def _sales_attributes(master: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"name": name, "value_name": value}
        for name, value in sorted((master.get("attributes") or {}).items())
        if name not in PUSH_ATTRIBUTES and value
    ]


def _sku_body(master: dict[str, Any], sku_ids: dict[str, str], warehouse_id: str | None, *, several: bool) -> dict:
    entry: dict[str, Any] = {
        "seller_sku": master["sku"],
        "price": {"amount": str(master["price"]), "currency": master["currency"]},
    }
    if several:
        entry["sales_attributes"] = _sales_attributes(master)
    if master["sku"] in sku_ids:
        # Leaving out `inventory` keeps TikTok's stock, which the inventory push owns.
        entry["id"] = sku_ids[master["sku"]]
        return entry

    entry["inventory"] = [{"warehouse_id": warehouse_id, "quantity": 0}]
    identifier = _identifier_code(master.get("gtin"))
    if identifier is not None:
        # TikTok lets the identifier code change only while the product is a draft, so only new SKUs send it.
        entry["identifier_code"] = identifier
    return entry


def _identifier_code(gtin: str | None) -> dict[str, str] | None:
    if not gtin or not gtin.isdigit():
        return None
    kind = {8: "EAN", 12: "UPC", 13: "EAN", 14: "GTIN"}.get(len(gtin))
    return {"code": gtin, "type": kind} if kind else None


def _positive(value: Any) -> bool:
    try:
        return value is not None and Decimal(str(value)) > 0
    except InvalidOperation:
        return False
