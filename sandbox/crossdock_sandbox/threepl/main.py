"""Entry point of the 3PL sandbox server (`crossdock-sandbox-3pl`)."""

from crossdock_common.service import run_service

from crossdock_sandbox.threepl.app import create_sandbox_app
from crossdock_sandbox.threepl.settings import SandboxSettings

app = create_sandbox_app(settings=SandboxSettings.from_env())


def run() -> None:
    """Serve the 3PL sandbox on CROSSDOCK_SANDBOX_3PL_PORT (default 8203)."""
    run_service("crossdock_sandbox.threepl.main:app", port_env="CROSSDOCK_SANDBOX_3PL_PORT", default_port=8203)
