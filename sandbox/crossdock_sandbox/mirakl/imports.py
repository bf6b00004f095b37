"""Asynchronous import jobs: STO01 stock files, OF24 offer updates and P41 product files.

A job is accepted at once and applied when its processing delay has passed;
line errors do not fail the job but end up in its error report, as on Mirakl.
"""

import csv
import io
import logging
from typing import TYPE_CHECKING

from crossdock_sandbox.mirakl.errors import bad_request
from crossdock_sandbox.mirakl.models import ImportJob, Offer, Product

if TYPE_CHECKING:
    from crossdock_sandbox.mirakl.store import SandboxStore

logger = logging.getLogger(__name__)

STOCK_COLUMNS = ("offer-sku", "quantity", "warehouse-code", "update-delete")
PRODUCT_COLUMNS = ("sku", "product-id", "product-id-type", "title", "category")


def read_semicolon_csv(
    raw: bytes, *, required: tuple[str, ...], what: str
) -> tuple[list[str], list[dict[str, str]], list[str]]:
    """Parse a `;`-separated UTF-8 file, raising a 400 when the header lacks a required column."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise bad_request(f"The {what} file is not UTF-8 encoded.") from None

    lines = text.splitlines()
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in required if column not in header]
    if missing:
        raise bad_request(
            f"The {what} file header is missing the column(s) {', '.join(missing)}; expected {';'.join(required)}."
        )

    rows = [{(key or "").strip(): (value or "").strip() for key, value in row.items()} for row in reader]
    return header, rows, lines[1:]


def create_job(
    store: "SandboxStore", *, kind: str, shop_id: int, payload: object, lines_read: int, header: str = ""
) -> ImportJob:
    now = store.clock.monotonic()
    settings = store.settings
    number = store.next_import_number()
    import_id = store.new_uuid() if kind == "stock" else str(number)
    job = ImportJob(
        import_id=import_id,
        kind=kind,
        shop_id=shop_id,
        created_date=store.clock.now(),
        running_at=now + settings.import_waiting_seconds,
        done_at=now + settings.import_waiting_seconds + settings.import_running_seconds,
        payload=payload,
        lines_read=lines_read,
        header=header,
    )
    store.imports[import_id] = job
    return job


def apply_import(store: "SandboxStore", job: ImportJob) -> None:
    """Apply a finished job's lines to the shop's offers or the catalog, once."""
    appliers = {"stock": _apply_stock, "offers": _apply_offers, "products": _apply_products}
    appliers[job.kind](store, job)
    job.applied = True
    job.lines_in_success = job.lines_read - job.lines_in_error
    logger.info(
        "import applied",
        extra={
            "import_id": job.import_id,
            "kind": job.kind,
            "shop_id": job.shop_id,
            "lines_in_error": job.lines_in_error,
        },
    )


def _reject_line(job: ImportJob, number: int, reason: str, raw: str) -> None:
    job.error_lines.append((number, reason, raw))
    job.lines_in_error += 1


def _apply_stock(store: "SandboxStore", job: ImportJob) -> None:
    rows, raw_lines = job.payload
    offers = store.shop_offers(job.shop_id)
    warehouses = set(store.shops[job.shop_id].warehouse_codes)

    # Line numbers count the header as line 1, as spreadsheet users read them.
    for index, row in enumerate(rows):
        number = index + 2
        raw = raw_lines[index] if index < len(raw_lines) else ""
        sku = row.get("offer-sku", "")
        offer = offers.get(sku)
        warehouse = row.get("warehouse-code", "")
        action = row.get("update-delete", "").lower()
        quantity_text = row.get("quantity", "")

        if offer is None:
            _reject_line(job, number, f"The offer with SKU '{sku}' does not exist in the shop.", raw)
            continue
        if action not in ("", "update", "delete"):
            _reject_line(
                job,
                number,
                f"The update-delete value '{row.get('update-delete')}' is invalid; use update or delete.",
                raw,
            )
            continue
        if warehouse and warehouse not in warehouses:
            _reject_line(job, number, f"The warehouse code '{warehouse}' is unknown for this shop.", raw)
            continue
        if action == "delete":
            if not warehouse:
                _reject_line(job, number, "A delete line needs a warehouse-code.", raw)
                continue
            offer.warehouses.pop(warehouse, None)
            continue
        if not quantity_text.isdigit():
            _reject_line(job, number, f"The quantity '{quantity_text}' is not a whole number of zero or more.", raw)
            continue

        if warehouse:
            offer.warehouses[warehouse] = int(quantity_text)
        else:
            # A line without warehouse code sets the offer's global quantity.
            offer.warehouses.clear()
            offer.quantity = int(quantity_text)


def find_product(store: "SandboxStore", product_id: str, product_id_type: str) -> Product | None:
    wanted_type = product_id_type.upper()
    for product in store.products.values():
        if wanted_type in ("SKU", "PRODUCT_SKU") and product.product_sku == product_id:
            return product
        if (wanted_type, product_id) in product.references:
            return product
    return None


def _apply_offers(store: "SandboxStore", job: ImportJob) -> None:
    offers = store.shop_offers(job.shop_id)
    for index, item in enumerate(job.payload):
        number = index + 1
        raw = item.get("shop_sku", "")
        sku = item["shop_sku"]
        action = (item.get("update_delete") or "").lower()
        existing = offers.get(sku)

        if action == "delete":
            if existing is None:
                _reject_line(job, number, f"The offer with SKU '{sku}' does not exist and cannot be deleted.", raw)
                continue
            del offers[sku]
            job.offer_deleted += 1
            continue
        if action not in ("", "update"):
            _reject_line(job, number, f"The update_delete value '{item.get('update_delete')}' is invalid.", raw)
            continue

        product = find_product(store, item["product_id"], item["product_id_type"])
        if product is None:
            _reject_line(job, number, f"No product matches {item['product_id_type']} '{item['product_id']}'.", raw)
            continue
        if existing is not None and existing.product_sku != product.product_sku:
            _reject_line(
                job,
                number,
                "The product linked to the new offer is different from the product linked to the existing offer.",
                raw,
            )
            continue

        offer = _offer_from_update(store, job.shop_id, item, product, existing)
        offers[sku] = offer
        if existing is None:
            job.offer_inserted += 1
        else:
            job.offer_updated += 1


def _offer_from_update(
    store: "SandboxStore", shop_id: int, item: dict, product: Product, existing: Offer | None
) -> Offer:
    """Build the offer exactly from the sent fields: OF24 resets every field left out to its default."""
    discount = item.get("discount") or {}
    return Offer(
        offer_id=existing.offer_id if existing else store.next_offer_id(),
        shop_id=shop_id,
        shop_sku=item["shop_sku"],
        product_sku=product.product_sku,
        price=float(item["price"]),
        state_code=str(item["state_code"]),
        quantity=int(item.get("quantity") or 0),
        # NOTE: OF24 has no per-warehouse field; the sandbox drops warehouse
        # stock on update, which is a guess at what "reset" means for it.
        warehouses={},
        description=item.get("description") or "",
        internal_description=item.get("internal_description"),
        leadtime_to_ship=item.get("leadtime_to_ship"),
        logistic_class=item.get("logistic_class"),
        min_quantity_alert=item.get("min_quantity_alert"),
        min_order_quantity=item.get("min_order_quantity"),
        max_order_quantity=item.get("max_order_quantity"),
        package_quantity=item.get("package_quantity"),
        discount_price=discount.get("price"),
    )


def _apply_products(store: "SandboxStore", job: ImportJob) -> None:
    rows, raw_lines = job.payload
    for index, row in enumerate(rows):
        number = index + 2
        raw = raw_lines[index] if index < len(raw_lines) else ""
        missing = [column for column in PRODUCT_COLUMNS if not row.get(column)]
        if missing:
            _reject_line(job, number, f"Missing value for {', '.join(missing)}.", raw)
            continue
        if row["product-id-type"].upper() in ("SHOP_SKU", "SKU"):
            _reject_line(
                job, number, f"The product-id-type '{row['product-id-type']}' cannot identify a catalog product.", raw
            )
            continue

        reference = (row["product-id-type"].upper(), row["product-id"])
        product = find_product(store, row["product-id"], row["product-id-type"])
        if product is None:
            product_sku = f"MKP{100000000000 + len(store.products) + 1}"
            store.products[product_sku] = Product(
                product_sku=product_sku,
                title=row["title"],
                category_code=row["category"],
                category_label=row["category"],
                references=[reference],
                brand=row.get("brand", ""),
                variant_group_code=row.get("variant-group-code") or None,
            )
        else:
            product.title = row["title"]
            product.category_code = row["category"]
