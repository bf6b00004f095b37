"""Shared helpers of the whole-hub benchmarks: a throwaway stack, hub setup through the public APIs, RSS sampling.

A benchmark stack gets its own database, its own topic prefix and the ports
moved by `--port-offset` (default 3000, so it can run beside `make run` and
the end-to-end tests). Leaving the `bench_stack` context stops the processes,
drops the database and deletes the topics, even after an error.
"""

import contextlib
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from crossdock_cli.stack import (
    SERVICES,
    ProcessStack,
    StackConfig,
    poll_until,
    running_stack,
)
from crossdock_common.auth.tokens import issue_token

DEFAULT_DSN = "postgresql://crossdock:crossdock@127.0.0.1:55432/crossdock"
DEFAULT_BOOTSTRAP = "127.0.0.1:19092"
JWT_SECRET = "bench-only-jwt-secret-0123456789abcdefgh"
THREEPL_SECRET = "bench-3pl-shared-secret"
ENCRYPTION_KEY = "YmVuY2gtb25seS1jcm9zc2RvY2stZmVybmV0LWtleSE="
MIRAKL_KEY = "mirakl-sandbox-key-2001"
ACCOUNT = "acme"


@dataclass
class Hub:
    """Base URLs of a running benchmark stack and an authenticated client."""

    config: StackConfig
    stack: ProcessStack
    log_dir: Path
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        token = issue_token(secret=JWT_SECRET, account_id=ACCOUNT, scopes=["read", "write"], ttl_seconds=4 * 3600)
        self.token = token
        self.http = httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"})

    def url(self, name: str) -> str:
        return self.config.url(name)

    def service_pids(self) -> dict[str, int]:
        return {name: self.stack.pid(name) for name in SERVICES}

    def wait_for(self, description: str, condition, *, timeout: float = 120.0, interval: float = 0.5):
        """Poll `condition` until it returns something truthy; raise TimeoutError naming `description` and the logs."""
        try:
            return poll_until(description, condition, timeout=timeout, interval=interval)
        except TimeoutError as error:
            raise TimeoutError(f"{error}; logs in {self.log_dir}") from None


@contextlib.contextmanager
def bench_stack(*, name: str, time_scale: float, port_offset: int, extra_env: dict[str, str]):
    """Start the five services and three sandboxes on a fresh database; yield a `Hub`; clean everything up."""
    log_dir = Path(tempfile.mkdtemp(prefix=f"crossdock-bench-{name}-"))
    with running_stack(
        server_dsn=os.environ.get("DATABASE_URL", DEFAULT_DSN),
        kafka_bootstrap=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP),
        label=f"bench_{name}",
        log_dir=log_dir,
        start_timeout=180,
        jwt_secret=JWT_SECRET,
        encryption_key=ENCRYPTION_KEY,
        threepl_secret=THREEPL_SECRET,
        port_offset=port_offset,
        time_scale=time_scale,
        extra_env={
            "CROSSDOCK_LOG_FORMAT": "text",
            "CROSSDOCK_LOG_LEVEL": os.environ.get("CROSSDOCK_BENCH_LOG_LEVEL", "WARNING"),
            **extra_env,
        },
    ) as stack:
        hub = Hub(config=stack.config, stack=stack, log_dir=log_dir)
        try:
            yield hub
        finally:
            hub.http.close()


def rss_megabytes(pid: int) -> float:
    """Read the resident set size of a process from /proc, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


class RssSampler:
    """Samples the RSS of each named process every `interval` seconds in a thread and keeps the peak."""

    def __init__(self, pids: dict[str, int], *, interval: float = 0.5) -> None:
        self.pids = pids
        self.interval = interval
        self.peak = {name: 0.0 for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                with contextlib.suppress(OSError, RuntimeError):
                    self.peak[name] = max(self.peak[name], rss_megabytes(pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def add_port_offset_argument(parser) -> None:
    parser.add_argument(
        "--port-offset",
        type=int,
        default=int(os.environ.get("CROSSDOCK_BENCH_PORT_OFFSET", "3000")),
        help="added to every documented port, so the stack does not collide with others (default 3000)",
    )


# --- hub setup through the public HTTP APIs ---------------------------------------------------------------------


def connect_threepl(hub: Hub) -> str:
    """Create the HTTP-3PL integration and point the 3PL sandbox's default account at it; return its id."""
    created = hub.http.post(
        f"{hub.url('order_routing')}/v1/integrations/http-3pl",
        json={"name": "Sandbox 3PL", "url": hub.url("sandbox_3pl"), "secret": THREEPL_SECRET},
    )
    created.raise_for_status()
    integration_id = created.json()["integration_id"]
    hub.http.put(
        f"{hub.url('sandbox_3pl')}/_sandbox/accounts/default",
        json={"secret": THREEPL_SECRET, "hub_url": hub.url("order_routing"), "integration_id": integration_id},
    ).raise_for_status()
    return integration_id


def connect_mirakl(hub: Hub, *, settings: dict, products: str) -> str:
    """Create and connect a Mirakl integration on sandbox shop 2001, then apply `settings`; return its id."""
    created = hub.http.post(
        f"{hub.url('mirakl_connector')}/v1/integrations",
        json={
            "name": "Mirakl FR",
            "url": hub.url("sandbox_mirakl"),
            "api_key": MIRAKL_KEY,
            "settings": {"products": products},
        },
    )
    created.raise_for_status()
    integration_id = created.json()["integration_id"]
    connected = hub.http.post(f"{hub.url('mirakl_connector')}/v1/integrations/{integration_id}/connect").json()
    if connected.get("status") != "connected":
        raise RuntimeError(f"Mirakl connect failed: {connected}")
    hub.http.patch(
        f"{hub.url('mirakl_connector')}/v1/integrations/{integration_id}/settings", json=settings
    ).raise_for_status()
    return integration_id


def connect_tiktok(hub: Hub, *, settings: dict) -> dict:
    """Create a TikTok integration and authorize it through the sandbox's auto-approving consent page.

    Returns the integration as `GET /v1/integrations/{id}` shows it (shop and sales warehouses included).
    """
    connector = hub.url("tiktok_connector")
    sandbox = hub.url("sandbox_tiktok")
    hub.http.put(f"{sandbox}/_sandbox/apps/crossdock-sandbox", json={"auto_approve": True}).raise_for_status()
    created = hub.http.post(f"{connector}/v1/integrations", json={"name": "TikTok US", "settings": settings})
    created.raise_for_status()
    integration_id = created.json()["id"]
    authorize = hub.http.get(f"{connector}/v1/integrations/{integration_id}/oauth/authorize").json()
    # The consent page redirects to the connector's callback, which finishes the connection.
    consent = httpx.get(authorize["authorization_url"], follow_redirects=True, timeout=60)
    consent.raise_for_status()
    return hub.wait_for(
        "TikTok integration connected",
        lambda: (
            (found := hub.http.get(f"{connector}/v1/integrations/{integration_id}").json())["status"] == "connected"
            and found
        ),
        timeout=60,
    )
