"""Entry point of order routing: `crossdock_order_routing.main:app` for uvicorn, `run()` for the console script."""

from pathlib import Path

from crossdock_common.service import ServiceDefinition, create_app, run_service
from fastapi import FastAPI

import crossdock_order_routing
from crossdock_order_routing.api import integrations, orders, rules, shipments
from crossdock_order_routing.consumers import CONSUMER
from crossdock_order_routing.service_layer.dispatch import Dispatcher
from crossdock_order_routing.service_layer.reevaluation import PeriodicReevaluation
from crossdock_order_routing.settings import RoutingSettings


def build_definition() -> ServiceDefinition:
    """Describe the service: schema `routing`, its routers, its consumer and its background jobs."""
    return ServiceDefinition(
        name="order_routing",
        schema="routing",
        description=crossdock_order_routing.__doc__ or "",
        migrations=Path(__file__).parent / "migrations",
        routers=[orders.router, rules.router, integrations.router, shipments.router],
        consumers=[CONSUMER],
        background=[Dispatcher, PeriodicReevaluation],
        settings_class=RoutingSettings,
    )


def build_app(settings: RoutingSettings | None = None) -> FastAPI:
    """Build the FastAPI app; the lifespan reads `RoutingSettings` from the environment unless given."""
    return create_app(build_definition(), settings=settings)


app = build_app()


def run() -> None:
    """Serve the order_routing API on CROSSDOCK_ORDER_ROUTING_PORT (default 8103)."""
    run_service("crossdock_order_routing.main:app", port_env="CROSSDOCK_ORDER_ROUTING_PORT", default_port=8103)
