"""Entry point of the threepl sandbox server."""

from crossdock_common.service import create_app, run_service

app = create_app(service="sandbox-threepl")


def run() -> None:
    """Serve the threepl sandbox on CROSSDOCK_SANDBOX_3PL_PORT (default 8203)."""
    run_service("crossdock_sandbox.threepl.main:app", port_env="CROSSDOCK_SANDBOX_3PL_PORT", default_port=8203)
