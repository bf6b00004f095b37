"""Find which service owns an integration id.

The connectors name their integrations `mirakl-…` and `tiktok-…`, and order
routing names HTTP-3PL integrations `3pl-…`. An id with none of these prefixes
is looked up in each service in turn.
"""

from typing import Any

from crossdock_cli.api import ApiError, CliError, ServiceClient, read_token

INTEGRATION_PATHS = {
    "mirakl_connector": "/v1/integrations/{id}",
    "tiktok_connector": "/v1/integrations/{id}",
    "order_routing": "/v1/integrations/http-3pl/{id}",
}
PREFIXES = {"mirakl-": "mirakl_connector", "tiktok-": "tiktok_connector", "3pl-": "order_routing"}


def owning_services(integration_id: str) -> list[str]:
    """Return the services to ask for `integration_id`: the one its prefix names, else all of them."""
    for prefix, service in PREFIXES.items():
        if integration_id.startswith(prefix):
            return [service]
    return list(INTEGRATION_PATHS)


def find_integration(integration_id: str, services: list[str] | None = None) -> tuple[str, dict[str, Any]]:
    """Return the owning service and the integration's view; raise CliError when no service has it."""
    token = read_token()
    candidates = services or owning_services(integration_id)
    for service in candidates:
        with ServiceClient(service, token) as client:
            try:
                return service, client.get(INTEGRATION_PATHS[service].format(id=integration_id))
            except ApiError as error:
                if error.status != 404 or len(candidates) == 1:
                    raise
    raise CliError(
        f"integration {integration_id!r} not found in {', '.join(candidates)}; "
        "list the ids with `crossdock integrations list`"
    )
