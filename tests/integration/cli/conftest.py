"""A whole hub as processes for the CLI tests, and a runner that points the CLI at it.

The stack listens on the documented ports moved by CROSSDOCK_E2E_PORT_OFFSET,
uses a fresh database and its own topic prefix, and is removed after the module.
"""

import os
from collections.abc import Callable

import httpx
import pytest
from crossdock_cli.main import app
from crossdock_cli.stack import StackConfig, poll_until, running_stack
from crossdock_common.auth.tokens import issue_token
from typer.testing import CliRunner, Result

JWT_SECRET = "cli-test-jwt-secret-0123456789abcdefgh"
THREEPL_SECRET = "cli-test-3pl-shared-secret"
ENCRYPTION_KEY = "Y2xpLXRlc3Qtb25seS1jcm9zc2RvY2stZmVybmV0LWs="
FAST_ENV = {
    "CROSSDOCK_TOPIC_PARTITIONS": "1",
    "CROSSDOCK_LOG_FORMAT": "text",
    "CROSSDOCK_ROUTING_DISPATCH_INTERVAL_SECONDS": "0.5",
    "CROSSDOCK_MIRAKL_WORKER_TICK_SECONDS": "0.5",
}


class CliHub:
    """The running stack, an HTTP client with a token for test setup, and `run` for CLI calls."""

    def __init__(self, config: StackConfig, log_dir) -> None:
        self.config = config
        self.log_dir = log_dir
        self.token = issue_token(secret=JWT_SECRET, account_id="acme", scopes=["read", "write"])
        self.http = httpx.Client(timeout=15, headers={"Authorization": f"Bearer {self.token}"})
        self.runner = CliRunner()

    def url(self, name: str) -> str:
        return self.config.url(name)

    def run(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run `crossdock ARGS` against the stack; `env` overrides variables (an empty value unsets one)."""
        environment = {
            **self.config.environment(base={}),
            "CROSSDOCK_TOKEN": self.token,
            # A wide terminal keeps ids on one table line, so the tests can find them.
            "COLUMNS": "250",
        }
        environment.update(env or {})
        return self.runner.invoke(app, list(args), env={k: (v or None) for k, v in environment.items()})

    def wait_for(self, description: str, condition: Callable, *, timeout: float = 90.0):
        """Poll `condition` until it returns something truthy; fail naming `description` and the logs."""
        try:
            return poll_until(description, condition, timeout=timeout)
        except TimeoutError as error:
            pytest.fail(f"{error}; logs in {self.log_dir}")


@pytest.fixture(scope="module")
def hub(postgres_dsn, kafka_bootstrap, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("cli-hub-logs")
    with running_stack(
        server_dsn=postgres_dsn,
        kafka_bootstrap=kafka_bootstrap,
        label="cli",
        log_dir=log_dir,
        jwt_secret=JWT_SECRET,
        encryption_key=ENCRYPTION_KEY,
        threepl_secret=THREEPL_SECRET,
        port_offset=int(os.environ.get("CROSSDOCK_E2E_PORT_OFFSET", "0")),
        time_scale=0.002,
        extra_env=FAST_ENV,
    ) as stack:
        cli_hub = CliHub(stack.config, log_dir)
        try:
            yield cli_hub
        finally:
            cli_hub.http.close()
