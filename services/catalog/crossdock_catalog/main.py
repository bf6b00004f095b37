"""Entry point of the catalog service: `crossdock_catalog.main:app` for uvicorn, `run()` for the console script."""

from pathlib import Path

from crossdock_common.service import ServiceDefinition, create_app, run_service
from crossdock_common.service.problems import ProblemError, problem_response
from fastapi import FastAPI, Request

import crossdock_catalog
from crossdock_catalog.api import catalog as catalog_api
from crossdock_catalog.api import products as products_api
from crossdock_catalog.consumers import CONSUMERS
from crossdock_catalog.errors import CatalogError
from crossdock_catalog.settings import CatalogSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="catalog",
        schema="catalog",
        description=crossdock_catalog.__doc__ or "",
        migrations=MIGRATIONS,
        routers=[products_api.router, catalog_api.router],
        consumers=CONSUMERS,
        settings_class=CatalogSettings,
    )


def build_app(settings: CatalogSettings | None = None) -> FastAPI:
    """Build the catalog app; its lifespan starts the database, Kafka consumers and the outbox relay."""
    app = create_app(definition(), settings=settings)

    @app.exception_handler(CatalogError)
    async def _catalog_error(request: Request, error: CatalogError):
        problem = ProblemError(status=error.status, title=error.title, detail=error.detail, **error.extensions)
        return problem_response(problem, request)

    return app


app = build_app()


def run() -> None:
    """Serve the catalog API on CROSSDOCK_CATALOG_PORT (default 8101)."""
    run_service("crossdock_catalog.main:app", port_env="CROSSDOCK_CATALOG_PORT", default_port=8101)
