"""Checks every Open API call passes before its handler runs, in the order TikTok's gateway applies them.

App key, sign presence, rate limit, timestamp window, signature, access token and
`shop_cipher` are checked here. Gateway errors carry an HTTP error status; TikTok
documents the codes but not the statuses, so the statuses are an approximation.
"""

import enum
import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from crossdock_sandbox.tiktok import errors
from crossdock_sandbox.tiktok.runtime import SandboxRuntime, get_runtime
from crossdock_sandbox.tiktok.signing import sign_matches
from crossdock_sandbox.tiktok.store import App, Grant, Shop

# A timestamp may be at most 5 minutes old and at most 30 seconds ahead of server time.
TIMESTAMP_MAX_AGE_SECONDS = 300
TIMESTAMP_MAX_LEAD_SECONDS = 30


class CipherRule(enum.Enum):
    """Whether an endpoint takes `shop_cipher`: required on shop-scoped calls, forbidden on others."""

    REQUIRED = "required"
    FORBIDDEN = "forbidden"


@dataclass
class OpenApiCall:
    """A call that passed the gateway: its app, grant, shop (when shop-scoped) and raw body."""

    runtime: SandboxRuntime
    app: App
    grant: Grant
    shop: Shop | None
    body: bytes
    query: dict[str, str]

    @property
    def now(self) -> int:
        return self.runtime.clock.now_int()

    def json_body(self) -> dict[str, Any]:
        """Parse the body as a JSON object; an empty body counts as `{}`."""
        if not self.body.strip():
            return {}
        try:
            parsed = json.loads(self.body)
        except ValueError:
            raise errors.TikTokApiError(
                errors.BODY_NOT_JSON, "The request body must be valid JSON", http_status=400
            ) from None
        if not isinstance(parsed, dict):
            raise errors.TikTokApiError(errors.BODY_NOT_JSON, "The request body must be a JSON object", http_status=400)
        return parsed

    def require_shop(self) -> Shop:
        assert self.shop is not None, "endpoint declared CipherRule.REQUIRED"
        return self.shop


def open_api(cipher: CipherRule):
    """Return a dependency that runs the gateway checks for an endpoint with the given cipher rule."""

    async def check(request: Request, runtime: Annotated[SandboxRuntime, Depends(get_runtime)]) -> OpenApiCall:
        query = dict(request.query_params)
        body = await request.body()

        app = _check_app(runtime, query)
        _check_rate_limit(runtime, request, app, query)
        _check_timestamp(runtime, query)
        _check_sign(request, app, query, body)
        grant = runtime.tokens.resolve_access_token(
            token=request.headers.get("x-tts-access-token", ""), app_key=app.app_key
        )
        shop = _check_cipher(runtime, cipher, grant, query)
        return OpenApiCall(runtime=runtime, app=app, grant=grant, shop=shop, body=body, query=query)

    return check


ShopCall = Annotated[OpenApiCall, Depends(open_api(CipherRule.REQUIRED))]
SellerCall = Annotated[OpenApiCall, Depends(open_api(CipherRule.FORBIDDEN))]


def _check_app(runtime: SandboxRuntime, query: dict[str, str]) -> App:
    app = runtime.store.apps.get(query.get("app_key", ""))
    if app is None:
        raise errors.TikTokApiError(
            errors.INVALID_COMMON_PARAMETER, "Invalid app_key: it is missing or unknown", http_status=400
        )
    if not query.get("sign"):
        raise errors.TikTokApiError(errors.INVALID_COMMON_PARAMETER, "The sign parameter is missing", http_status=400)
    return app


def _check_rate_limit(runtime: SandboxRuntime, request: Request, app: App, query: dict[str, str]) -> None:
    route = request.scope.get("route")
    api = getattr(route, "path", request.scope["path"])
    key = (app.app_key, query.get("shop_cipher", ""), request.method, api)
    wait = runtime.rate_limiter.check(key, runtime.clock.now())
    if wait is not None:
        raise errors.TikTokApiError(
            errors.TOO_MANY_REQUESTS,
            f"Too many requests: at most {runtime.rate_limiter.limit} requests per second for this API, app and shop",
            http_status=429,
            data={"retry_after_seconds": round(wait, 3)},
        )


def _check_timestamp(runtime: SandboxRuntime, query: dict[str, str]) -> None:
    raw = query.get("timestamp", "")
    if not raw.isdigit():
        raise errors.TikTokApiError(
            errors.INVALID_COMMON_PARAMETER, "The timestamp parameter is missing or not Unix seconds", http_status=400
        )

    now = runtime.clock.now_int()
    timestamp = int(raw)
    if timestamp < now - TIMESTAMP_MAX_AGE_SECONDS:
        raise errors.TikTokApiError(
            errors.INVALID_COMMON_PARAMETER,
            "The timestamp must not be more than 5 minutes before the current time",
            http_status=400,
        )
    if timestamp > now + TIMESTAMP_MAX_LEAD_SECONDS:
        raise errors.TikTokApiError(
            errors.INVALID_COMMON_PARAMETER,
            "The timestamp must not exceed the current time by more than 30 seconds",
            http_status=400,
        )


def _check_sign(request: Request, app: App, query: dict[str, str], body: bytes) -> None:
    content_type = request.headers.get("content-type", "")
    if not sign_matches(
        query["sign"],
        app_secret=app.app_secret,
        path=request.scope["path"],
        query=query,
        body=body,
        content_type=content_type,
    ):
        raise errors.TikTokApiError(
            errors.INVALID_SIGN, "Invalid sign: the signature does not match the request", http_status=401
        )


def _check_cipher(runtime: SandboxRuntime, rule: CipherRule, grant: Grant, query: dict[str, str]) -> Shop | None:
    cipher = query.get("shop_cipher")
    if rule is CipherRule.FORBIDDEN:
        if cipher is not None:
            raise errors.TikTokApiError(
                errors.INVALID_COMMON_PARAMETER, "shop_cipher not required for this API; remove it", http_status=400
            )
        return None

    if not cipher:
        raise errors.TikTokApiError(errors.SHOP_CIPHER_MISSING, "The shop_cipher parameter is missing", http_status=400)
    shop = runtime.store.shop_by_cipher(cipher)
    seller = runtime.store.sellers.get(grant.seller_open_id)
    if shop is None or seller is None or shop.id not in seller.shop_ids:
        raise errors.TikTokApiError(
            errors.INVALID_COMMON_PARAMETER,
            "Invalid shop_cipher: no shop of this authorization has it",
            http_status=400,
        )
    return shop
