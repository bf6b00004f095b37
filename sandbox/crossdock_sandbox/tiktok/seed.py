"""Deterministic sandbox data: the same seed value always yields the same ids and records.

The default data set has two apps, two sellers and four shops:
- seller "Crossdock Sandbox Seller" owns a US shop (two sales warehouses and a return
  warehouse), a GB shop and an MY shop, so region rules can be exercised;
- the reference seller owns the shop, warehouse, product, SKU and order ids used by the
  public API reference samples, so those sample requests are accepted unchanged.
Products include a SKU shared by the US and GB shops, a seller SKU used by two different
US products (a conflict) and SKUs that differ only by case or a trailing space.
"""

from crossdock_sandbox.tiktok.store import (
    FULFILLMENT_BY_SELLER,
    FULFILLMENT_BY_TIKTOK,
    App,
    DeliveryOption,
    LineItem,
    Order,
    Product,
    SandboxStore,
    Seller,
    ShippingProvider,
    Shop,
    Sku,
    Warehouse,
)

DEFAULT_SEED = 1
DEFAULT_APP_KEY = "crossdock-sandbox"
DEFAULT_APP_SECRET = "crossdock-sandbox-secret"
DEFAULT_SERVICE_ID = "7100000000000000001"
# Key and secret of the official signing example, so its sample calls verify here.
REFERENCE_APP_KEY = "29a39d"
REFERENCE_APP_SECRET = "e59af819cc"

REFERENCE_SHOP_ID = "7000714532876273420"
REFERENCE_SHOP_CIPHER = "GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3"

PROVIDER_NAMES = {
    "US": ["USPS", "UPS", "FedEx"],
    "GB": ["Royal Mail", "DPD"],
    "MY": ["J&T Express", "Pos Malaysia"],
}
CURRENCIES = {"US": "USD", "GB": "GBP", "MY": "MYR"}
ORDER_STATUS_MIX = (
    "UNPAID",
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "AWAITING_SHIPMENT",
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
    "CANCELLED",
)


def build_store(*, seed: int = DEFAULT_SEED, redirect_url: str, now: int, orders_per_shop: int = 12) -> SandboxStore:
    """Create the default data set for `seed`; ids depend only on the seed, times on `now`."""
    store = SandboxStore.empty(seed=seed)
    store.apps[DEFAULT_APP_KEY] = App(
        app_key=DEFAULT_APP_KEY, app_secret=DEFAULT_APP_SECRET, redirect_url=redirect_url, service_id=DEFAULT_SERVICE_ID
    )
    store.apps[REFERENCE_APP_KEY] = App(
        app_key=REFERENCE_APP_KEY,
        app_secret=REFERENCE_APP_SECRET,
        redirect_url=redirect_url,
        service_id="7100000000000000002",
    )

    seller = Seller(open_id="sandbox-seller-" + store.ids.token(8), name="Crossdock Sandbox Seller", base_region="US")
    store.sellers[seller.open_id] = seller
    us = add_shop(store, seller=seller, name="Sandbox US Shop", region="US", sales_warehouses=2)
    gb = add_shop(store, seller=seller, name="Sandbox GB Shop", region="GB", sales_warehouses=1)
    my = add_shop(
        store, seller=seller, name="Sandbox MY Shop", region="MY", sales_warehouses=1, seller_type="CROSS_BORDER"
    )

    _seed_catalog(store, us=us, gb=gb, my=my, now=now)
    for shop in (us, gb, my):
        _seed_orders(store, shop, count=orders_per_shop, now=now)

    add_reference_data(store, redirect_url=redirect_url, now=now)
    return store


