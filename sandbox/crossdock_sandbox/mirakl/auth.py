"""Shop API-key authentication, role checks, shop selection and rate limits per operation.

The key travels raw in the `Authorization` header, without a `Bearer` prefix.
`shop_id` picks one of the key's shops and defaults to the key's first shop.
"""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from crossdock_sandbox.mirakl.errors import UNAUTHORIZED_MESSAGE, MiraklApiError, bad_request
from crossdock_sandbox.mirakl.models import ROLE_SHOP_ADMIN, ApiKey, Shop
from crossdock_sandbox.mirakl.ratelimits import CYCLE_OPERATIONS, PageRequest
from crossdock_sandbox.mirakl.store import SandboxStore

# Roles each operation accepts, from the security requirements of the seller OpenAPI.
OPERATION_ROLES: dict[str, frozenset[str]] = {
    "A01": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_SHOP_READ"}),
    "PC01": frozenset({ROLE_SHOP_ADMIN}),
    "RE02": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_ORDER_SETTINGS_READ"}),
    "SH21": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_SHIPPING_SETTINGS_READ"}),
    "OR11": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_ORDER_READ"}),
    "OR21": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_ORDER_ACCEPT"}),
    "OR23": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_ORDER_TRACKING_WRITE"}),
    "OR24": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_ORDER_SHIP"}),
    "OR29": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_ORDER_CANCEL"}),
    "OR30": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_ORDER_CANCEL"}),
    "ST01": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_ORDER_SHIP"}),
    "ST11": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_ORDER_READ"}),
    "ST23": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_ORDER_TRACKING_WRITE"}),
    "ST24": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_ORDER_SHIP"}),
    "OF21": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_OFFER_READ"}),
    "OF24": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_OFFER_WRITE"}),
    "OF02": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_OFFER_WRITE", "ROLE_PARTNER_OFFER_TRACKING_READ"}),
    "OF03": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_OFFER_WRITE", "ROLE_PARTNER_OFFER_TRACKING_READ"}),
    "STO01": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_OFFER_STOCK_WRITE"}),
    "STO02": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_OFFER_STOCK_WRITE"}),
    "STO03": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_OFFER_STOCK_WRITE"}),
    "P31": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_PRODUCT_READ"}),
    "P41": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_PRODUCT_WRITE"}),
    "P42": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_PRODUCT_WRITE"}),
    "P44": frozenset({ROLE_SHOP_ADMIN, "ROLE_PARTNER_PRODUCT_WRITE"}),
}

# Query parameters that move through a list rather than change what it lists.
PAGING_PARAMETERS = frozenset({"offset", "max", "limit", "page_token", "shop_id"})


@dataclass(frozen=True)
class ShopContext:
    """The authenticated caller of one request."""

    api_key: ApiKey
    shop: Shop
    operation: str

    @property
    def shop_id(self) -> int:
        return self.shop.shop_id


def get_store(request: Request) -> SandboxStore:
    return request.app.state.store


def authenticate(store: SandboxStore, request: Request) -> ApiKey:
    """Return the key's record, raising 401 for a missing, prefixed or unknown key."""
    raw = request.headers.get("authorization", "")
    api_key = store.api_keys.get(raw)
    if not raw or api_key is None:
        raise MiraklApiError(401, UNAUTHORIZED_MESSAGE)
    return api_key


def select_shop(store: SandboxStore, api_key: ApiKey, request: Request) -> Shop:
    raw = request.query_params.get("shop_id")
    if raw is None or raw == "":
        return store.shops[api_key.default_shop_id]
    try:
        shop_id = int(raw)
    except ValueError:
        raise bad_request(f"The shop_id '{raw}' is not a number.") from None
    if shop_id not in api_key.shop_ids or shop_id not in store.shops:
        raise MiraklApiError(403, f"The current user cannot access shop {shop_id}.")
    return store.shops[shop_id]


def page_request(operation: str, request: Request) -> PageRequest:
    """Describe a list request for the poll-cycle limiter."""
    params = request.query_params
    signature = tuple(
        sorted(
            (key, value) for key, value in params.multi_items() if key not in PAGING_PARAMETERS and key != "order_ids"
        )
    )
    if operation == "ST11":
        return PageRequest(walk_signature=signature, is_first_page="page_token" not in params)

    ids = (
        frozenset(part for part in params.get("order_ids", "").split(",") if part)
        if operation == "OR11"
        else frozenset()
    )
    try:
        offset = int(params.get("offset", "0") or 0)
    except ValueError:
        offset = 0
    return PageRequest(walk_signature=signature, is_first_page=offset == 0, ids=ids)


def shop_operation(operation: str) -> Callable:
    """Build the dependency for one seller operation: 401, then 403, then 429."""
    required_roles = OPERATION_ROLES[operation]

    def dependency(request: Request) -> ShopContext:
        store = get_store(request)
        request.state.operation = operation
        api_key = authenticate(store, request)
        shop = select_shop(store, api_key, request)
        if not api_key.allows(required_roles):
            raise MiraklApiError(
                403,
                f"The current user is not allowed to call {operation}; "
                f"it needs one of the roles {', '.join(sorted(required_roles))}.",
            )

        request.state.shop_id = shop.shop_id
        now = store.clock.monotonic()
        if operation in CYCLE_OPERATIONS:
            store.limiter.check_page(
                shop_id=shop.shop_id, operation=operation, page=page_request(operation, request), now=now
            )
        else:
            store.limiter.check_call(shop_id=shop.shop_id, operation=operation, now=now)
        return ShopContext(api_key=api_key, shop=shop, operation=operation)

    return dependency
