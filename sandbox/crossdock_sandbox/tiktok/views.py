"""JSON shapes of sandbox records, field for field as the 202309 reference samples show them."""

from crossdock_sandbox.tiktok.store import LineItem, Order, Package, Product, SandboxStore, Shop, Sku, Warehouse


def shop_view(shop: Shop) -> dict:
    return {
        "id": shop.id,
        "name": shop.name,
        "region": shop.region,
        "seller_type": shop.seller_type,
        "cipher": shop.cipher,
        "code": shop.code,
    }


def warehouse_view(warehouse: Warehouse) -> dict:
    return {
        "id": warehouse.id,
        "entity_id": warehouse.id[::-1],
        "name": warehouse.name,
        "effect_status": warehouse.effect_status,
        "type": warehouse.type,
        "sub_type": warehouse.sub_type,
        "is_default": warehouse.is_default,
        "address": {
            "region": warehouse.region_code,
            "region_code": warehouse.region_code,
            "state": "State",
            "city": warehouse.name,
            # The reference schema spells this field "distict".
            "distict": "District",
            "town": "",
            "contact_person": "Warehouse desk",
            "first_name": "Warehouse",
            "last_name": "Desk",
            "first_name_local_script": "",
            "last_name_local_script": "",
            "postal_code": "10001",
            "full_address": f"1 Depot Road, {warehouse.name}",
            "phone_number": "(+1)212-***-0000",
            "address_line1": "1 Depot Road",
            "address_line2": "",
            "address_line3": "",
            "address_line4": "",
            "geolocation": {"latitude": "40.7128", "longitude": "-74.0060"},
        },
    }


def sku_view(sku: Sku) -> dict:
    return {
        "id": sku.id,
        "seller_sku": sku.seller_sku,
        "external_sku_id": sku.external_sku_id,
        "price": {"currency": sku.currency, "sale_price": sku.sale_price, "tax_exclusive_price": sku.sale_price},
        "inventory": [
            {"warehouse_id": warehouse_id, "quantity": quantity} for warehouse_id, quantity in sku.inventory.items()
        ],
        "sales_attributes": sku.sales_attributes,
        "identifier_code": sku.identifier_code,
        "status_info": {"status": "NORMAL"},
    }


def product_summary_view(product: Product) -> dict:
    """Render a product the way product search lists it."""
    return {
        "id": product.id,
        "title": product.title,
        "status": product.status,
        "skus": [sku_view(sku) for sku in product.skus],
        "sales_regions": [],
        "create_time": product.create_time,
        "update_time": product.update_time,
        "audit": {"status": product.audit_status},
        "has_draft": False,
        "is_not_for_sale": False,
    }


def product_detail_view(product: Product, shop: Shop) -> dict:
    """Render a product the way Get Product returns it."""
    return {
        "id": product.id,
        "status": product.status,
        "product_status": product.status,
        "title": product.title,
        "description": product.description,
        "category_chains": [
            {
                "id": product.category_id,
                "parent_id": "0",
                "local_name": f"Category {product.category_id}",
                "is_leaf": True,
            }
        ],
        "brand": {"id": product.brand_id, "name": ""} if product.brand_id else None,
        "main_images": product.main_images,
        "package_weight": product.package_weight,
        "package_dimensions": product.package_dimensions,
        "skus": [sku_view(sku) for sku in product.skus],
        "product_attributes": product.product_attributes,
        "external_product_id": product.external_product_id,
        "audit": {"status": product.audit_status},
        "create_time": product.create_time,
        "update_time": product.update_time,
        "is_cod_allowed": False,
        "is_not_for_sale": False,
        "has_draft": False,
        "sales_regions": [shop.region],
    }


def line_item_view(line: LineItem, package: Package | None) -> dict:
    return {
        "id": line.id,
        "sku_id": line.sku_id,
        "product_id": line.product_id,
        "product_name": line.product_name,
        "sku_name": line.sku_name,
        "sku_image": "",
        "seller_sku": line.seller_sku,
        "original_price": line.original_price,
        "sale_price": line.sale_price,
        "platform_discount": "0",
        "seller_discount": "0",
        "currency": line.currency,
        "display_status": line.display_status,
        "package_id": line.package_id,
        "package_status": package_line_status(package) if package else "TO_FULFILL",
        "tracking_number": line.tracking_number,
        "shipping_provider_id": line.shipping_provider_id,
        "shipping_provider_name": line.shipping_provider_name,
        "rts_time": line.rts_time,
        "is_gift": False,
        "cancel_user": line.cancel_user,
        "cancel_reason": line.cancel_reason,
        "sku_type": "NORMAL",
        "item_tax": [],
        "combined_listing_skus": [],
        "is_dangerous_good": False,
        "needs_prescription": False,
    }


def package_line_status(package: Package) -> str:
    if package.status == "CANCELLED":
        return "CANCELLED"
    if package.status == "COMPLETED":
        return "COMPLETED"
    if package.tracking_number:
        return "FULFILLING"
    return "TO_FULFILL"