def add_shop(
    store: SandboxStore,
    *,
    seller: Seller,
    name: str,
    region: str,
    sales_warehouses: int,
    seller_type: str = "LOCAL",
    shop_id: str | None = None,
    cipher: str | None = None,
) -> Shop:
    """Add a shop with its sales and return warehouses, delivery options and shipping providers."""
    ids = store.ids
    shop = Shop(
        id=shop_id or ids.numeric(),
        name=name,
        region=region,
        cipher=cipher or ("ROW_" if region != "US" else "TTP_") + ids.token(27),
        code=region + ids.token(10).upper(),
        seller_type=seller_type,
        currency=CURRENCIES.get(region, "USD"),
        seller_open_id=seller.open_id,
    )
    store.shops[shop.id] = shop
    seller.shop_ids.append(shop.id)

    providers = [
        ShippingProvider(id=ids.numeric(), name=provider)
        for provider in PROVIDER_NAMES.get(region, ["Sandbox Courier"])
    ]
    for provider in providers:
        store.shipping_providers[provider.id] = provider
    seller_option = DeliveryOption(
        id=ids.numeric(), name="Shipped by seller", type="STANDARD", provider_ids=[p.id for p in providers]
    )
    platform_option = DeliveryOption(
        id=ids.numeric(), name="TikTok Shipping Standard", type="STANDARD", platform_fulfilled=True
    )
    store.delivery_options[seller_option.id] = seller_option
    store.delivery_options[platform_option.id] = platform_option

    for index in range(sales_warehouses):
        warehouse = Warehouse(
            id=ids.numeric(),
            shop_id=shop.id,
            name=f"{name} warehouse {index + 1}",
            is_default=index == 0,
            region_code=region,
            delivery_option_ids=[seller_option.id, platform_option.id],
        )
        store.warehouses[warehouse.id] = warehouse
    returns = Warehouse(
        id=ids.numeric(), shop_id=shop.id, name=f"{name} returns", type="RETURN_WAREHOUSE", region_code=region
    )
    store.warehouses[returns.id] = returns
    return shop


def add_product(
    store: SandboxStore,
    *,
    shop: Shop,
    title: str,
    seller_skus: list[str],
    now: int,
    status: str = "ACTIVATE",
    product_id: str | None = None,
    sku_ids: list[str] | None = None,
    price: str = "19.99",
) -> Product:
    """Add a product with one SKU per seller SKU, stocked in every sales warehouse of the shop."""
    sales = [w for w in store.shop_warehouses(shop.id) if w.type == "SALES_WAREHOUSE"]
    skus = []
    for index, seller_sku in enumerate(seller_skus):
        sku = Sku(
            id=sku_ids[index] if sku_ids else store.ids.numeric(),
            seller_sku=seller_sku,
            sale_price=price,
            currency=shop.currency,
            inventory={w.id: store.ids.randint(0, 200) for w in sales},
            sales_attributes=[
                {"id": "100000", "name": "Color", "value_id": str(100000 + index), "value_name": f"Colour {index + 1}"}
            ],
        )
        skus.append(sku)
    product = Product(
        id=product_id or store.ids.numeric(),
        shop_id=shop.id,
        title=title,
        description=f"<p>{title}</p>",
        category_id="600001",
        status=status,
        skus=skus,
        create_time=now - 30 * 86400,
        update_time=now - 86400,
        main_images=[{"uri": "tos-sandbox/main-image"}],
    )
    store.products[product.id] = product
    return product


