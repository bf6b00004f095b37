"""TikTok Shop error codes, the API error type and the response envelope.

Business errors come back with HTTP 200 and a non-zero `code`; gateway errors
(signing, tokens, rate limit, unknown path) carry an HTTP error status as well.
"""

import itertools
import secrets
import time

# Gateway and common errors (TikTok Shop "common errors" page, API 202309).
TOO_MANY_REQUESTS = 36009002
INTERNAL_ERROR = 36009003
INVALID_COMMON_PARAMETER = 36009004
REQUEST_TIMEOUT = 36009007
INVALID_PATH = 36009009
INVALID_METHOD = 36009010
BODY_NOT_JSON = 36009022
ACCESS_TOKEN_EXPIRED = 105002
INVALID_SIGN = 106001
SHOP_CIPHER_MISSING = 106013

# Token endpoint errors.
REFRESH_TOKEN_EXPIRED = 36004001
INVALID_AUTH_CODE = 36004004
AUTH_RECORD_NOT_FOUND = 36004005

# Product and inventory errors.
PRODUCT_PAGE_TOKEN_INVALID = 12019108
PRODUCT_PAGE_SIZE_INVALID = 12019109
SELLER_SKUS_FILTER_TOO_LONG = 12019027
SKU_IDS_FILTER_TOO_LONG = 12019087
INVENTORY_WAREHOUSES_INCOMPLETE = 12019028
CHECK_FAILED = 12052990
PRODUCT_NOT_FOUND = 12052032
PRODUCT_NOT_EDITABLE = 12052048
SKU_ID_REQUIRED = 12052036
INVENTORY_QUANTITY_OUT_OF_LIMITS = 12052055
WAREHOUSE_NOT_FOUND = 12052097
WAREHOUSES_CHANGED = 12052533
SKU_NOT_FOUND = 12052556
PRODUCT_STATUS_NOT_ALLOWED = 12052901
PRODUCT_DESCRIPTION_REQUIRED = 12052015
PRODUCT_CATEGORY_INVALID = 12052025
PRODUCT_MAIN_IMAGE_REQUIRED = 12052028
PRODUCT_TITLE_TOO_LONG = 12052051
PRODUCT_PRICE_INVALID = 12052073
PRODUCT_WEIGHT_INVALID = 12019011

# Order, logistics and fulfillment errors.
ORDER_NOT_OWNED = 21008111
FULFILLMENT_INVALID_PARAMETERS = 21001001
FULFILLED_BY_PLATFORM = 21008025
ALREADY_SHIPPED = 21008099
REGION_NOT_SUPPORTED = 21008106
INVALID_TRACKING_OR_PROVIDER = 21011022
PACKAGE_NOT_OWNED = 21011028
ORDER_CANCELLED = 21011041
MULTIPLE_PACKAGES_TO_SHIP = 21011048
TRACKING_UPDATE_WINDOW_PASSED = 21011050
TRACKING_UPDATED_ONCE = 21011051
SPLIT_INVALID_PARAMETERS = 21011005
SPLIT_NOT_ALLOWED = 21011035
SELLER_SHIPPING_DOCUMENT = 21008017
PLATFORM_PACKAGE_DOCUMENT = 21008043
ARRANGE_SHIPMENT_FIRST = 21023035
PLATFORM_DELIVERY_OPTION = 21008117
ORDERS_NOT_AWAITING_SHIPMENT = 21042057

# Cancellation errors.
CANCEL_INVALID_PARAMETER = 25001001
CANCEL_ALREADY_IN_PROCESS = 25001011
CANCEL_AFTER_SHIPMENT = 25001045
CANCEL_ORDER_CLOSED = 25001051
CANCEL_LINE_ITEMS_NOT_SUPPORTED = 25005010


class TikTokApiError(Exception):
    """An error the sandbox returns in the TikTok envelope, with its HTTP status."""

    def __init__(self, code: int, message: str, *, http_status: int = 200, data: dict | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status
        self.data = data


_request_counter = itertools.count(1)


def new_request_id() -> str:
    """Return a request id shaped like TikTok's: a UTC timestamp followed by upper-case hex."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    return f"{stamp}{next(_request_counter) % 10000:04d}{secrets.token_hex(8).upper()}"


def envelope(data: dict | None, *, code: int = 0, message: str = "Success", request_id: str | None = None) -> dict:
    """Wrap `data` in the `{code, message, request_id, data}` envelope of every TikTok response."""
    return {"code": code, "message": message, "request_id": request_id or new_request_id(), "data": data}
