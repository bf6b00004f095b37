"""Warehouses, delivery options and shipping providers."""

from fastapi import APIRouter

from crossdock_sandbox.tiktok import errors
from crossdock_sandbox.tiktok.gateway import ShopCall
from crossdock_sandbox.tiktok.views import warehouse_view

router = APIRouter(tags=["logistics"])


@router.get("/logistics/202309/warehouses")
async def get_warehouse_list(call: ShopCall) -> dict:
    """List the shop's sales and return warehouses."""
    warehouses = call.runtime.store.shop_warehouses(call.require_shop().id)
    return errors.envelope({"warehouses": [warehouse_view(w) for w in warehouses]})


@router.get("/logistics/202309/warehouses/{warehouse_id}/delivery_options")
async def get_warehouse_delivery_options(warehouse_id: str, call: ShopCall) -> dict:
    """List the delivery options a warehouse offers."""
    store = call.runtime.store
    warehouse = store.warehouses.get(warehouse_id)
    if warehouse is None or warehouse.shop_id != call.require_shop().id:
        raise errors.TikTokApiError(
            errors.WAREHOUSE_NOT_FOUND, f"The warehouse {warehouse_id} does not exist in this shop"
        )

    options = [store.delivery_options[option_id] for option_id in warehouse.delivery_option_ids]
    return errors.envelope(
        {
            "delivery_options": [
                {
                    "id": option.id,
                    "name": option.name,
                    "type": option.type,
                    "description": "TikTok Shipping" if option.platform_fulfilled else "Shipped by seller",
                    "dimension_limit": {"max_height": 100, "max_length": 100, "max_width": 100, "unit": "CM"},
                    "weight_limit": {"max_weight": 30000, "min_weight": 1, "unit": "GRAM"},
                    "platform": ["TIKTOK_SHOP"],
                }
                for option in options
            ]
        }
    )


@router.get("/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers")
async def get_shipping_providers(delivery_option_id: str, call: ShopCall) -> dict:
    """List the carriers a seller may name for a delivery option; TikTok-shipped options have none."""
    store = call.runtime.store
    option = store.delivery_options.get(delivery_option_id)
    if option is None:
        raise errors.TikTokApiError(
            errors.FULFILLMENT_INVALID_PARAMETERS, f"The delivery option {delivery_option_id} does not exist"
        )
    if option.platform_fulfilled:
        raise errors.TikTokApiError(
            errors.PLATFORM_DELIVERY_OPTION,
            "The delivery of the specified delivery_option_id is fulfilled by TikTok. No shipping provider will be returned.",
        )

    providers = [store.shipping_providers[provider_id] for provider_id in option.provider_ids]
    return errors.envelope({"shipping_providers": [{"id": p.id, "name": p.name} for p in providers]})