def add_order(
    store: SandboxStore,
    *,
    shop: Shop,
    lines: list[tuple[Sku, int]],
    status: str,
    now: int,
    fulfillment_type: str = FULFILLMENT_BY_SELLER,
    shipping_type: str = "SELLER",
    order_id: str | None = None,
    line_ids: list[str] | None = None,
    create_time: int | None = None,
    sku_products: dict[str, Product] | None = None,
) -> Order:
    """Add an order with one line item per unit and the packages its status implies.

    `sku_products` maps SKU ids to their products; bulk callers pass it to skip a scan of the catalog per line.
    """
    from crossdock_sandbox.tiktok import order_flow

    warehouses = [w for w in store.shop_warehouses(shop.id) if w.type == "SALES_WAREHOUSE"]
    warehouse = warehouses[0] if warehouses else None
    options = [store.delivery_options[o] for o in (warehouse.delivery_option_ids if warehouse else [])]
    platform = shipping_type == "TIKTOK" or fulfillment_type == FULFILLMENT_BY_TIKTOK
    option = next((o for o in options if o.platform_fulfilled == platform), None)

    line_items = []
    pending_ids = list(line_ids or [])
    for sku, quantity in lines:
        if sku_products is not None:
            product = sku_products[sku.id]
        else:
            product = next(p for p in store.products.values() if sku in p.skus)
        for _ in range(quantity):
            line_items.append(
                LineItem(
                    id=pending_ids.pop(0) if pending_ids else store.ids.numeric(),
                    sku_id=sku.id,
                    product_id=product.id,
                    product_name=product.title,
                    sku_name=sku.sales_attributes[0]["value_name"] if sku.sales_attributes else sku.seller_sku,
                    seller_sku=sku.seller_sku,
                    sale_price=sku.sale_price,
                    original_price=sku.sale_price,
                    currency=shop.currency,
                    display_status=status,
                )
            )

    created = create_time if create_time is not None else now - 3600
    order = Order(
        id=order_id or store.ids.numeric(),
        shop_id=shop.id,
        status=status,
        fulfillment_type=fulfillment_type,
        shipping_type="TIKTOK" if fulfillment_type == FULFILLMENT_BY_TIKTOK else shipping_type,
        warehouse_id=warehouse.id if warehouse else "",
        delivery_option_id=option.id if option else "",
        delivery_option_name=option.name if option else "",
        recipient_address=_address(store, shop),
        line_items=line_items,
        create_time=created,
        update_time=created,
        user_id=store.ids.numeric(),
        buyer_email=f"buyer{store.ids.randint(1000, 9999)}@scs.tiktokw.us",
        currency=shop.currency,
        shipping_fee="4.99",
        paid_time=created + 60 if status != "UNPAID" else 0,
        is_on_hold_order=status == "ON_HOLD",
    )
    store.orders[order.id] = order

    if status in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING") or status in order_flow.SHIPPED_STATUSES:
        package = order_flow.new_package(store, order, list(line_items), now=created)
        if status in order_flow.SHIPPED_STATUSES or status == "PARTIALLY_SHIPPING":
            shipped_lines = line_items if status != "PARTIALLY_SHIPPING" else line_items[:1]
            if status == "PARTIALLY_SHIPPING" and len(line_items) > 1:
                package.line_item_ids = [line.id for line in shipped_lines]
                rest = order_flow.new_package(store, order, line_items[1:], now=created)
                rest.split_and_combine_tag = package.split_and_combine_tag = "SPLIT"
            provider_id = (
                (store.delivery_options[order.delivery_option_id].provider_ids or [""])[0]
                if order.delivery_option_id
                else ""
            )
            package.status = "COMPLETED" if status in ("DELIVERED", "COMPLETED") else "FULFILLING"
            package.tracking_number = "SBX" + store.ids.token(10).upper()
            package.shipping_provider_id = provider_id
            package.shipped_time = created + 600
            for line in shipped_lines:
                line.tracking_number = package.tracking_number
                line.shipping_provider_id = provider_id
                line.rts_time = created + 600
            for line in line_items[1:] if status == "PARTIALLY_SHIPPING" else []:
                line.display_status = "AWAITING_SHIPMENT"
    if status == "CANCELLED":
        order.cancel_time = created + 120
        order.cancellation_initiator = "BUYER"
        order.cancel_reason = "No longer needed"
        for line in line_items:
            line.cancel_user = "BUYER"
            line.cancel_reason = "No longer needed"
    return order


def add_reference_data(store: SandboxStore, *, redirect_url: str, now: int) -> None:
    """Add the seller, shop and records whose ids the API reference samples use."""
    seller = Seller(open_id="reference-seller", name="Maomao beauty shop", base_region="GB")
    store.sellers[seller.open_id] = seller
    shop = Shop(
        id=REFERENCE_SHOP_ID,
        name="Maomao beauty shop",
        region="GB",
        cipher=REFERENCE_SHOP_CIPHER,
        code="CNGBCBA4LLU8",
        seller_type="CROSS_BORDER",
        currency="USD",
        seller_open_id=seller.open_id,
    )
    store.shops[shop.id] = shop
    seller.shop_ids.append(shop.id)

    for provider_id, name in (
        ("6617675021119438849", "TT Virtual express"),
        ("7117858858072016686", "USPS"),
        ("12312312321323432", "Royal Mail"),
        ("6965352555291346690", "DPD"),
    ):
        store.shipping_providers[provider_id] = ShippingProvider(id=provider_id, name=name)
    seller_option = DeliveryOption(
        id="7091146663229654785",
        name="Standard Shipping",
        provider_ids=["6617675021119438849", "7117858858072016686", "12312312321323432", "6965352555291346690"],
    )
    platform_option = DeliveryOption(id="6955034615128000261", name="LSV-TTS-STD", platform_fulfilled=True)
    store.delivery_options[seller_option.id] = seller_option
    store.delivery_options[platform_option.id] = platform_option
    for warehouse_id, name, is_default in (
        ("7068517275539719942", "Guangzhou", True),
        ("6955005333819123123", "Shenzhen", False),
    ):
        store.warehouses[warehouse_id] = Warehouse(
            id=warehouse_id,
            shop_id=shop.id,
            name=name,
            is_default=is_default,
            region_code="GB",
            delivery_option_ids=[seller_option.id, platform_option.id],
        )

    product = add_product(
        store,
        shop=shop,
        title="Short Boat Invisible Socks",
        seller_skus=["Color-Red-XM01", "Color-Red-XM001", "Color-Red-XM002"],
        sku_ids=["1729592969712207012", "1729592969712207013", "1729592969712207000"],
        product_id="1729592969712207008",
        now=now,
    )
    for sku in product.skus:
        sku.inventory = {"7068517275539719942": 50}

    sample_lines = [(product.skus[0], 1)]
    add_order(
        store,
        shop=shop,
        lines=sample_lines,
        status="AWAITING_SHIPMENT",
        now=now,
        order_id="576461413038785752",
        line_ids=["577086512123755123"],
        create_time=1619611561,
    )
    add_order(
        store,
        shop=shop,
        lines=sample_lines,
        status="AWAITING_SHIPMENT",
        now=now,
        shipping_type="TIKTOK",
        order_id="2882335594258860015",
        line_ids=["32132124331234"],
    )
    add_order(
        store,
        shop=shop,
        lines=[(product.skus[1], 2)],
        status="AWAITING_SHIPMENT",
        now=now,
        order_id="32131324123321",
        line_ids=["2321312321311", "2321312321312"],
    )
    add_order(
        store,
        shop=shop,
        lines=[(product.skus[2], 2)],
        status="AWAITING_SHIPMENT",
        now=now,
        order_id="577087614418520388",
        line_ids=["577087614418716996", "577087614418716997"],
    )
    add_order(
        store,
        shop=shop,
        lines=[(product.skus[0], 3)],
        status="AWAITING_SHIPMENT",
        now=now,
        order_id="576462377512830220",
        line_ids=["57646237751283022", "576462377512830223", "576462377512830224"],
    )