def order_view(order: Order, store: SandboxStore) -> dict:
    """Render an order the way order search and Get Order Detail return it, with one line item per unit."""
    lines = order.line_items
    packages = store.order_packages(order.id)
    sub_total = sum(float(line.sale_price) for line in lines if line.display_status != "CANCELLED")
    total = sub_total + float(order.shipping_fee)
    address = order.recipient_address if order.status not in ("UNPAID", "ON_HOLD") else _withheld_address(order)
    shipped = next((package for package in packages if package.tracking_number), None)
    provider = store.shipping_providers.get(shipped.shipping_provider_id) if shipped else None

    return {
        "id": order.id,
        "status": order.status,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "paid_time": order.paid_time,
        "rts_time": order.rts_time,
        "rts_sla_time": order.create_time + 3 * 86400,
        "tts_sla_time": order.create_time + 5 * 86400,
        "shipping_due_time": order.create_time + 3 * 86400,
        "collection_due_time": order.create_time + 4 * 86400,
        "delivery_due_time": order.create_time + 10 * 86400,
        "delivery_sla_time": order.create_time + 10 * 86400,
        "cancel_order_sla_time": order.create_time + 86400,
        "delivery_option_required_delivery_time": order.create_time + 10 * 86400,
        "collection_time": order.collection_time,
        "delivery_time": order.delivery_time,
        "cancel_time": order.cancel_time,
        "request_cancel_time": order.cancel_time if order.is_buyer_request_cancel else 0,
        "fulfillment_type": order.fulfillment_type,
        "shipping_type": order.shipping_type,
        "delivery_type": order.delivery_type,
        "delivery_option_id": order.delivery_option_id,
        "delivery_option_name": order.delivery_option_name,
        "warehouse_id": order.warehouse_id,
        "user_id": order.user_id,
        "buyer_email": order.buyer_email,
        "buyer_message": order.buyer_message,
        "seller_note": order.seller_note,
        "cancel_reason": order.cancel_reason,
        "cancellation_initiator": order.cancellation_initiator,
        "is_cod": False,
        "is_sample_order": False,
        "is_on_hold_order": order.is_on_hold_order,
        "is_buyer_request_cancel": order.is_buyer_request_cancel,
        "is_replacement_order": False,
        "replaced_order_id": "",
        "is_exchange_order": False,
        "exchange_source_order_id": "",
        "has_updated_recipient_address": order.has_updated_recipient_address,
        "commerce_platform": "TIKTOK_SHOP",
        "order_type": "NORMAL",
        "split_or_combine_tag": "SPLIT" if len(packages) > 1 else "",
        "packages": [{"id": package.id} for package in packages],
        "tracking_number": shipped.tracking_number if shipped else "",
        "shipping_provider_id": shipped.shipping_provider_id if shipped else "",
        "shipping_provider": provider.name if provider else "",
        "payment_method_name": "CCDC",
        "need_upload_invoice": "NO_NEED",
        "recipient_address": address,
        "payment": {
            "currency": order.currency,
            "sub_total": _money(sub_total),
            "shipping_fee": order.shipping_fee,
            "seller_discount": "0",
            "platform_discount": "0",
            "total_amount": _money(total),
            "original_total_product_price": _money(sum(float(line.original_price) for line in lines)),
            "original_shipping_fee": order.shipping_fee,
            "shipping_fee_seller_discount": "0",
            "shipping_fee_platform_discount": "0",
            "shipping_fee_cofunded_discount": "0",
            "tax": "0",
            "product_tax": "0",
            "shipping_fee_tax": "0",
        },
        "line_items": [line_item_view(line, store.packages.get(line.package_id)) for line in lines],
    }


def package_view(package: Package, store: SandboxStore) -> dict:
    """Render a package the way Get Package Detail returns it."""
    order = store.orders[package.order_id]
    counts: dict[str, list[LineItem]] = {}
    for line in order.line_items:
        if line.id in package.line_item_ids:
            counts.setdefault(line.sku_id, []).append(line)
    provider = store.shipping_providers.get(package.shipping_provider_id)
    option = store.delivery_options.get(package.delivery_option_id)
    return {
        "package_id": package.id,
        "orders": [
            {
                "id": order.id,
                "skus": [
                    {"id": sku_id, "name": lines[0].sku_name, "image_url": "", "quantity": len(lines)}
                    for sku_id, lines in counts.items()
                ],
            }
        ],
        "package_status": package.status,
        "split_and_combine_tag": package.split_and_combine_tag,
        "has_multi_skus": len(counts) > 1,
        "note_tag": "BUYER_UNNOTED",
        "shipping_provider_name": provider.name if provider else "",
        "shipping_provider_id": package.shipping_provider_id,
        "shipping_type": package.shipping_type,
        "delivery_option_name": option.name if option else "",
        "delivery_option_id": package.delivery_option_id,
        "tracking_number": package.tracking_number,
        "last_mile_tracking_number": package.tracking_number,
        "pickup_slot": {"start_time": package.shipped_time, "end_time": package.shipped_time},
        "create_time": package.create_time,
        "update_time": package.update_time,
        "handover_method": package.handover_method,
        "order_line_item_ids": list(package.line_item_ids),
        "recipient_address": order.recipient_address,
        "sender_address": {
            "full_address": "1 Depot Road",
            "phone_number": "(+1)212-***-0000",
            "name": "Warehouse desk",
            "postal_code": "10001",
            "address_detail": "",
            "region_code": order.recipient_address.get("region_code", ""),
            "address_line1": "1 Depot Road",
            "address_line2": "",
            "address_line3": "",
            "address_line4": "",
        },
        "weight": package.weight or {"value": "0.5", "unit": "KILOGRAM"},
        "dimension": package.dimension or {"length": "10", "width": "10", "height": "10", "unit": "CM"},
    }


def _withheld_address(order: Order) -> dict:
    """TikTok withholds the address until the order is paid and past ON_HOLD; only the region shows."""
    return {
        "region_code": order.recipient_address.get("region_code", ""),
        "full_address": "",
        "name": "",
        "phone_number": "",
        "postal_code": "",
        "address_line1": "",
        "district_info": [],
    }


def _money(value: float) -> str:
    return f"{value:.2f}"
