"""The hub as separate processes: services and sandboxes started from their console scripts.

Every process gets the same fresh database, a topic prefix of its own run and a
fast marketplace time scale. Ports are the documented ones moved by
CROSSDOCK_E2E_PORT_OFFSET (default 0), so a second stack can run beside
`make run`. Logs go to files under the test's temporary folder, named after
each process.
"""

import os
from pathlib import Path

import httpx
import pytest
from crossdock_cli.stack import (
    ProcessStack,
    StackConfig,
    poll_until,
    running_stack,
)
from crossdock_common.auth.tokens import issue_token

JWT_SECRET = "e2e-only-jwt-secret-0123456789abcdefgh"
THREEPL_SECRET = "e2e-3pl-shared-secret"
ENCRYPTION_KEY = "ZTJlLW9ubHktY3Jvc3Nkb2NrLWZlcm5ldC1rZXktMzI="
FAST_ENV = {
    "CROSSDOCK_TOPIC_PARTITIONS": "1",
    "CROSSDOCK_LOG_FORMAT": "text",
    "CROSSDOCK_SANDBOX_3PL_SHIP_DELAY_SECONDS": "0.5",
    "CROSSDOCK_ROUTING_DISPATCH_INTERVAL_SECONDS": "0.5",
    "CROSSDOCK_MIRAKL_WORKER_TICK_SECONDS": "0.5",
}


class Hub:
    """Base URLs of the running processes and an authenticated HTTP client."""

    def __init__(self, *, config: StackConfig, stack: ProcessStack, log_dir: Path) -> None:
        self.config = config
        self.stack = stack
        self.log_dir = log_dir
        self.token = issue_token(secret=JWT_SECRET, account_id="acme", scopes=["read", "write"])
        self.http = httpx.Client(timeout=15, headers={"Authorization": f"Bearer {self.token}"})
        self.catalog = config.url("catalog")
        self.inventory = config.url("inventory")
        self.routing = config.url("order_routing")
        self.mirakl = config.url("mirakl_connector")
        self.tiktok = config.url("tiktok_connector")
        self.mirakl_sandbox = config.url("sandbox_mirakl")
        self.tiktok_sandbox = config.url("sandbox_tiktok")
        self.threepl_sandbox = config.url("sandbox_3pl")

    def cli_env(self) -> dict[str, str]:
        """Environment for running the `crossdock` CLI against this hub."""
        return {**self.config.environment(), "CROSSDOCK_TOKEN": self.token}

    def wait_for(self, description: str, condition, *, timeout: float = 60.0, detail=None):
        """Poll `condition` until it returns something truthy; fail naming `description` and the logs.

        `detail`, when given, is called once on timeout and its result is added
        to the failure message, to show what was seen in place of the awaited state.
        """
        try:
            return poll_until(description, condition, timeout=timeout)
        except TimeoutError as error:
            seen = ""
            if detail is not None:
                try:
                    seen = f"; seen: {detail()}"
                except (httpx.HTTPError, KeyError, ValueError) as detail_error:
                    seen = f"; reading what was seen failed: {detail_error}"
            pytest.fail(f"{error}{seen}; logs in {self.log_dir}")


@pytest.fixture(scope="module")
def hub(postgres_dsn, kafka_bootstrap, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("hub-logs")
    with running_stack(
        server_dsn=postgres_dsn,
        kafka_bootstrap=kafka_bootstrap,
        label="e2e",
        log_dir=log_dir,
        jwt_secret=JWT_SECRET,
        encryption_key=ENCRYPTION_KEY,
        threepl_secret=THREEPL_SECRET,
        port_offset=int(os.environ.get("CROSSDOCK_E2E_PORT_OFFSET", "0")),
        time_scale=0.002,
        extra_env=FAST_ENV,
    ) as stack:
        hub = Hub(config=stack.config, stack=stack, log_dir=log_dir)
        try:
            yield hub
        finally:
            hub.http.close()
