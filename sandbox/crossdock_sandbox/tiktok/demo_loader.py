"""Load the TikTok side of the demo catalog into a shop: one ACTIVATE product per family, its variants as SKUs."""

import logging
from dataclasses import dataclass, field

from crossdock_sandbox.demo_catalog import Listing, build_demo_catalog
from crossdock_sandbox.tiktok.store import Product, SandboxStore, Shop, Sku

logger = logging.getLogger(__name__)

# Demo products carry this prefix plus their family code in `external_product_id`, so a reload finds them.
EXTERNAL_ID_PREFIX = "crossdock-demo:"
# Attribute ids for colour and size. TikTok assigns them per category, and the sandbox only needs stable values.
COLOUR_ATTRIBUTE_ID = "100000"
SIZE_ATTRIBUTE_ID = "100007"


@dataclass(kw_only=True)
class CatalogLoad:
    """Counts and ids of one catalog load, as the admin API returns them."""

    shop_id: str
    products_created: int = 0
    products_existing: int = 0
    skus: int = 0
    product_ids: list[str] = field(default_factory=list)


def load_demo_catalog(store: SandboxStore, shop: Shop, *, now: int) -> CatalogLoad:
    """Add the demo products the shop does not have yet; products from an earlier load stay unchanged."""
    existing = {
        product.external_product_id: product
        for product in store.products.values()
        if product.shop_id == shop.id and product.external_product_id.startswith(EXTERNAL_ID_PREFIX)
    }
    warehouse_ids = [w.id for w in store.shop_warehouses(shop.id) if w.type == "SALES_WAREHOUSE"]
    categories = _category_ids()
    result = CatalogLoad(shop_id=shop.id)

    for group_code, listings in _groups(build_demo_catalog().tiktok).items():
        product = existing.get(EXTERNAL_ID_PREFIX + group_code)
        if product is None:
            product = _new_product(store, shop, listings, warehouse_ids=warehouse_ids, categories=categories, now=now)
            result.products_created += 1
        else:
            result.products_existing += 1
        result.product_ids.append(product.id)
        result.skus += len(product.skus)

    logger.info(
        "demo catalog loaded",
        extra={"shop_id": shop.id, "products_created": result.products_created, "skus": result.skus},
    )
    return result


def _groups(listings: tuple[Listing, ...]) -> dict[str, list[Listing]]:
    groups: dict[str, list[Listing]] = {}
    for listing in listings:
        groups.setdefault(listing.group_code, []).append(listing)
    return groups


def _category_ids() -> dict[str, str]:
    """Give every demo category a stable numeric id, as TikTok categories have."""
    codes = sorted({listing.product.category_code for listing in build_demo_catalog().tiktok})
    return {code: str(601000 + index) for index, code in enumerate(codes)}


def _new_product(
    store: SandboxStore,
    shop: Shop,
    listings: list[Listing],
    *,
    warehouse_ids: list[str],
    categories: dict[str, str],
    now: int,
) -> Product:
    first = listings[0].product
    family = next((f for f in build_demo_catalog().families if f.code == first.family_code), None)
    title = family.title if family is not None else first.title
    product = Product(
        id=store.ids.numeric(),
        shop_id=shop.id,
        title=title,
        description=f"<p>{first.description}</p>",
        category_id=categories[first.category_code],
        status="ACTIVATE",
        skus=[_sku(store, shop, listing, warehouse_ids) for listing in listings],
        create_time=now,
        update_time=now,
        main_images=[{"uri": url} for url in dict.fromkeys(listing.product.image_url for listing in listings)],
        external_product_id=EXTERNAL_ID_PREFIX + listings[0].group_code,
        product_attributes=[{"id": "100099", "name": "Brand", "values": [{"id": "", "name": first.brand}]}],
    )
    store.products[product.id] = product
    return product


def _sku(store: SandboxStore, shop: Shop, listing: Listing, warehouse_ids: list[str]) -> Sku:
    variant = listing.product
    attributes = []
    if variant.colour:
        attributes.append({"id": COLOUR_ATTRIBUTE_ID, "name": "Color", "value_name": variant.colour.capitalize()})
    if variant.size:
        attributes.append({"id": SIZE_ATTRIBUTE_ID, "name": "Size", "value_name": variant.size})
    for attribute in attributes:
        attribute["value_id"] = store.ids.numeric()
    return Sku(
        id=store.ids.numeric(),
        seller_sku=listing.seller_sku,
        sale_price=variant.price,
        currency=shop.currency,
        # Spread the stock so that warehouses differ and some run out.
        inventory={warehouse_id: (variant.stock + 23 * index) % 60 for index, warehouse_id in enumerate(warehouse_ids)},
        sales_attributes=attributes,
        identifier_code={"code": variant.gtin, "type": "GTIN"},
    )
