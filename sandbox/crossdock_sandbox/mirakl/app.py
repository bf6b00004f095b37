"""App factory: each call builds an isolated sandbox with its own store."""

from crossdock_common.service import create_app
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from crossdock_sandbox.mirakl import admin, admin_bulk
from crossdock_sandbox.mirakl.api import account, offers, orders, products, shipments, stock
from crossdock_sandbox.mirakl.errors import MiraklApiError, handle_mirakl_error, handle_validation_error
from crossdock_sandbox.mirakl.middleware import SandboxMiddleware
from crossdock_sandbox.mirakl.seed import SeedRequest, seed_store
from crossdock_sandbox.mirakl.settings import SandboxSettings
from crossdock_sandbox.mirakl.store import SandboxStore

DESCRIPTION = (
    "Mirakl seller API sandbox: real paths and shapes, poll-cycle rate limits and the order state machine. "
    "The admin API is under /_sandbox/."
)


def create_sandbox_app(*, settings: SandboxSettings | None = None, seed: SeedRequest | None = None) -> FastAPI:
    """Build a sandbox app seeded with `seed` (the default data set when None)."""
    store = SandboxStore(settings=settings or SandboxSettings())
    seed_store(store, seed or SeedRequest())

    app = create_app(service="sandbox-mirakl", description=DESCRIPTION)
    app.state.store = store
    app.add_exception_handler(MiraklApiError, handle_mirakl_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    for module in (account, orders, shipments, offers, stock, products):
        app.include_router(module.router)
    app.include_router(admin_bulk.router)
    app.include_router(admin.router)
    app.add_middleware(SandboxMiddleware, store=store)
    return app