def _seed_catalog(store: SandboxStore, *, us: Shop, gb: Shop, my: Shop, now: int) -> None:
    add_product(
        store,
        shop=us,
        title="Trail Running Sock",
        seller_skus=["SOCK-TRAIL-S", "SOCK-TRAIL-M", "SOCK-TRAIL-L"],
        now=now,
    )
    add_product(store, shop=us, title="Merino Beanie", seller_skus=["CD-SHARED-001"], now=now)
    add_product(store, shop=us, title="Canvas Tote Bag", seller_skus=["CD-CONFLICT-001"], now=now)
    add_product(store, shop=us, title="Steel Water Bottle", seller_skus=["CD-CONFLICT-001"], now=now)
    add_product(store, shop=us, title="Leather Card Holder", seller_skus=["ABC-123 ", "abc-123"], now=now)
    add_product(
        store, shop=us, title="Retired Sun Hat", seller_skus=["HAT-SUN-OLD"], now=now, status="SELLER_DEACTIVATED"
    )
    add_product(store, shop=gb, title="Merino Beanie", seller_skus=["CD-SHARED-001"], now=now, price="15.00")
    add_product(
        store, shop=gb, title="Wool Scarf", seller_skus=["SCARF-WOOL-GREY", "SCARF-WOOL-NAVY"], now=now, price="22.50"
    )
    add_product(store, shop=my, title="Batik Sarong", seller_skus=["SARONG-BATIK-01"], now=now, price="45.00")


def _seed_orders(store: SandboxStore, shop: Shop, *, count: int, now: int) -> None:
    skus = [
        sku
        for product in store.products.values()
        if product.shop_id == shop.id and product.status == "ACTIVATE"
        for sku in product.skus
    ]
    for index in range(count):
        status = ORDER_STATUS_MIX[index % len(ORDER_STATUS_MIX)]
        lines = [(store.ids.choice(skus), store.ids.randint(1, 3)) for _ in range(store.ids.randint(1, 2))]
        fulfillment = FULFILLMENT_BY_TIKTOK if index % 5 == 2 else FULFILLMENT_BY_SELLER
        shipping = "TIKTOK" if index % 4 == 3 else "SELLER"
        if shop.region not in ("US", "GB") and status == "ON_HOLD":
            status = "AWAITING_SHIPMENT"
        add_order(
            store,
            shop=shop,
            lines=lines,
            status=status,
            now=now,
            fulfillment_type=fulfillment,
            shipping_type=shipping,
            create_time=now - (count - index) * 3600,
        )


def _address(store: SandboxStore, shop: Shop) -> dict:
    number = store.ids.randint(1, 999)
    return {
        "name": "Sandbox Buyer",
        "first_name": "Sandbox",
        "last_name": "Buyer",
        "phone_number": "(+1)213-***-1234",
        "full_address": f"{number} Example Street, Springfield",
        "address_line1": f"{number} Example Street",
        "address_line2": "",
        "address_line3": "",
        "address_line4": "",
        "address_detail": "",
        "postal_code": "12345",
        "region_code": shop.region,
        "post_town": "Springfield",
        "district_info": [{"address_level": "L0", "address_level_name": "Country", "address_name": shop.region}],
        "delivery_preferences": {"drop_off_location": ""},
    }
