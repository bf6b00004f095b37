"""The whole hub on one machine: which processes, on which ports, with which environment.

`make run`, the end-to-end tests and the benchmarks all start the same eight
processes (five services, three sandboxes). This module is the one place that
lists their console scripts, their port variables and how each one reports
ready, and it builds the environment that wires them to each other and to
Kafka and PostgreSQL. A port offset moves every port at once, so two stacks can
share a machine (for example a test run beside `make run`).
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import asyncpg
import httpx
from crossdock_common.testing.service import delete_topics_with_prefix


@dataclass(frozen=True)
class Component:
    """One process of the stack, named as in the Procfile."""

    name: str
    script: str
    port_env: str
    default_port: int
    ready_path: str

    @property
    def is_sandbox(self) -> bool:
        return self.name.startswith("sandbox_")


COMPONENTS = (
    Component("catalog", "crossdock-catalog", "CROSSDOCK_CATALOG_PORT", 8101, "/readyz"),
    Component("inventory", "crossdock-inventory", "CROSSDOCK_INVENTORY_PORT", 8102, "/readyz"),
    Component("order_routing", "crossdock-order-routing", "CROSSDOCK_ORDER_ROUTING_PORT", 8103, "/readyz"),
    Component("mirakl_connector", "crossdock-mirakl-connector", "CROSSDOCK_MIRAKL_CONNECTOR_PORT", 8111, "/readyz"),
    Component("tiktok_connector", "crossdock-tiktok-connector", "CROSSDOCK_TIKTOK_CONNECTOR_PORT", 8112, "/readyz"),
    Component("sandbox_mirakl", "crossdock-sandbox-mirakl", "CROSSDOCK_SANDBOX_MIRAKL_PORT", 8201, "/healthz"),
    Component("sandbox_tiktok", "crossdock-sandbox-tiktok", "CROSSDOCK_SANDBOX_TIKTOK_PORT", 8202, "/healthz"),
    Component("sandbox_3pl", "crossdock-sandbox-3pl", "CROSSDOCK_SANDBOX_3PL_PORT", 8203, "/healthz"),
)
BY_NAME = {component.name: component for component in COMPONENTS}
T = TypeVar("T")
SERVICES = tuple(component.name for component in COMPONENTS if not component.is_sandbox)

# The TikTok sandbox's default app (sandbox/README-tiktok.md).
SANDBOX_TIKTOK_APP_KEY = "crossdock-sandbox"
SANDBOX_TIKTOK_APP_SECRET = "crossdock-sandbox-secret"


@dataclass
class StackConfig:
    """Addresses, ports and shared settings of one stack.

    `time_scale` is CROSSDOCK_MARKETPLACE_TIME_SCALE: it shrinks the sandboxes'
    call-frequency windows and the connectors' poll intervals together.
    """

    kafka_bootstrap: str
    database_url: str
    jwt_secret: str
    encryption_key: str
    threepl_secret: str
    topic_prefix: str = ""
    port_offset: int = 0
    time_scale: float = 1.0
    host: str = "127.0.0.1"
    extra_env: dict[str, str] = field(default_factory=dict)

    def port(self, name: str) -> int:
        return BY_NAME[name].default_port + self.port_offset

    def url(self, name: str) -> str:
        return f"http://{self.host}:{self.port(name)}"

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Return the environment every process of the stack gets (a superset of `base`)."""
        env = dict(os.environ if base is None else base)
        env.update(
            {
                "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
                "DATABASE_URL": self.database_url,
                "CROSSDOCK_JWT_SECRET": self.jwt_secret,
                "CROSSDOCK_ENCRYPTION_KEY": self.encryption_key,
                "CROSSDOCK_TOPIC_PREFIX": self.topic_prefix,
                "CROSSDOCK_MARKETPLACE_TIME_SCALE": repr(self.time_scale),
                # TikTok connector: the sandbox plays the Open API, the token host and the consent page.
                "CROSSDOCK_TIKTOK_APP_KEY": SANDBOX_TIKTOK_APP_KEY,
                "CROSSDOCK_TIKTOK_APP_SECRET": SANDBOX_TIKTOK_APP_SECRET,
                "CROSSDOCK_TIKTOK_API_BASE_URL": self.url("sandbox_tiktok"),
                "CROSSDOCK_TIKTOK_AUTH_BASE_URL": self.url("sandbox_tiktok"),
                "CROSSDOCK_TIKTOK_PUBLIC_WEBHOOK_URL": self.url("tiktok_connector") + "/webhooks/tiktok",
                "CROSSDOCK_SANDBOX_TIKTOK_REDIRECT_URL": self.url("tiktok_connector") + "/oauth/tiktok/callback",
                # 3PL sandbox: the default account posts shipments to order routing.
                "CROSSDOCK_SANDBOX_3PL_SECRET": self.threepl_secret,
                "CROSSDOCK_SANDBOX_3PL_HUB_URL": self.url("order_routing"),
                "CROSSDOCK_SANDBOX_3PL_PUBLIC_URL": self.url("sandbox_3pl"),
            }
        )
        for component in COMPONENTS:
            env[component.port_env] = str(self.port(component.name))
            if not component.is_sandbox:
                # Read by the `crossdock` CLI (crossdock_cli.services).
                env[f"CROSSDOCK_{component.name.upper()}_URL"] = self.url(component.name)
        env.update(self.extra_env)
        return env

    def wait_ready(self, names=None, *, timeout: float = 90.0, on_wait=None) -> None:
        """Block until every named process responds 200 on its readiness path; raise TimeoutError naming the others."""
        pending = list(names or BY_NAME)
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for name in list(pending):
                    try:
                        if client.get(self.url(name) + BY_NAME[name].ready_path).status_code == 200:
                            pending.remove(name)
                    except httpx.HTTPError:
                        pass
                if not pending:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")
                if on_wait is not None:
                    on_wait(pending)
                time.sleep(0.3)


