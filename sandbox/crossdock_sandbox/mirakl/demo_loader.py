"""Load the Mirakl side of the demo catalog into a shop: operator products plus the shop's offers."""

import logging
from dataclasses import dataclass
from decimal import Decimal

from crossdock_sandbox.demo_catalog import Listing, build_demo_catalog
from crossdock_sandbox.mirakl.models import Offer, Product
from crossdock_sandbox.mirakl.store import SandboxStore

logger = logging.getLogger(__name__)


@dataclass(kw_only=True)
class CatalogLoad:
    """Counts of one catalog load, as the admin API returns them."""

    shop_id: int
    products: int = 0
    offers_created: int = 0
    offers_updated: int = 0
    offers_removed: int = 0
    offers: int = 0


def product_sku(listing: Listing) -> str:
    """Return a listing's operator product SKU, derived from the GTIN so that reloading updates the same product."""
    return f"MKP{listing.product.gtin}"


def load_demo_catalog(store: SandboxStore, shop_id: int, *, replace: bool) -> CatalogLoad:
    """Add or update the demo products and the shop's offers for them.

    Offers are keyed by shop SKU, so loading twice updates the same offers. With
    `replace`, the shop's offers outside the demo catalog are removed first, and
    without it the seeded offers stay. Raises ValueError for a shop the store does not have.
    """
    shop = store.shops.get(shop_id)
    if shop is None:
        raise ValueError(f"shop_id {shop_id} is not a sandbox shop; use one of {sorted(store.shops)}")
    offers = store.shop_offers(shop_id)
    listings = build_demo_catalog().mirakl
    result = CatalogLoad(shop_id=shop_id)
    if replace:
        demo_skus = {listing.seller_sku for listing in listings}
        for shop_sku in [sku for sku in offers if sku not in demo_skus]:
            del offers[shop_sku]
            result.offers_removed += 1

    for listing in listings:
        variant = listing.product
        store.products[product_sku(listing)] = Product(
            product_sku=product_sku(listing),
            title=variant.title,
            category_code=variant.category_code,
            category_label=variant.category_label,
            references=[("EAN", variant.gtin)],
            brand=variant.brand,
            variant_group_code=variant.family_code,
        )
        result.products += 1

        offer = offers.get(listing.seller_sku)
        if offer is None:
            offer = Offer(
                offer_id=store.next_offer_id(),
                shop_id=shop_id,
                shop_sku=listing.seller_sku,
                product_sku=product_sku(listing),
                price=0.0,
            )
            offers[listing.seller_sku] = offer
            result.offers_created += 1
        else:
            result.offers_updated += 1
        _fill_offer(offer, listing, warehouse_codes=shop.warehouse_codes)

    result.offers = len(offers)
    logger.info(
        "demo catalog loaded",
        extra={"shop_id": shop_id, "offers_created": result.offers_created, "offers_updated": result.offers_updated},
    )
    return result


def _fill_offer(offer: Offer, listing: Listing, *, warehouse_codes: list[str]) -> None:
    variant = listing.product
    offer.product_sku = product_sku(listing)
    offer.price = float(Decimal(variant.price))
    offer.description = variant.title
    offer.leadtime_to_ship = 2
    offer.logistic_class = "M"
    offer.active = True
    if warehouse_codes:
        # Spread the stock so that warehouses differ and some run out.
        offer.warehouses = {code: (variant.stock + 23 * index) % 60 for index, code in enumerate(warehouse_codes)}
        offer.quantity = 0
    else:
        offer.warehouses = {}
        offer.quantity = variant.stock
