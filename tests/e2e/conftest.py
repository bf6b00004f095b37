"""The hub as separate processes: services and sandboxes started from their console scripts.

Every process gets the same fresh database, a topic prefix of its own run and a
fast marketplace time scale, and listens on its documented port. Logs go to
files under the test's temporary folder, named after each process.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from crossdock_common.auth.tokens import issue_token
from crossdock_common.testing.service import delete_topics_with_prefix

BIN = Path(sys.executable).parent
JWT_SECRET = "e2e-only-jwt-secret-0123456789abcdefgh"
THREEPL_SECRET = "e2e-3pl-shared-secret"
PORTS = {
    "crossdock-catalog": 8101,
    "crossdock-inventory": 8102,
    "crossdock-order-routing": 8103,
    "crossdock-mirakl-connector": 8111,
    "crossdock-sandbox-mirakl": 8201,
    "crossdock-sandbox-3pl": 8203,
}


class Hub:
    """Base URLs of the running processes and an authenticated HTTP client."""

    def __init__(self, *, log_dir: Path) -> None:
        self.log_dir = log_dir
        token = issue_token(secret=JWT_SECRET, account_id="acme", scopes=["read", "write"])
        self.http = httpx.Client(timeout=15, headers={"Authorization": f"Bearer {token}"})
        self.catalog = "http://127.0.0.1:8101"
        self.inventory = "http://127.0.0.1:8102"
        self.routing = "http://127.0.0.1:8103"
        self.mirakl = "http://127.0.0.1:8111"
        self.mirakl_sandbox = "http://127.0.0.1:8201"
        self.threepl_sandbox = "http://127.0.0.1:8203"

    def wait_for(self, description: str, condition, *, timeout: float = 60.0):
        """Poll `condition` until it returns something truthy; fail naming `description` and the logs."""
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            try:
                value = condition()
                if value:
                    return value
            except (httpx.HTTPError, KeyError, ValueError) as error:
                last_error = error
            time.sleep(0.5)
        pytest.fail(f"timed out waiting for {description} (last error: {last_error}); logs in {self.log_dir}")


async def _create_database(dsn: str, name: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _drop_database(dsn: str, name: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def hub(postgres_dsn, kafka_bootstrap, tmp_path_factory):
    database = f"e2e_{uuid.uuid4().hex[:10]}"
    asyncio.run(_create_database(postgres_dsn, database))
    prefix = f"e2e-{uuid.uuid4().hex[:8]}."
    log_dir = tmp_path_factory.mktemp("hub-logs")
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "DATABASE_URL": postgres_dsn.rsplit("/", 1)[0] + f"/{database}",
        "CROSSDOCK_JWT_SECRET": JWT_SECRET,
        "CROSSDOCK_ENCRYPTION_KEY": "ZTJlLW9ubHktY3Jvc3Nkb2NrLWZlcm5ldC1rZXktMzI=",
        "CROSSDOCK_TOPIC_PREFIX": prefix,
        "CROSSDOCK_TOPIC_PARTITIONS": "1",
        "CROSSDOCK_LOG_FORMAT": "text",
        "CROSSDOCK_MARKETPLACE_TIME_SCALE": "0.002",
        "CROSSDOCK_SANDBOX_3PL_SECRET": THREEPL_SECRET,
        "CROSSDOCK_SANDBOX_3PL_SHIP_DELAY_SECONDS": "0.5",
        "CROSSDOCK_ROUTING_DISPATCH_INTERVAL_SECONDS": "0.5",
        "CROSSDOCK_MIRAKL_WORKER_TICK_SECONDS": "0.5",
    }
    processes = {
        name: subprocess.Popen(
            [str(BIN / name)], env=env, stdout=open(log_dir / f"{name}.log", "w"), stderr=subprocess.STDOUT
        )
        for name in PORTS
    }
    hub = Hub(log_dir=log_dir)
    try:
        for name, port in PORTS.items():
            path = "/healthz" if "sandbox" in name else "/readyz"
            hub.wait_for(
                f"{name} ready",
                lambda port=port, path=path: httpx.get(f"http://127.0.0.1:{port}{path}").status_code == 200,
                timeout=90,
            )
        yield hub
    finally:
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        hub.http.close()
        asyncio.run(_drop_database(postgres_dsn, database))
        asyncio.run(delete_topics_with_prefix(kafka_bootstrap, prefix))
