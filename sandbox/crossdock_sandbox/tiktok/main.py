"""Entry point of the TikTok Shop sandbox server (API version 202309).

`create_sandbox_app()` builds an isolated instance, so each test gets fresh state;
`app` is the instance that `crossdock-sandbox-tiktok` serves.
"""

import contextlib
import math
import os

from crossdock_common.service import create_app, run_service
from crossdock_common.timescale import marketplace_time_scale
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from crossdock_sandbox.tiktok import errors, seed
from crossdock_sandbox.tiktok.clock import SandboxClock
from crossdock_sandbox.tiktok.faults import FaultPlan, RateLimiter
from crossdock_sandbox.tiktok.middleware import SandboxMiddleware
from crossdock_sandbox.tiktok.request_log import RequestLog
from crossdock_sandbox.tiktok.routers import (
    admin,
    admin_bulk,
    events,
    fulfillment,
    logistics,
    oauth,
    orders,
    products,
    returns,
    shops,
)
from crossdock_sandbox.tiktok.runtime import SandboxRuntime
from crossdock_sandbox.tiktok.tokens import TokenService
from crossdock_sandbox.tiktok.webhooks import WebhookDispatcher

# TikTok allows 50 requests per second per API, counted per app and shop.
RATE_LIMIT_PER_SECOND = 50
REDIRECT_URL_ENV = "CROSSDOCK_SANDBOX_TIKTOK_REDIRECT_URL"
DEFAULT_REDIRECT_URL = "http://127.0.0.1:8112/oauth/tiktok/callback"


def create_sandbox_app(
    *,
    seed_value: int = seed.DEFAULT_SEED,
    time_scale: float | None = None,
    clock: SandboxClock | None = None,
    redirect_url: str | None = None,
    rate_limit_per_second: int = RATE_LIMIT_PER_SECOND,
    timeout_fault_seconds: float = 30.0,
    orders_per_shop: int = 12,
) -> FastAPI:
    """Build a sandbox app with its own state; `time_scale` defaults to CROSSDOCK_MARKETPLACE_TIME_SCALE."""
    scale = marketplace_time_scale() if time_scale is None else time_scale
    if scale <= 0:
        raise ValueError(f"time_scale must be positive, got {scale}")
    clock = clock or SandboxClock()
    redirect = redirect_url or os.environ.get(REDIRECT_URL_ENV, DEFAULT_REDIRECT_URL)
    store = seed.build_store(
        seed=seed_value, redirect_url=redirect, now=clock.now_int(), orders_per_shop=orders_per_shop
    )

    runtime = SandboxRuntime(
        store=store,
        clock=clock,
        tokens=TokenService(store=store, clock=clock),
        webhooks=WebhookDispatcher(store=store, clock=clock, time_scale=scale),
        faults=FaultPlan(),
        rate_limiter=RateLimiter(limit=rate_limit_per_second, window_seconds=1.0 * scale),
        request_log=RequestLog(),
        time_scale=scale,
        timeout_fault_seconds=timeout_fault_seconds,
        redirect_url=redirect,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        await runtime.webhooks.aclose()

    app = create_app(
        service="sandbox-tiktok",
        description="Strict stand-in for the TikTok Shop Open API 202309, with an admin API under /_sandbox.",
    )
    app.router.lifespan_context = lifespan
    app.state.sandbox = runtime
    for router in (
        oauth.router,
        shops.router,
        logistics.router,
        products.router,
        orders.router,
        fulfillment.router,
        returns.router,
        events.router,
        admin_bulk.router,
        admin.router,
    ):
        app.include_router(router)
    app.add_middleware(SandboxMiddleware, runtime_of=lambda: app.state.sandbox)
    _add_error_handlers(app)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.TikTokApiError)
    async def tiktok_error(_request: Request, error: errors.TikTokApiError) -> JSONResponse:
        headers = {}
        if error.code == errors.TOO_MANY_REQUESTS and error.data:
            headers["Retry-After"] = str(max(1, math.ceil(error.data["retry_after_seconds"])))
        return JSONResponse(
            errors.envelope(None, code=error.code, message=error.message),
            status_code=error.http_status,
            headers=headers,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if request.url.path.startswith("/_sandbox"):
            return JSONResponse({"detail": error.detail}, status_code=error.status_code)
        if error.status_code == 405:
            return JSONResponse(
                errors.envelope(None, code=errors.INVALID_METHOD, message="Invalid method for this path"),
                status_code=405,
            )
        if error.status_code == 404:
            return JSONResponse(
                errors.envelope(None, code=errors.INVALID_PATH, message=f"Invalid path {request.url.path}"),
                status_code=404,
            )
        return JSONResponse(
            errors.envelope(None, code=errors.INTERNAL_ERROR, message=str(error.detail)), status_code=error.status_code
        )


app = create_sandbox_app()


def run() -> None:
    """Serve the TikTok sandbox on CROSSDOCK_SANDBOX_TIKTOK_PORT (default 8202)."""
    run_service("crossdock_sandbox.tiktok.main:app", port_env="CROSSDOCK_SANDBOX_TIKTOK_PORT", default_port=8202)
