"""Shop and platform reads: A01 account, V01 version, PC01 configuration, RE02 reasons, SH21 carriers."""

from fastapi import APIRouter, Response

from crossdock_sandbox.mirakl.api.deps import Store, caller
from crossdock_sandbox.mirakl.clock import format_datetime
from crossdock_sandbox.mirakl.errors import bad_request

router = APIRouter(prefix="/api")

REASON_TYPES = (
    "INCIDENT_CLOSE",
    "REFUND",
    "MPS_REFUND",
    "MESSAGING",
    "ORDER_MESSAGING",
    "MPS_ORDER_MESSAGING",
    "MPS_OFFER_MESSAGING",
    "OFFER_MESSAGING",
    "CANCELATION",
)
SANDBOX_VERSION = "3.220.0-sandbox"


@router.get("/version", tags=["V01"])
async def get_version(response: Response) -> dict:
    """V01: report the platform version; needs no key, so it proves the URL but not the key."""
    response.headers["Cache-Control"] = "no-store"
    return {"version": SANDBOX_VERSION}


@router.get("/account", tags=["A01"])
async def get_account(context: caller("A01"), store: Store) -> dict:
    """A01: return the shop's account information."""
    shop = context.shop
    orders = store.shop_orders(shop.shop_id)
    contact = {
        "civility": "MS",
        "firstname": "Alex",
        "lastname": "Sandbox",
        "street1": "1 rue du Port",
        "zip_code": "75001",
        "city": "Paris",
        "country": "FRA",
        "email": f"shop{shop.shop_id}@sandbox.invalid",
        "phone": "+33100000000",
    }
    return {
        "shop_id": shop.shop_id,
        "shop_name": shop.shop_name,
        "shop_state": "OPEN",
        "currency_iso_code": shop.currency_iso_code,
        "date_created": format_datetime(shop.date_created),
        "last_updated_date": format_datetime(shop.date_created),
        "is_professional": True,
        "premium": False,
        "model": "MARKETPLACE",
        "channels": [],
        "domains": [],
        "shipping_country": shop.shipping_country,
        "shipping": {"lead_time_to_ship": 2},
        "shipping_types": list(store.shipping_types),
        "shipping_zones": ["FR"],
        "shippings": [
            {
                "shipping_type_code": code,
                "shipping_type_label": value["label"],
                "shipping_zone_code": "FR",
                "shipping_zone_label": "France",
            }
            for code, value in store.shipping_types.items()
        ],
        "contact_informations": contact,
        "billing_info": {"owner": shop.shop_name, "bank_name": "Sandbox Bank", "iban": "FR7600000000000000000000000"},
        "default_billing_information": {
            "id": f"billing-{shop.shop_id}",
            "default_language": "fr",
            "registration_address": {
                "street_1": "1 rue du Port",
                "zip_code": "75001",
                "city": "Paris",
                "country_iso_code": "FRA",
            },
        },
        "pro_details": {"corporate_name": shop.shop_name, "identification_number": f"SIRET{shop.shop_id}"},
        "payment_details": {"paid_balance": 0, "payable_balance": 0, "pending_balance": 0},
        "payment_method_mandatory": False,
        "free_shipping": False,
        "evaluations_count": 0,
        "offers_count": len(store.shop_offers(shop.shop_id)),
        "orders_count": len(orders),
        "shop_additional_fields": [],
        "kyc": {"status": "APPROVED"},
    }


@router.get("/platform/configuration", tags=["PC01"])
async def get_platform_configuration(context: caller("PC01"), store: Store) -> dict:
    """PC01: return the platform features, including order acceptance mode and multi-shipment."""
    flags = store.platform
    return {
        "platform_name": "Crossdock Mirakl sandbox",
        "tenant_name": "crossdock-sandbox",
        "timezone": "UTC",
        "features": {
            "catalog": {
                "allow_shop_contribution_to_all_channels": False,
                "exclude_invalid_products": True,
                "list_of_multiple_values_separator": "|",
                "product_acceptance_by_channel": False,
                "product_data_validation_by_channel": False,
                "product_import_only_on_leaf": True,
            },
            "circular_economy_data_collection": False,
            "competitive_pricing_tool": False,
            "direct_payment_customer_store": {"activated": False, "refund_cancel_authorized": False},
            "disable_seller_alternative_carrier": False,
            "dropship": {"retail_pricing_enabled": False},
            "kyc_status_per_seller": False,
            "lead_time_to_ship_by_sellers_enabled": "YES",
            "multi_currency": False,
            "multi_payout_psp_per_seller": False,
            "no_reply_needed": False,
            "offer_prices_decimals": flags.offer_prices_decimals,
            "operator_csv_delimiter": flags.operator_csv_delimiter,
            "order_conditions": {
                "lead_time_to_ship": True,
                "maximum_order_quantity": False,
                "minimum_order_quantity": False,
                "package_order_quantity": False,
            },
            "order_tax_mode": flags.order_tax_mode,
            "order_workflows": {
                "no_customer_payment_confirmation": False,
                "order_acceptance": flags.order_acceptance,
                "pause_debit_workflow": False,
                "pay_on_due_date": False,
                "pay_on_shipment": False,
                "sellers_edit_shipping_origin": False,
                "shipping_and_billing_details_before_acceptance": flags.shipping_and_billing_details_before_acceptance,
            },
            "payment_confirmation": False,
            "pricing": {
                "channel_pricing": "DISABLED",
                "discount_period_required": False,
                "discount_price_creation_in_the_past_blocked": False,
                "scheduled_pricing": False,
                "volume_discount": False,
                "volume_pricing": False,
            },
            "product_data_validation_by_channel": False,
            "promotion": {"cart_promotion_campaign": False, "discount_campaign": False, "seller_promotion": False},
            "returns": {"marketplace": False},
            "shipment": {
                "multi_part_item_shipment": flags.multi_part_item_shipment,
                "multi_shipment": flags.multi_shipment,
            },
            "shop_tax_options": {"tax_identification_number": {"mandatory": False}},
            "tax_collection": {
                "activated": "NO",
                "product_tax_code_mandatory": False,
                "tax_collection_by_operator": False,
            },
            "tax_id_number": {"mandatory": False},
            "warehouses": {"geolocation": False, "restricted_countries": []},
        },
        "modules": {
            "mirakl_catalog_integrator": False,
            "mirakl_catalog_manager": False,
            "mirakl_catalog_transformer": False,
            "mirakl_platform_services": False,
            "offer_management": True,
            "order_management": True,
            "promotions": False,
            "quotes": False,
            "tax_manager": {"activated": False, "tax_provider": {"avalara": False, "vertex": False}},
        },
        "platform_configuration": {
            "customer_model": {"b2b": False, "b2c": True},
            "enhanced_seller_invoicing": {"enabled": False},
            "platform_model": {"drop_ship": False, "marketplace": True, "one_creditor": False},
        },
    }


@router.get("/reasons/{reason_type}", tags=["RE02"])
async def list_reasons(reason_type: str, context: caller("RE02"), store: Store) -> dict:
    """RE02: list the reasons of one type, such as CANCELATION or REFUND."""
    if reason_type not in REASON_TYPES:
        raise bad_request(f"The reason type '{reason_type}' is invalid; use one of {', '.join(REASON_TYPES)}.")
    reasons = store.reasons.get(reason_type, [])
    return {"reasons": reasons, "total_count": len(reasons)}


@router.get("/shipping/carriers", tags=["SH21"])
async def list_carriers(context: caller("SH21"), store: Store) -> dict:
    """SH21: list the platform carriers with their tracking URL templates."""
    return {"carriers": store.carriers}
