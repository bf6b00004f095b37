"""App factory of the 3PL sandbox: a fresh, independent sandbox per call."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from crossdock_common.service import create_app
from fastapi import FastAPI

from crossdock_sandbox.threepl import admin, shipping_requests
from crossdock_sandbox.threepl.instance import Sandbox
from crossdock_sandbox.threepl.problems import install_problem_handlers
from crossdock_sandbox.threepl.settings import SandboxSettings
from crossdock_sandbox.threepl.traffic import HubTrafficMiddleware

DESCRIPTION = (
    "A 3PL that implements the warehouse side of the crossdock HTTP-3PL contract: it acknowledges "
    "signed shipping requests, ships them after a delay, posts signed shipments back to the hub, and "
    "offers admin endpoints under /_sandbox/ for tests."
)


def create_sandbox_app(
    *, settings: SandboxSettings | None = None, http_client: httpx.AsyncClient | None = None
) -> FastAPI:
    """Build a sandbox app with its own state; `http_client` replaces the client that posts shipments."""
    sandbox = Sandbox(settings=settings or SandboxSettings(), http_client=http_client)
    app = create_app(service="sandbox-threepl", description=DESCRIPTION)
    app.state.sandbox = sandbox

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await sandbox.aclose()

    # The shared factory takes no lifespan, so attach it to the router it built.
    app.router.lifespan_context = lifespan

    install_problem_handlers(app)
    app.include_router(shipping_requests.router)
    app.include_router(shipping_requests.router, prefix="/accounts/{account_id}")
    app.include_router(admin.router)
    app.add_middleware(HubTrafficMiddleware, sandbox=sandbox)
    return app
