"""Entry point of the mirakl sandbox server."""

from crossdock_common.service import create_app, run_service

app = create_app(service="sandbox-mirakl")


def run() -> None:
    """Serve the mirakl sandbox on CROSSDOCK_SANDBOX_MIRAKL_PORT (default 8201)."""
    run_service("crossdock_sandbox.mirakl.main:app", port_env="CROSSDOCK_SANDBOX_MIRAKL_PORT", default_port=8201)
