"""Authorization and seller endpoints: which shops a token covers. None of them takes `shop_cipher`."""

from fastapi import APIRouter

from crossdock_sandbox.tiktok import errors
from crossdock_sandbox.tiktok.gateway import OpenApiCall, SellerCall
from crossdock_sandbox.tiktok.views import shop_view

router = APIRouter(tags=["authorization"])


@router.get("/authorization/202309/shops")
async def get_authorized_shops(call: SellerCall) -> dict:
    """List the shops the seller authorized for this app, with the cipher of each."""
    return errors.envelope({"shops": [shop_view(shop) for shop in _granted_shops(call)]})


@router.get("/seller/202309/shops")
async def get_active_shops(call: SellerCall) -> dict:
    """List the seller's active shops with id and region."""
    return errors.envelope({"shops": [{"id": shop.id, "region": shop.region} for shop in _granted_shops(call)]})


@router.get("/seller/202309/permissions")
async def get_seller_permissions(call: SellerCall) -> dict:
    """List the seller's permissions; sandbox sellers have none beyond local selling."""
    return errors.envelope({"permissions": []})


def _granted_shops(call: OpenApiCall) -> list:
    seller = call.runtime.store.sellers[call.grant.seller_open_id]
    return [call.runtime.store.shops[shop_id] for shop_id in seller.shop_ids]