def poll_until(description: str, condition: Callable[[], T], *, timeout: float, interval: float = 0.5) -> T:
    """Call `condition` until it returns something truthy, and return that.

    HTTP errors and missing keys or values count as "not yet", because a
    process that is still starting returns them. Raise TimeoutError
    naming `description` and the last such error after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except (httpx.HTTPError, KeyError, ValueError) as error:
            last_error = error
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {description} (last error: {last_error})")
        time.sleep(interval)


async def create_database(server_dsn: str, name: str) -> None:
    """Create database `name` on the server of `server_dsn`, dropping an earlier one of that name first."""
    connection = await asyncpg.connect(server_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_database(server_dsn: str, name: str) -> None:
    """Drop database `name`, closing the sessions still connected to it."""
    connection = await asyncpg.connect(server_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def database_url(server_dsn: str, name: str) -> str:
    """Return `server_dsn` pointing at database `name`."""
    return server_dsn.rsplit("/", 1)[0] + f"/{name}"


class ProcessStack:
    """The processes started one by one, each logging to its own file.

    Tests and benchmarks use this; `make run` uses honcho instead so logs are
    prefixed on one terminal. Stop sends SIGTERM and waits, then kills.
    """

    def __init__(self, config: StackConfig, *, log_dir: Path, names=None) -> None:
        self.config = config
        self.log_dir = log_dir
        self.names = list(names or BY_NAME)
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, *, timeout: float = 90.0) -> "ProcessStack":
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = self.config.environment()
        bin_dir = Path(sys.executable).parent
        for name in self.names:
            log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
            self.processes[name] = subprocess.Popen(
                [str(bin_dir / BY_NAME[name].script)], env=env, stdout=log, stderr=subprocess.STDOUT
            )
            log.close()
        try:
            self.config.wait_ready(self.names, timeout=timeout, on_wait=self._check_alive)
        except BaseException:
            self.stop()
            raise
        return self

    def _check_alive(self, pending) -> None:
        for name in pending:
            code = self.processes[name].poll()
            if code is not None:
                raise RuntimeError(f"{name} exited with {code} before it was ready; see {self.log_dir / name}.log")

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def stop(self) -> None:
        """Stop the services while the sandboxes still respond, then the sandboxes.

        A connector whose sandbox is gone retries its in-flight call with
        backoff before it exits, which would add seconds to every stop.
        """
        services = [self.processes[name] for name in self.processes if not BY_NAME[name].is_sandbox]
        sandboxes = [self.processes[name] for name in self.processes if BY_NAME[name].is_sandbox]
        for group in (services, sandboxes):
            for process in group:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in group:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@contextlib.contextmanager
def running_stack(
    *, server_dsn: str, kafka_bootstrap: str, label: str, log_dir: Path, start_timeout: float = 120.0, **settings
) -> Iterator[ProcessStack]:
    """Start the whole stack on a new database and topic prefix named after `label`; remove both afterwards.

    `settings` are the other `StackConfig` fields (secrets, port offset, time scale, extra environment).
    """
    suffix = uuid.uuid4().hex[:10]
    database = f"{label}_{suffix}"
    topic_prefix = f"{label}-{suffix}."
    asyncio.run(create_database(server_dsn, database))
    config = StackConfig(
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url(server_dsn, database),
        topic_prefix=topic_prefix,
        **settings,
    )
    stack = ProcessStack(config, log_dir=log_dir)
    try:
        stack.start(timeout=start_timeout)
        yield stack
    finally:
        stack.stop()
        asyncio.run(drop_database(server_dsn, database))
        asyncio.run(delete_topics_with_prefix(kafka_bootstrap, topic_prefix))
