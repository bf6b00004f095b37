"""Entry point of the tiktok sandbox server."""

from crossdock_common.service import create_app, run_service

app = create_app(service="sandbox-tiktok")


def run() -> None:
    """Serve the tiktok sandbox on CROSSDOCK_SANDBOX_TIKTOK_PORT (default 8202)."""
    run_service("crossdock_sandbox.tiktok.main:app", port_env="CROSSDOCK_SANDBOX_TIKTOK_PORT", default_port=8202)
