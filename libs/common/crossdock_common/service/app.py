"""The FastAPI application every service and sandbox starts from."""

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from crossdock_common.logging import configure_logging
from crossdock_common.service.problems import install_problem_handlers
from crossdock_common.service.runtime import ServiceDefinition, ServiceRuntime
from crossdock_common.settings import ServiceSettings


def create_app(
    definition: ServiceDefinition | None = None,
    *,
    service: str | None = None,
    description: str = "",
    settings: ServiceSettings | None = None,
) -> FastAPI:
    """Build an app with `/healthz`, `/readyz`, `/metrics` and problem-details errors.

    With a `definition`, the app's lifespan starts the service runtime (database,
    Kafka, outbox relay, consumers, jobs) and stops it on shutdown. Without one
    (sandboxes), the app has no runtime and is ready as soon as it is up.
    """
    name = definition.name if definition else service
    if not name:
        raise ValueError("create_app needs a ServiceDefinition or a service name")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if definition is None:
            yield
            return
        resolved = settings or definition.settings_class()
        configure_logging(service=name, level=resolved.log_level, json_format=resolved.log_format == "json")
        app.state.jwt_secret = resolved.require_jwt_secret()
        runtime = ServiceRuntime(definition=definition, settings=resolved)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=f"crossdock {name}",
        description=description or (definition.description if definition else ""),
        lifespan=lifespan,
    )
    app.state.runtime = None
    app.state.jwt_secret = None
    app.state.definition = definition
    install_problem_handlers(app)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """Report that the process is up; checks no dependency."""
        return {"status": "ok", "service": name}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        """Report whether the database and Kafka are reachable (503 when not)."""
        runtime: ServiceRuntime | None = app.state.runtime
        if definition is None:
            return JSONResponse({"status": "ready", "service": name})
        checks = await runtime.check_ready() if runtime is not None else {"runtime": "not started"}
        ready = bool(checks) and all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "service": name, "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus metrics of this process."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    if definition is not None:
        for router in definition.routers:
            app.include_router(router)
    return app
