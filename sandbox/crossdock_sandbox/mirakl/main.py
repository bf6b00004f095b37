"""Entry point of the mirakl sandbox server."""

from crossdock_common.service import run_service

from crossdock_sandbox.mirakl.app import create_sandbox_app

app = create_sandbox_app()


def run() -> None:
    """Serve the mirakl sandbox on CROSSDOCK_SANDBOX_MIRAKL_PORT (default 8201)."""
    run_service("crossdock_sandbox.mirakl.main:app", port_env="CROSSDOCK_SANDBOX_MIRAKL_PORT", default_port=8201)
